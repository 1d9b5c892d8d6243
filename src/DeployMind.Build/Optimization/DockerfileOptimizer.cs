using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Build.Detection;
using DeployMind.Build.Generation;
using DeployMind.Domain;
using DeployMind.Security.Dockerfiles;

namespace DeployMind.Build.Optimization;

/// <summary>A rewritten Dockerfile for a user's project, with what was changed and what was kept from the original.</summary>
public sealed record OptimizedDockerfile
{
    public required string Dockerfile { get; init; }

    public required string DockerIgnore { get; init; }

    /// <summary>The analysis of the original Dockerfile.</summary>
    public required DockerfileAnalysis Analysis { get; init; }

    /// <summary>Short names of the optimizations, as stored in build_results.optimizations_applied.</summary>
    public required IReadOnlyList<string> OptimizationsApplied { get; init; }

    /// <summary>What was carried over from the original (EXPOSE, ENV, CMD) and what was deliberately dropped.</summary>
    public required IReadOnlyList<string> Notes { get; init; }
}

/// <summary>
/// Produces an optimized variant of a user's Dockerfile: the generator's multi-stage Dockerfile for the detected language,
/// keeping the user's port, environment and (for interpreted languages) start command.
/// </summary>
public sealed partial class DockerfileOptimizer(DockerfileAnalyzer analyzer, DockerfileGenerator generator)
{
    private static readonly HashSet<string> s_generatorOwnedEnv = new(StringComparer.Ordinal) { "PATH", "PORT", "PYTHONPATH" };

    public DockerfileOptimizer()
        : this(new DockerfileAnalyzer(), new DockerfileGenerator())
    {
    }

    public OptimizedDockerfile Optimize(string originalDockerfile, DetectionReport report, BaseImageMap? images = null, string? contextDirectory = null)
    {
        var analysis = analyzer.Analyze(originalDockerfile, contextDirectory);
        var document = DockerfileParser.Parse(originalDockerfile);
        var final = document.FinalStage;
        var notes = new List<string>();
        var adjusted = report;
        var environment = new List<KeyValuePair<string, string>>();
        IReadOnlyList<string>? command = null;

        if (final is not null)
        {
            var expose = final.Instructions.FirstOrDefault(i => i.Keyword == "EXPOSE");
            if (expose is not null && PortNumber().Match(expose.Arguments) is { Success: true } match &&
                int.TryParse(match.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
            {
                if (port != report.Port)
                {
                    notes.Add($"kept EXPOSE {port} from the original (detection had found {report.Port})");
                }

                adjusted = adjusted with { Port = port };
            }

            foreach (var env in final.Instructions.Where(i => i.Keyword == "ENV"))
            {
                foreach (var pair in ParseEnv(env.Arguments))
                {
                    if (s_generatorOwnedEnv.Contains(pair.Key))
                    {
                        continue;
                    }

                    if (SecretName().IsMatch(pair.Key))
                    {
                        notes.Add($"dropped ENV {pair.Key}: it looks like a secret; pass it at deploy time instead of baking it into the image");
                        continue;
                    }

                    environment.RemoveAll(e => e.Key == pair.Key);
                    environment.Add(pair);
                }
            }

            if (environment.Count > 0)
            {
                notes.Add($"kept ENV {string.Join(", ", environment.Select(e => e.Key))} from the original");
            }

            command = PreservedCommand(final, report, notes);
            if (UserLanguageVersion(document, report) is { } version && version != report.LanguageVersion)
            {
                notes.Add($"kept {report.Language.ToWire()} {version} from the original base image (detection had found {report.LanguageVersion ?? "no version"})");
                adjusted = adjusted with { LanguageVersion = version };
            }
        }

        // Settings the generated Dockerfile already has with the same value are not repeated.
        var plain = generator.Generate(adjusted, images, new DockerfileGenerationOptions { Command = command });
        environment.RemoveAll(e => plain.Dockerfile.Contains($"{e.Key}={e.Value}", StringComparison.Ordinal));
        var generated = generator.Generate(adjusted, images, new DockerfileGenerationOptions { Environment = environment, Command = command });
        notes.AddRange(generated.Notes);
        return new OptimizedDockerfile
        {
            Dockerfile = generated.Dockerfile,
            DockerIgnore = generated.DockerIgnore,
            Analysis = analysis,
            OptimizationsApplied = Applied(analysis, generated),
            Notes = notes,
        };
    }

    /// <summary>The language version of the user's own base image (FROM node:20 -> 20), when it is the language's official image.</summary>
    private static string? UserLanguageVersion(DockerfileDocument document, DetectionReport report)
    {
        var (images, withMinor) = report.Language switch
        {
            AppLanguage.NodeJs => (new[] { "node" }, false),
            AppLanguage.Python => (["python"], true),
            AppLanguage.Go => (["golang"], true),
            AppLanguage.Ruby => (["ruby"], true),
            AppLanguage.Php => (["php"], true),
            AppLanguage.Rust => (["rust"], true),
            AppLanguage.DotNet => (["mcr.microsoft.com/dotnet/sdk", "mcr.microsoft.com/dotnet/aspnet"], true),
            _ => ([], false),
        };
        foreach (var stage in document.Stages.Reverse())
        {
            var (name, tag) = DockerfileAnalyzer.SplitImage(stage.BaseImage);
            if (images.Contains(name) && tag is not null && Inference.VersionFrom(tag, withMinor) is { } version && char.IsAsciiDigit(tag[0]))
            {
                return version;
            }
        }

        return null;
    }

    private static IReadOnlyList<string>? PreservedCommand(DockerStage final, DetectionReport report, List<string> notes)
    {
        var entrypoint = final.Instructions.LastOrDefault(i => i.Keyword == "ENTRYPOINT");
        var cmd = final.Instructions.LastOrDefault(i => i.Keyword == "CMD");
        if (entrypoint is null && cmd is null)
        {
            return null;
        }

        if (report.Language is not (AppLanguage.NodeJs or AppLanguage.Python or AppLanguage.Ruby or AppLanguage.Php))
        {
            notes.Add("replaced the original CMD: a compiled app runs the binary the build stage produced");
            return null;
        }

        var arguments = new List<string>();
        foreach (var instruction in new[] { entrypoint, cmd }.OfType<DockerInstruction>())
        {
            arguments.AddRange(instruction.JsonArguments ?? ExecForm.Parse(instruction.Arguments).Arguments);
        }

        // 'npm start' as PID 1 adds a process that may not pass SIGTERM on; run the start script itself when it is simple.
        if (arguments is ["npm", "start"] or ["npm", "run", "start"] or ["yarn", "start"] or ["pnpm", "start"] &&
            report.Scripts.TryGetValue("start", out var start) && ExecForm.Parse(start) is { Environment.Count: 0 } parsed &&
            parsed.Arguments is not ["sh", "-c", _])
        {
            notes.Add($"CMD '{string.Join(' ', arguments)}' now runs the start script directly ({start}) so the app is PID 1 and receives SIGTERM");
            return parsed.Arguments;
        }

        notes.Add($"kept the original command in exec form: {ExecForm.Json(arguments)}");
        return arguments;
    }

    private static List<string> Applied(DockerfileAnalysis analysis, GeneratedDockerfile generated)
    {
        var applied = new List<string>();
        void AddIf(bool condition, string text)
        {
            if (condition)
            {
                applied.Add(text);
            }
        }

        AddIf(analysis.StageCount < 2, "multi-stage build");
        AddIf(analysis.Has(SuggestionKind.FatBaseImage), $"slim base image ({generated.BaseImages.LastOrDefault().Value})");
        AddIf(analysis.Has(SuggestionKind.PoorLayerOrder), "dependency manifests copied before sources");
        AddIf(analysis.Has(SuggestionKind.RunsAsRoot), "non-root user");
        AddIf(analysis.Has(SuggestionKind.MissingDockerIgnore), ".dockerignore");
        AddIf(analysis.Has(SuggestionKind.PackageCacheNotCleaned), "package caches not kept");
        AddIf(analysis.Has(SuggestionKind.DevDependenciesInImage), "production dependencies only");
        AddIf(analysis.Has(SuggestionKind.ShellFormCommand), "exec-form CMD");
        AddIf(analysis.Has(SuggestionKind.NoHealthCheck) && generated.Dockerfile.Contains("HEALTHCHECK", StringComparison.Ordinal), "HEALTHCHECK");
        AddIf(analysis.Has(SuggestionKind.UnpinnedBaseImage), "pinned base image tags");
        return applied;
    }

    private static IEnumerable<KeyValuePair<string, string>> ParseEnv(string arguments)
    {
        var tokens = ExecForm.Parse(arguments);
        var words = tokens.Arguments is ["sh", "-c", _] ? [] : tokens.Arguments;
        if (words.Count > 0 && tokens.Environment.Count == 0 && !words[0].Contains('=', StringComparison.Ordinal))
        {
            // Legacy form: ENV NAME value with spaces
            var space = arguments.IndexOf(' ', StringComparison.Ordinal);
            return space < 0 ? [] : [new(arguments[..space], arguments[(space + 1)..].Trim())];
        }

        var pairs = new List<KeyValuePair<string, string>>(tokens.Environment);
        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                pairs.Add(new(word[..equals], word[(equals + 1)..]));
            }
        }

        return pairs;
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex PortNumber();

    [GeneratedRegex(@"(?i)(password|passwd|secret|token|api_?key|private_?key|credential)")]
    private static partial Regex SecretName();
}
