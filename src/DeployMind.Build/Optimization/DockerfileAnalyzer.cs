using System.Text.RegularExpressions;
using DeployMind.Security.Dockerfiles;

namespace DeployMind.Build.Optimization;

/// <summary>
/// Reads a user's Dockerfile and lists what makes the image big, slow to rebuild or unsafe: a single stage carrying the
/// toolchain, a fat base, no .dockerignore, package caches left behind, sources copied before dependencies are installed, root.
/// </summary>
public sealed partial class DockerfileAnalyzer
{
    private static readonly string[] s_slimMarkers = ["alpine", "slim", "distroless", "jre", "busybox", "minimal", "micro", "chiseled", "scratch"];

    /// <summary>Analyzes Dockerfile text; with <paramref name="contextDirectory"/> also checks the build context (.dockerignore).</summary>
    public DockerfileAnalysis Analyze(string dockerfile, string? contextDirectory = null)
    {
        var document = DockerfileParser.Parse(dockerfile);
        var suggestions = new List<OptimizationSuggestion>();
        var final = document.FinalStage;
        if (final is null)
        {
            return new DockerfileAnalysis { Suggestions = [], StageCount = 0, BaseImages = [] };
        }

        var stageNames = document.Stages.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        CheckBaseImages(document, stageNames, suggestions);
        CheckSingleStage(document, final, suggestions);
        CheckLayerOrder(document, suggestions);
        CheckFinalStageRuns(final, suggestions);
        CheckRuntimeSettings(final, suggestions);
        CheckConsecutiveRuns(document, suggestions);
        if (contextDirectory is not null)
        {
            CheckDockerIgnore(contextDirectory, suggestions);
        }

        return new DockerfileAnalysis
        {
            Suggestions = suggestions.OrderByDescending(s => s.Impact).ThenBy(s => s.Line ?? 0).ToList(),
            StageCount = document.Stages.Count,
            BaseImages = document.Stages.Select(s => s.BaseImage).ToList(),
        };
    }

    private static void CheckBaseImages(DockerfileDocument document, HashSet<string> stageNames, List<OptimizationSuggestion> suggestions)
    {
        foreach (var stage in document.Stages)
        {
            if (stageNames.Contains(stage.BaseImage) || stage.BaseImage.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var (name, tag) = SplitImage(stage.BaseImage);
            if (!stage.BaseImage.Contains('@', StringComparison.Ordinal) && (tag is null || tag.Equals("latest", StringComparison.OrdinalIgnoreCase)))
            {
                suggestions.Add(new OptimizationSuggestion
                {
                    Id = "DM-OPT-009", Kind = SuggestionKind.UnpinnedBaseImage, Impact = SuggestionImpact.Medium, Line = stage.From.Line,
                    Title = "Base image not pinned",
                    Reason = $"'{stage.BaseImage}' follows whatever '{tag ?? "latest"}' points to, so the same commit builds different images over time.",
                    Fix = $"pin a version tag, e.g. {name}:<version>-slim (or a digest)",
                    EstimatedGain = "reproducible builds and cache hits",
                });
            }

            if (stage == document.FinalStage && FatBase(name, tag) is { } fat)
            {
                suggestions.Add(new OptimizationSuggestion
                {
                    Id = "DM-OPT-002", Kind = SuggestionKind.FatBaseImage, Impact = SuggestionImpact.High, Line = stage.From.Line,
                    Title = "Fat base image in the runtime stage",
                    Reason = $"'{stage.BaseImage}' is the full distribution image with compilers and tools the running app never uses.",
                    Fix = $"run on {fat.Suggested}",
                    EstimatedGain = fat.Gain,
                });
            }
        }
    }

    private static void CheckSingleStage(DockerfileDocument document, DockerStage final, List<OptimizationSuggestion> suggestions)
    {
        if (document.Stages.Count != 1)
        {
            return;
        }

        var (name, tag) = SplitImage(final.BaseImage);
        var build = final.Instructions.FirstOrDefault(i => i.Keyword == "RUN" && BuildCommand().IsMatch(i.ShellText()));
        var toolchainImage = IsToolchainImage(name, tag);
        if (build is null && !toolchainImage)
        {
            return;
        }

        // Installing runtime dependencies on an already slim interpreter image gains little from a second stage; compiling does.
        var compiles = toolchainImage || final.Instructions.Any(i => i.Keyword == "RUN" && CompileCommand().IsMatch(i.ShellText()));
        suggestions.Add(new OptimizationSuggestion
        {
            Id = "DM-OPT-001", Kind = SuggestionKind.SingleStageToolchain, Impact = compiles ? SuggestionImpact.High : SuggestionImpact.Low, Line = build?.Line ?? final.From.Line,
            Title = "Single stage ships the build toolchain",
            Reason = build is not null
                ? $"dependencies are installed/built ('{Shorten(build.DisplayText())}') in the same image that runs the app, so compilers, package managers and caches stay in it."
                : $"'{final.BaseImage}' is a build image, and it is also the image that runs the app.",
            Fix = "use a multi-stage build: install and build in a 'build' stage, then COPY --from=build only the app and its production dependencies into a small runtime image",
            EstimatedGain = "image typically 60-90% smaller; fewer packages for scanners to flag",
        });
    }

    private static void CheckLayerOrder(DockerfileDocument document, List<OptimizationSuggestion> suggestions)
    {
        foreach (var stage in document.Stages)
        {
            var copyAll = stage.Instructions.FirstOrDefault(i => i.Keyword is "COPY" or "ADD" && CopiesWholeContext(i));
            var installedFirst = copyAll is not null &&
                stage.Instructions.Any(i => i.Keyword == "RUN" && i.Line < copyAll.Line && DependencyInstall().IsMatch(i.ShellText()));
            if (copyAll is null || installedFirst)
            {
                continue;
            }

            var install = stage.Instructions.FirstOrDefault(i => i.Keyword == "RUN" && i.Line > copyAll.Line && DependencyInstall().IsMatch(i.ShellText()));
            if (install is null)
            {
                continue;
            }

            suggestions.Add(new OptimizationSuggestion
            {
                Id = "DM-OPT-005", Kind = SuggestionKind.PoorLayerOrder, Impact = SuggestionImpact.Medium, Line = copyAll.Line,
                Title = "Sources copied before dependencies are installed",
                Reason = $"'{copyAll.Keyword} {copyAll.DisplayText()}' (line {copyAll.Line}) comes before '{Shorten(install.DisplayText())}' (line {install.Line}), " +
                         "so any source change invalidates the dependency layer and every build reinstalls everything.",
                Fix = "COPY only the dependency manifests (package.json + lockfile, requirements.txt, go.mod/go.sum, ...) first, install, then COPY the sources",
                EstimatedGain = "rebuilds after code changes reuse the cached dependency layer (often minutes saved per build)",
            });
        }
    }

    private static void CheckFinalStageRuns(DockerStage final, List<OptimizationSuggestion> suggestions)
    {
        var nodeProduction = false;
        foreach (var instruction in final.Instructions)
        {
            if (instruction.Keyword == "ENV" && NodeEnvProduction().IsMatch(instruction.Arguments))
            {
                nodeProduction = true;
            }

            if (instruction.Keyword == "ADD" && !AddNeedsAdd().IsMatch(instruction.Arguments))
            {
                suggestions.Add(Suggestion("DM-OPT-013", SuggestionKind.AddInsteadOfCopy, SuggestionImpact.Low, instruction.Line,
                    "ADD used for local files", "ADD also fetches URLs and unpacks archives, which makes the instruction's effect less obvious.",
                    "use COPY for local files", "clearer, more predictable layers"));
            }

            if (instruction.Keyword != "RUN")
            {
                continue;
            }

            var script = instruction.ShellText();
            if (AptUpdate().IsMatch(script) && !AptInstall().IsMatch(script))
            {
                suggestions.Add(Suggestion("DM-OPT-004", SuggestionKind.PackageCacheNotCleaned, SuggestionImpact.High, instruction.Line,
                    "'apt-get update' in its own RUN",
                    "the package lists are cached in a separate layer: later installs use stale lists, and the lists (~20-40 MB) stay in the image.",
                    "RUN apt-get update && apt-get install -y --no-install-recommends <packages> && rm -rf /var/lib/apt/lists/*",
                    "~20-40 MB smaller and no stale-cache install failures"));
            }

            if (AptInstall().IsMatch(script))
            {
                if (!script.Contains("/var/lib/apt/lists", StringComparison.Ordinal))
                {
                    suggestions.Add(Suggestion("DM-OPT-004", SuggestionKind.PackageCacheNotCleaned, SuggestionImpact.Medium, instruction.Line,
                        "apt lists not removed", "the apt package lists stay in this layer.",
                        "end the same RUN with && rm -rf /var/lib/apt/lists/*", "~20-40 MB smaller"));
                }

                if (!script.Contains("--no-install-recommends", StringComparison.Ordinal))
                {
                    suggestions.Add(Suggestion("DM-OPT-011", SuggestionKind.InstallsRecommendedPackages, SuggestionImpact.Medium, instruction.Line,
                        "apt-get installs recommended packages", "without --no-install-recommends apt pulls in packages the app does not need.",
                        "apt-get install -y --no-install-recommends <packages>", "often 30-50% fewer installed packages"));
                }
            }

            if (ApkAdd().IsMatch(script) && !script.Contains("--no-cache", StringComparison.Ordinal) && !script.Contains("/var/cache/apk", StringComparison.Ordinal))
            {
                suggestions.Add(Suggestion("DM-OPT-004", SuggestionKind.PackageCacheNotCleaned, SuggestionImpact.Medium, instruction.Line,
                    "apk cache kept", "'apk add' without --no-cache leaves the package index in the image.",
                    "apk add --no-cache <packages>", "a few MB smaller"));
            }

            if (PipInstall().IsMatch(script) && !script.Contains("--no-cache-dir", StringComparison.Ordinal))
            {
                suggestions.Add(Suggestion("DM-OPT-004", SuggestionKind.PackageCacheNotCleaned, SuggestionImpact.Medium, instruction.Line,
                    "pip cache kept", "pip keeps downloaded wheels in ~/.cache/pip inside the layer.",
                    "pip install --no-cache-dir ...", "often 10-100 MB smaller"));
            }

            if (YumInstall().IsMatch(script) && !YumClean().IsMatch(script))
            {
                suggestions.Add(Suggestion("DM-OPT-004", SuggestionKind.PackageCacheNotCleaned, SuggestionImpact.Medium, instruction.Line,
                    "yum/dnf cache kept", "the package manager's metadata and packages stay in the layer.",
                    "end the same RUN with && yum clean all (or dnf clean all)", "tens of MB smaller"));
            }

            if (NpmInstall().Match(script) is { Success: true } npm)
            {
                if (!script.Contains("npm cache clean", StringComparison.Ordinal))
                {
                    suggestions.Add(Suggestion("DM-OPT-004", SuggestionKind.PackageCacheNotCleaned, SuggestionImpact.Low, instruction.Line,
                        "npm cache kept", "npm keeps every downloaded tarball in ~/.npm inside the layer.",
                        "install in a build stage, or end the RUN with && npm cache clean --force", "~10-100 MB smaller"));
                }

                if (!nodeProduction && !NpmProductionFlag().IsMatch(script))
                {
                    suggestions.Add(Suggestion("DM-OPT-012", SuggestionKind.DevDependenciesInImage, SuggestionImpact.Medium, instruction.Line,
                        "devDependencies installed in the runtime image",
                        $"'{npm.Value}' runs before NODE_ENV=production is set and without --omit=dev, so test and build tools ship with the app.",
                        "npm ci --omit=dev in the runtime stage (or prune after building)", "often 30-70% smaller node_modules"));
                }

                if (npm.Groups["verb"].Value == "install")
                {
                    suggestions.Add(Suggestion("DM-OPT-012", SuggestionKind.DevDependenciesInImage, SuggestionImpact.Low, instruction.Line,
                        "'npm install' instead of 'npm ci'", "npm install may resolve different versions than the lockfile and rewrites it.",
                        "npm ci (with a committed package-lock.json)", "reproducible, faster installs"));
                }
            }
        }
    }

    private static void CheckRuntimeSettings(DockerStage final, List<OptimizationSuggestion> suggestions)
    {
        var user = final.Instructions.LastOrDefault(i => i.Keyword == "USER");
        var userName = user?.Arguments.Split(':')[0].Trim();
        if (user is null || userName is "root" or "0")
        {
            suggestions.Add(Suggestion("DM-OPT-006", SuggestionKind.RunsAsRoot, SuggestionImpact.High, user?.Line ?? final.From.Line,
                "Container runs as root",
                user is null ? "the final stage has no USER instruction, so the app runs as root." : $"USER {user.DisplayText()} keeps the app running as root.",
                "create an unprivileged user in the runtime stage and switch to it with USER before CMD",
                "a compromised app cannot modify the image's system files (scanner rule DS-0002, HIGH)"));
        }

        if (!final.Instructions.Any(i => i.Keyword == "HEALTHCHECK"))
        {
            suggestions.Add(Suggestion("DM-OPT-007", SuggestionKind.NoHealthCheck, SuggestionImpact.Low, null,
                "No HEALTHCHECK", "Docker cannot tell a hung app from a healthy one.",
                "HEALTHCHECK CMD [...] probing the app's health endpoint with a tool the image has", "unhealthy containers are detected and restarted sooner"));
        }

        foreach (var command in final.Instructions.Where(i => i.Keyword is "CMD" or "ENTRYPOINT" && !i.IsJsonForm))
        {
            suggestions.Add(Suggestion("DM-OPT-008", SuggestionKind.ShellFormCommand, SuggestionImpact.Medium, command.Line,
                $"{command.Keyword} in shell form",
                $"'{command.Keyword} {command.DisplayText()}' runs under /bin/sh -c, so the app is not PID 1 and does not receive SIGTERM: stops wait for the kill timeout.",
                $"{command.Keyword} [\"executable\", \"arg\", ...]", "graceful shutdown; faster, cleaner deploys and rollbacks"));
        }
    }

    private static void CheckConsecutiveRuns(DockerfileDocument document, List<OptimizationSuggestion> suggestions)
    {
        foreach (var stage in document.Stages)
        {
            var run = new List<DockerInstruction>();
            foreach (var instruction in stage.Instructions.Append(null))
            {
                if (instruction?.Keyword == "RUN")
                {
                    run.Add(instruction);
                    continue;
                }

                if (run.Count >= 2)
                {
                    suggestions.Add(Suggestion("DM-OPT-010", SuggestionKind.ConsecutiveRuns, SuggestionImpact.Low, run[0].Line,
                        $"{run.Count} consecutive RUN instructions",
                        $"lines {string.Join(", ", run.Select(r => r.Line))} each add a layer; files deleted in a later RUN still take space in the earlier one.",
                        "join related commands with && in one RUN", "fewer layers; cleanup actually shrinks the image"));
                }

                run.Clear();
            }
        }
    }

    private static void CheckDockerIgnore(string contextDirectory, List<OptimizationSuggestion> suggestions)
    {
        if (File.Exists(Path.Combine(contextDirectory, ".dockerignore")))
        {
            return;
        }

        var heavy = new[] { "node_modules", ".git", "target", ".venv", "venv", "vendor", "dist", "build" }
            .Where(d => Directory.Exists(Path.Combine(contextDirectory, d))).ToList();
        suggestions.Add(Suggestion("DM-OPT-003", SuggestionKind.MissingDockerIgnore, heavy.Count > 0 ? SuggestionImpact.High : SuggestionImpact.Medium, null,
            "No .dockerignore",
            "the whole directory is sent to the builder and 'COPY .' puts all of it in the image" +
            (heavy.Count > 0 ? $", including {string.Join(", ", heavy)}" : ", including .git, local dependencies and any .env secrets") + ".",
            "add a .dockerignore excluding .git, dependency folders (node_modules, .venv, target), build output and .env files",
            "smaller, faster-to-send build context; no local secrets or host-built binaries in the image"));
    }

    private static OptimizationSuggestion Suggestion(string id, SuggestionKind kind, SuggestionImpact impact, int? line,
        string title, string reason, string fix, string gain) => new()
    {
        Id = id, Kind = kind, Impact = impact, Line = line, Title = title, Reason = reason, Fix = fix, EstimatedGain = gain,
    };

    internal static (string Name, string? Tag) SplitImage(string image)
    {
        var reference = image.Split('@')[0];
        var lastSlash = reference.LastIndexOf('/');
        var colon = reference.IndexOf(':', lastSlash + 1);
        var name = colon < 0 ? reference : reference[..colon];
        var tag = colon < 0 ? null : reference[(colon + 1)..];
        foreach (var prefix in new[] { "docker.io/library/", "docker.io/", "index.docker.io/library/" })
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                name = name[prefix.Length..];
            }
        }

        return (name.ToLowerInvariant(), tag);
    }

    private static bool IsSlim(string? tag) => tag is not null && s_slimMarkers.Any(m => tag.Contains(m, StringComparison.OrdinalIgnoreCase));

    private static bool IsToolchainImage(string name, string? tag) =>
        name is "golang" or "rust" or "maven" or "gradle" or "mcr.microsoft.com/dotnet/sdk" or "composer"
        || (name is "openjdk" or "eclipse-temurin" or "amazoncorretto" && !(tag ?? "").Contains("jre", StringComparison.OrdinalIgnoreCase))
        || (name is "node" or "python" or "ruby" or "php" && !IsSlim(tag));

    /// <summary>A slimmer replacement for a full base image, with the expected gain; null when the image is already small.</summary>
    internal static (string Suggested, string Gain)? FatBase(string name, string? tag)
    {
        if (IsSlim(tag))
        {
            return null;
        }

        var version = tag is null ? null : VersionPrefix().Match(tag) is { Success: true } m ? m.Value : null;
        var v = version ?? "<version>";
        return name switch
        {
            "node" => ($"node:{MajorOnly(v)}-alpine (after a build stage)", $"image ~85% smaller (node:{tag ?? "latest"} ~1.1 GB -> node:{MajorOnly(v)}-alpine ~140 MB)"),
            "python" => ($"python:{v}-slim", $"image ~85% smaller (python:{tag ?? "latest"} ~1 GB -> python:{v}-slim ~130 MB)"),
            "ruby" => ($"ruby:{v}-slim", "image ~80% smaller (~900 MB -> ~200 MB)"),
            "php" => ($"php:{v}-cli-alpine or php:{v}-fpm-alpine", "image ~80% smaller (~500 MB -> ~100 MB)"),
            "golang" => ("gcr.io/distroless/static:nonroot with the binary built in a golang stage", "image ~95-99% smaller (~800 MB -> ~10-20 MB)"),
            "rust" => ("gcr.io/distroless/cc-debian12:nonroot with the binary built in a rust stage", "image ~95% smaller (~1.4 GB -> ~30 MB)"),
            "maven" or "gradle" or "openjdk" or "eclipse-temurin" or "amazoncorretto" => ($"eclipse-temurin:{MajorOnly(v)}-jre-alpine", "image ~60-80% smaller (JDK + build tool -> JRE only)"),
            "mcr.microsoft.com/dotnet/sdk" => ($"mcr.microsoft.com/dotnet/aspnet:{v}-alpine", "image ~85% smaller (~800 MB SDK -> ~110 MB runtime)"),
            "ubuntu" or "debian" or "centos" or "fedora" or "rockylinux" or "almalinux" => ("debian:bookworm-slim, alpine, or the language's slim image", "image ~30-60% smaller"),
            _ => null,
        };
    }

    private static string MajorOnly(string version) => version.Split('.')[0];

    private static bool CopiesWholeContext(DockerInstruction instruction)
    {
        if (instruction.GetFlag("from") is not null)
        {
            return false;
        }

        var parts = instruction.JsonArguments ?? instruction.Command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Where(p => !p.StartsWith("--", StringComparison.Ordinal)).SkipLast(1).Any(s => s is "." or "./" or "*" or "./*");
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    [GeneratedRegex(@"^\d+(\.\d+)?")]
    private static partial Regex VersionPrefix();

    [GeneratedRegex(@"\b(npm\s+(ci|install|i|run\s+build)|yarn(\s+install)?\b|pnpm\s+install|go\s+build|cargo\s+build|mvn\b|gradle\b|\./gradlew|\./mvnw|pip3?\s+install|-m\s+pip\s+install|bundle\s+install|composer\s+install|dotnet\s+(publish|build|restore)|\bmake\b|gcc\b)")]
    private static partial Regex BuildCommand();

    [GeneratedRegex(@"\b(npm\s+run\s+build|yarn\s+(run\s+)?build|pnpm\s+(run\s+)?build|go\s+build|cargo\s+build|mvn\b|gradle\b|\./gradlew|\./mvnw|dotnet\s+(publish|build)|\bmake\b|gcc\b|g\+\+|build-essential|build-base)")]
    private static partial Regex CompileCommand();

    [GeneratedRegex(@"\b(npm\s+(ci|install|i)\b|yarn(\s+install)?\s*($|&&)|pnpm\s+install|pip3?\s+install|-m\s+pip\s+install|poetry\s+install|pipenv\s+install|uv\s+sync|go\s+mod\s+download|go\s+build|bundle\s+install|composer\s+install|mvn\b|gradle\b|dotnet\s+restore|cargo\s+build)")]
    private static partial Regex DependencyInstall();

    [GeneratedRegex(@"\bapt-get\s+update\b|\bapt\s+update\b")]
    private static partial Regex AptUpdate();

    [GeneratedRegex(@"\bapt(-get)?\s+(-\S+\s+)*install\b")]
    private static partial Regex AptInstall();

    [GeneratedRegex(@"\bapk\s+(-\S+\s+)*add\b")]
    private static partial Regex ApkAdd();

    [GeneratedRegex(@"\bpip3?\s+install\b")]
    private static partial Regex PipInstall();

    [GeneratedRegex(@"\b(yum|dnf|microdnf)\s+(-\S+\s+)*install\b")]
    private static partial Regex YumInstall();

    [GeneratedRegex(@"\b(yum|dnf|microdnf)\s+clean\s+all\b")]
    private static partial Regex YumClean();

    [GeneratedRegex(@"\bnpm\s+(?<verb>ci|install|i)\b")]
    private static partial Regex NpmInstall();

    [GeneratedRegex(@"--omit[= ]dev|--production|--only[= ]prod")]
    private static partial Regex NpmProductionFlag();

    [GeneratedRegex(@"NODE_ENV[= ]""?production")]
    private static partial Regex NodeEnvProduction();

    [GeneratedRegex(@"^\S*(https?://|\.tar|\.tgz|\.tar\.gz|\.zip)|--checksum|--keep-git-dir")]
    private static partial Regex AddNeedsAdd();
}
