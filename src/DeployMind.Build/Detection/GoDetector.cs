using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

internal sealed partial class GoDetector : ILanguageDetector
{
    private static readonly (string Module, string Framework)[] s_frameworks =
    [
        ("github.com/gin-gonic/gin", "gin"), ("github.com/labstack/echo", "echo"), ("github.com/gofiber/fiber", "fiber"),
        ("github.com/go-chi/chi", "chi"),
    ];

    public string LookedFor => "Go: go.mod and a 'package main' with func main (root or cmd/*)";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        var goMod = tree.Read("go.mod");
        if (goMod is null)
        {
            return null;
        }

        var candidate = new LanguageCandidate(AppLanguage.Go) { DefaultPort = 8080, PackageManager = "go" };
        var module = ModuleLine().Match(goMod) is { Success: true } m ? m.Groups[1].Value : null;
        candidate.Add("go.mod", module is null ? "Go module" : $"Go module {module}", 0.5);
        candidate.AddManifestIfExists(tree, "go.mod", "go.sum");

        if (GoDirective().Match(goMod) is { Success: true } go)
        {
            candidate.LanguageVersion = go.Groups[1].Value;
            candidate.Add("go.mod", $"go {go.Groups[1].Value}");
        }

        foreach (var (path, framework) in s_frameworks)
        {
            if (goMod.Contains(path, StringComparison.Ordinal))
            {
                candidate.Framework = framework;
                candidate.Add("go.mod", $"requires {path} -> {framework}", 0.2);
                break;
            }
        }

        var sources = tree.FilesWithExtension(4, ".go").Where(f => !f.EndsWith("_test.go", StringComparison.Ordinal)).ToList();
        var mainDirectories = sources
            .Where(f => tree.Read(f) is { } text && PackageMain().IsMatch(text) && text.Contains("func main()", StringComparison.Ordinal))
            .Select(f => f.Contains('/', StringComparison.Ordinal) ? f[..f.LastIndexOf('/')] : ".")
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (mainDirectories.Count == 0)
        {
            candidate.Problem = "go.mod found but no 'package main' with func main() (looked in the root and cmd/*)";
            return candidate;
        }

        var moduleName = module?.Split('/')[^1];
        var chosen = PickMain(mainDirectories, moduleName);
        candidate.EntryPoint = chosen == "." ? "." : "./" + chosen;
        candidate.StartCommand = $"go run {candidate.EntryPoint}";
        var others = mainDirectories.Where(d => d != chosen).ToList();
        candidate.Add(chosen == "." ? "main.go" : chosen, "main package" + (others.Count > 0 ? $" (others: {string.Join(", ", others)})" : ""), 0.2);

        if (candidate.Framework is null && sources.FirstOrDefault(f => tree.Read(f)?.Contains("\"net/http\"", StringComparison.Ordinal) == true) is { } server)
        {
            candidate.Framework = "net/http";
            candidate.Add(server, "imports net/http (standard library server)", 0.1);
        }

        var mainFiles = sources.Where(f => (chosen == "." ? !f.Contains('/', StringComparison.Ordinal) : f.StartsWith(chosen + "/", StringComparison.Ordinal)))
            .Concat(sources).Distinct(StringComparer.Ordinal).ToList();
        candidate.Port = Inference.ProcfileWeb(tree, candidate) is { } procfile ? Inference.PortFromCommand(procfile, "Procfile", candidate) : null;
        candidate.Port ??= Inference.PortFromDotEnv(tree, candidate)
            ?? Inference.PortFromCode(tree, mainFiles, candidate, DefaultPortVariable(), ListenAddress());
        candidate.HealthPath = Inference.HealthPathFromCode(tree, mainFiles, candidate);

        if (tree.FindInFiles(mainFiles.Where(f => f.StartsWith(chosen == "." ? "" : chosen + "/", StringComparison.Ordinal)), HealthCheckFlag()) is { } flag)
        {
            candidate.SupportsSelfHealthCheck = true;
            candidate.Add(flag.File, "binary has a -healthcheck flag (used for HEALTHCHECK in images without a shell)");
        }

        return candidate;
    }

    private static string PickMain(List<string> directories, string? moduleName)
    {
        string[] preferred = [".", $"cmd/{moduleName}", "cmd/server", "cmd/api", "cmd/app", "cmd/web"];
        return preferred.FirstOrDefault(directories.Contains)
            ?? directories.FirstOrDefault(d => d.StartsWith("cmd/", StringComparison.Ordinal))
            ?? directories.OrderBy(SourceTree.Depth).ThenBy(d => d, StringComparer.Ordinal).First();
    }

    [GeneratedRegex(@"^module\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex ModuleLine();

    [GeneratedRegex(@"^go\s+(\d+\.\d+)", RegexOptions.Multiline)]
    private static partial Regex GoDirective();

    [GeneratedRegex(@"^package\s+main\b", RegexOptions.Multiline)]
    private static partial Regex PackageMain();

    [GeneratedRegex(@"(?i)\bport\w*\s*(?:=|:=)\s*""(?<port>\d{2,5})""")]
    private static partial Regex DefaultPortVariable();

    [GeneratedRegex(@"(?:ListenAndServe\w*|\.Run|\.Start|\.Listen|Addr\s*:)\s*\(?\s*""(?:0\.0\.0\.0|127\.0\.0\.1|localhost)?:(?<port>\d{2,5})""")]
    private static partial Regex ListenAddress();

    [GeneratedRegex(@"flag\.\w+\(\s*""healthcheck""")]
    private static partial Regex HealthCheckFlag();
}
