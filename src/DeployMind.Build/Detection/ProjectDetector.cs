using DeployMind.Domain;

namespace DeployMind.Build.Detection;

/// <summary>Works out an application's language, framework, start command, port and health path from its files.</summary>
public sealed class ProjectDetector
{
    private const string HowToConfigure =
        "set the build directory to the application's folder (monorepos), or add a Dockerfile, or set the start command and port " +
        "in the deployment configuration (DetectionOptions.StartCommand / Port)";

    private static readonly ILanguageDetector[] s_detectors =
    [
        new NodeDetector(), new PythonDetector(), new GoDetector(), new JavaDetector(), new DotNetDetector(),
        new RubyDetector(), new RustDetector(), new PhpDetector(), new StaticSiteDetector(),
    ];

    private static readonly string[] s_monorepoFolders = ["apps", "services", "packages", "cmd", "src", "backend", "frontend", "web", "api", "server"];

    /// <summary>Detects the application in <paramref name="repositoryRoot"/> (or its configured build directory).</summary>
    /// <exception cref="AppNotDetectedException">No language matched, or the best match cannot be started.</exception>
    public DetectionReport Detect(string repositoryRoot, DetectionOptions? options = null)
    {
        options ??= DetectionOptions.Default;
        var buildDirectory = NormalizeBuildDirectory(options.BuildDirectory);
        var directory = Path.GetFullPath(Path.Combine(repositoryRoot, buildDirectory));
        if (!Directory.Exists(directory))
        {
            throw new InvalidInputException("build_directory",
                $"build directory '{buildDirectory}' does not exist under {repositoryRoot}; set it relative to the repository root");
        }

        var tree = new SourceTree(directory);
        var candidates = s_detectors.Select(d => d.Detect(tree)).OfType<LanguageCandidate>()
            .OrderByDescending(c => c.StartCommand is not null || options.StartCommand is not null)
            .ThenByDescending(c => c.Confidence)
            .ToList();
        if (candidates.Count == 0)
        {
            var hints = SubdirectoryHints(directory);
            var reason = hints.Count == 0
                ? "no manifest or entry file of a supported language was found"
                : $"nothing at this level, but applications seem to live in: {string.Join(", ", hints)}";
            throw new AppNotDetectedException(directory, reason, s_detectors.Select(d => d.LookedFor).ToList(), HowToConfigure);
        }

        var best = candidates[0];
        if (best.StartCommand is null && options.StartCommand is null)
        {
            throw new AppNotDetectedException(directory,
                $"found a {best.Language.ToWire()} project but cannot tell how to start it: {best.Problem}",
                s_detectors.Select(d => d.LookedFor).ToList(),
                "add a start script (e.g. package.json scripts.start) or a Procfile 'web:' line, or set the start command in the deployment configuration");
        }

        return ToReport(best, candidates.Skip(1), options, buildDirectory) with
        {
            ExistingDockerfile = tree.Exists("Dockerfile") ? "Dockerfile" : null,
        };
    }

    private static DetectionReport ToReport(LanguageCandidate best, IEnumerable<LanguageCandidate> others, DetectionOptions options, string buildDirectory)
    {
        var evidence = new List<Evidence>(best.Evidence);
        var startCommand = best.StartCommand!;
        if (options.StartCommand is not null)
        {
            startCommand = options.StartCommand;
            evidence.Add(new Evidence("configuration", $"start command set to '{startCommand}'"));
        }

        int port;
        if (options.Port is { } configuredPort)
        {
            port = configuredPort;
            evidence.Add(new Evidence("configuration", $"port set to {port}"));
        }
        else if (best.Port is { } foundPort)
        {
            port = foundPort;
        }
        else
        {
            port = best.DefaultPort;
            evidence.Add(new Evidence("(default)", $"no port found in code, scripts, Procfile or config; {best.Framework ?? best.Language.ToWire()} default {port}"));
        }

        string healthPath;
        if (options.HealthPath is not null)
        {
            healthPath = options.HealthPath;
            evidence.Add(new Evidence("configuration", $"health path set to {healthPath}"));
        }
        else if (best.HealthPath is not null)
        {
            healthPath = best.HealthPath;
        }
        else
        {
            healthPath = "/";
            evidence.Add(new Evidence("(default)", "no health route found; probing / (add a /health route for better checks)"));
        }

        var confidence = best.Confidence;
        if (best.Port is null && options.Port is null)
        {
            confidence -= 0.05;
        }

        return new DetectionReport
        {
            Language = best.Language,
            Framework = best.Framework,
            PackageManager = best.PackageManager,
            LanguageVersion = best.LanguageVersion,
            StartCommand = startCommand,
            EntryPoint = best.EntryPoint,
            Port = port,
            HealthPath = healthPath,
            SupportsSelfHealthCheck = best.SupportsSelfHealthCheck,
            HasNoDependencies = best.HasNoDependencies,
            BuildDirectory = buildDirectory,
            Confidence = Math.Round(Math.Clamp(confidence, 0.05, 1.0), 2),
            Evidence = evidence,
            Manifests = best.Manifests,
            Scripts = best.Scripts,
            Alternatives = others.Select(o => $"{o.Language.ToWire()} ({o.Confidence:0.00})").ToList(),
        };
    }

    private static string NormalizeBuildDirectory(string? value)
    {
        var trimmed = (value ?? ".").Replace('\\', '/').Trim().Trim('/');
        if (trimmed.Length == 0 || trimmed == ".")
        {
            return ".";
        }

        if (Path.IsPathRooted(value) || trimmed.Split('/').Contains(".."))
        {
            throw new InvalidInputException("build_directory",
                $"build directory '{value}' must be a folder inside the repository, relative to its root (e.g. apps/api)");
        }

        return trimmed.StartsWith("./", StringComparison.Ordinal) ? trimmed[2..] : trimmed;
    }

    /// <summary>Applications one or two levels down, to point monorepo users at the build directory setting.</summary>
    private static List<string> SubdirectoryHints(string directory)
    {
        var hints = new List<string>();
        var folders = Directory.EnumerateDirectories(directory)
            .SelectMany(d => s_monorepoFolders.Contains(Path.GetFileName(d)) ? Directory.EnumerateDirectories(d).Prepend(d) : [d]);
        foreach (var folder in folders.Where(f => !Path.GetFileName(f).StartsWith('.')).Take(60))
        {
            var tree = new SourceTree(folder);
            var found = s_detectors.Select(d => d.Detect(tree)).OfType<LanguageCandidate>().MaxBy(c => c.Confidence);
            if (found is not null)
            {
                hints.Add($"{Path.GetRelativePath(directory, folder).Replace('\\', '/')} ({found.Language.ToWire()})");
            }
        }

        return hints;
    }
}
