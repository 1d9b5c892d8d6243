using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

internal sealed partial class RubyDetector : ILanguageDetector
{
    public string LookedFor => "Ruby: Gemfile with rails (config/application.rb) or sinatra";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        var gemfile = tree.Read("Gemfile");
        if (gemfile is null)
        {
            return null;
        }

        var candidate = new LanguageCandidate(AppLanguage.Ruby) { PackageManager = "bundler", DefaultPort = 3000 };
        candidate.Add("Gemfile", "Ruby bundle", 0.4);
        candidate.AddManifestIfExists(tree, "Gemfile", "Gemfile.lock");
        if (tree.Exists("Gemfile.lock"))
        {
            candidate.Add("Gemfile.lock", "locked bundle", 0.1);
        }

        var version = Inference.VersionFrom(tree.Read(".ruby-version")?.Trim(), withMinor: true);
        if (version is not null)
        {
            candidate.LanguageVersion = version;
            candidate.Add(".ruby-version", $"Ruby {version}");
        }
        else if (GemfileRuby().Match(gemfile) is { Success: true } ruby)
        {
            candidate.LanguageVersion = Inference.VersionFrom(ruby.Groups[1].Value, withMinor: true);
            candidate.Add("Gemfile", $"ruby '{ruby.Groups[1].Value}'");
        }

        var sources = tree.FilesWithExtension(3, ".rb", ".ru").ToList();
        var procfile = Inference.ProcfileWeb(tree, candidate);
        if (Gem("rails").IsMatch(gemfile))
        {
            candidate.Framework = "rails";
            candidate.Add("Gemfile", "gem rails -> Rails", tree.Exists("config/application.rb") ? 0.4 : 0.3);
            candidate.Port = Inference.PortFromCommand(procfile, "Procfile", candidate)
                ?? Inference.PortFromCode(tree, ["config/puma.rb"], candidate, PumaPort());
            var port = candidate.Port ?? 3000;
            candidate.StartCommand = procfile ?? $"bundle exec rails server -b 0.0.0.0 -p {port}";
            if (tree.Read("config/routes.rb") is { } routes && RailsUp().IsMatch(routes))
            {
                candidate.HealthPath = "/up";
                candidate.Add("config/routes.rb", "Rails health route /up");
            }
        }
        else if (Gem("sinatra").IsMatch(gemfile))
        {
            candidate.Framework = "sinatra";
            candidate.DefaultPort = 4567;
            candidate.Add("Gemfile", "gem sinatra -> Sinatra", 0.4);
            candidate.Port = Inference.PortFromCommand(procfile, "Procfile", candidate)
                ?? Inference.PortFromCode(tree, sources, candidate, SinatraPort());
            var port = candidate.Port ?? 4567;
            var app = tree.FindInFiles(sources.Where(s => s.EndsWith(".rb", StringComparison.Ordinal)), RequireSinatra());
            candidate.StartCommand = procfile
                ?? (tree.Exists("config.ru") ? $"bundle exec rackup --host 0.0.0.0 -p {port}"
                    : app is { } found ? $"bundle exec ruby {found.File} -o 0.0.0.0 -p {port}" : null);
            candidate.EntryPoint = app?.File;
        }
        else
        {
            candidate.StartCommand = procfile ?? (tree.Exists("config.ru") ? "bundle exec rackup --host 0.0.0.0 -p 3000" : null);
        }

        if (candidate.StartCommand is null)
        {
            candidate.Problem = "Gemfile found but no Rails, Sinatra, config.ru or Procfile web process";
        }

        candidate.HealthPath ??= Inference.HealthPathFromCode(tree, sources, candidate);
        return candidate;
    }

    private static Regex Gem(string name) => new($@"^\s*gem\s+[""']{name}[""']", RegexOptions.Multiline);

    [GeneratedRegex(@"^\s*ruby\s+[""']([^""']+)[""']", RegexOptions.Multiline)]
    private static partial Regex GemfileRuby();

    [GeneratedRegex(@"port\s+ENV\.fetch\([""']PORT[""']\)\s*\{\s*(?<port>\d{2,5})")]
    private static partial Regex PumaPort();

    [GeneratedRegex(@"set\s+:port,\s*(?:ENV\.fetch\([""']PORT[""'],\s*)?(?<port>\d{2,5})")]
    private static partial Regex SinatraPort();

    [GeneratedRegex(@"^\s*require\s+[""']sinatra", RegexOptions.Multiline)]
    private static partial Regex RequireSinatra();

    [GeneratedRegex(@"get\s+[""']up[""']")]
    private static partial Regex RailsUp();
}
