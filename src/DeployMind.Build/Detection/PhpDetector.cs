using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

internal sealed partial class PhpDetector : ILanguageDetector
{
    public string LookedFor => "PHP: composer.json with laravel/framework and artisan, or an index.php";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        var composer = tree.Read("composer.json");
        var index = new[] { "public/index.php", "index.php" }.FirstOrDefault(tree.Exists);
        if (composer is null && index is null)
        {
            return null;
        }

        var candidate = new LanguageCandidate(AppLanguage.Php) { DefaultPort = 8000 };
        if (composer is not null)
        {
            candidate.PackageManager = "composer";
            candidate.Add("composer.json", "Composer project", 0.4);
            candidate.AddManifestIfExists(tree, "composer.json", "composer.lock");
            if (PhpRequire().Match(composer) is { Success: true } php && Inference.VersionFrom(php.Groups[1].Value, withMinor: true) is { } version)
            {
                candidate.LanguageVersion = version;
                candidate.Add("composer.json", $"requires php {php.Groups[1].Value}");
            }
        }
        else
        {
            candidate.Add(index!, "PHP entry script", 0.3);
        }

        var procfile = Inference.ProcfileWeb(tree, candidate);
        candidate.Port = Inference.PortFromCommand(procfile, "Procfile", candidate) ?? Inference.PortFromDotEnv(tree, candidate);
        var port = candidate.Port ?? 8000;
        if (composer is not null && composer.Contains("\"laravel/framework\"", StringComparison.Ordinal) && tree.Exists("artisan"))
        {
            candidate.Framework = "laravel";
            candidate.Add("composer.json", "requires laravel/framework, artisan present -> Laravel", 0.5);
            candidate.StartCommand = procfile ?? $"php artisan serve --host=0.0.0.0 --port={port}";
            if ((tree.Read("bootstrap/app.php") ?? "").Contains("'/up'", StringComparison.Ordinal))
            {
                candidate.HealthPath = "/up";
                candidate.Add("bootstrap/app.php", "Laravel health route /up");
            }
        }
        else if (index is not null)
        {
            var root = index.Contains('/', StringComparison.Ordinal) ? "public" : ".";
            candidate.StartCommand = procfile ?? $"php -S 0.0.0.0:{port} -t {root}";
            candidate.EntryPoint = root;
            candidate.Add(index, "served by PHP's built-in server");
        }
        else
        {
            candidate.StartCommand = procfile;
            candidate.Problem = procfile is null ? "composer.json found but no Laravel artisan, index.php or Procfile web process" : null;
        }

        candidate.HealthPath ??= Inference.HealthPathFromCode(tree, tree.FilesWithExtension(3, ".php"), candidate);
        return candidate;
    }

    [GeneratedRegex(@"""php""\s*:\s*""([^""]+)""")]
    private static partial Regex PhpRequire();
}
