using System.Text.Json;
using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

internal sealed partial class NodeDetector : ILanguageDetector
{
    private static readonly (string Package, string Framework)[] s_frameworks =
    [
        ("@nestjs/core", "nestjs"), ("next", "next"), ("fastify", "fastify"), ("koa", "koa"),
        ("@hapi/hapi", "hapi"), ("hapi", "hapi"), ("express", "express"),
    ];

    private static readonly string[] s_mainFiles =
        ["server.js", "index.js", "app.js", "main.js", "server.mjs", "index.mjs", "src/server.js", "src/index.js", "src/app.js", "src/main.js"];

    internal static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public string LookedFor => "Node.js: package.json (framework from dependencies, scripts.start or main, lockfile for npm/yarn/pnpm)";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        var text = tree.Read("package.json");
        if (text is null)
        {
            return null;
        }

        JsonElement package;
        try
        {
            using var document = JsonDocument.Parse(text, JsonOptions);
            package = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            var broken = new LanguageCandidate(AppLanguage.NodeJs) { Problem = $"package.json is not valid JSON ({e.Message})" };
            broken.Add("package.json", "present but not valid JSON", 0.3);
            return broken;
        }

        if (package.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var candidate = new LanguageCandidate(AppLanguage.NodeJs) { DefaultPort = 3000 };
        candidate.Add("package.json", "Node.js manifest", 0.4);
        candidate.AddManifestIfExists(tree, "package.json");

        var dependencies = Names(package, "dependencies").Concat(Names(package, "devDependencies")).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, framework) in s_frameworks)
        {
            if (dependencies.Contains(name))
            {
                candidate.Framework = framework;
                candidate.Add("package.json", $"depends on {name} -> {framework}", 0.3);
                break;
            }
        }

        DetectPackageManager(tree, package, candidate);
        DetectVersion(tree, package, candidate);

        if (package.TryGetProperty("scripts", out var scripts) && scripts.ValueKind == JsonValueKind.Object)
        {
            foreach (var script in scripts.EnumerateObject().Where(s => s.Value.ValueKind == JsonValueKind.String))
            {
                candidate.Scripts[script.Name] = script.Value.GetString()!;
            }
        }

        DetectStart(tree, package, candidate);

        var sources = tree.FilesWithExtension(2, ".js", ".mjs", ".cjs", ".ts")
            .Where(f => !f.Contains(".test.", StringComparison.Ordinal) && !f.Contains(".spec.", StringComparison.Ordinal))
            .ToList();
        if (candidate.EntryPoint is not null && tree.Exists(candidate.EntryPoint))
        {
            sources.Remove(candidate.EntryPoint);
            sources.Insert(0, candidate.EntryPoint);
        }

        candidate.Port = Inference.PortFromCommand(candidate.StartCommand, "package.json", candidate)
            ?? Inference.PortFromDotEnv(tree, candidate)
            ?? Inference.PortFromCode(tree, sources, candidate, EnvDefaultPort(), ListenPort(), PortOption(), PortConstant());
        candidate.HealthPath = Inference.HealthPathFromCode(tree, sources, candidate);
        return candidate;
    }

    internal static void DetectPackageManager(SourceTree tree, JsonElement package, LanguageCandidate candidate)
    {
        (string File, string Manager)[] lockfiles = [("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("package-lock.json", "npm"), ("npm-shrinkwrap.json", "npm")];
        foreach (var (file, manager) in lockfiles)
        {
            if (tree.Exists(file))
            {
                candidate.PackageManager = manager;
                candidate.Add(file, $"lockfile -> {manager}", 0.1);
                candidate.AddManifestIfExists(tree, file);
                break;
            }
        }

        if (candidate.PackageManager is null && package.TryGetProperty("packageManager", out var declared) && declared.ValueKind == JsonValueKind.String)
        {
            var name = declared.GetString()!.Split('@')[0];
            if (name is "npm" or "yarn" or "pnpm")
            {
                candidate.PackageManager = name;
                candidate.Add("package.json", $"packageManager field -> {name}");
            }
        }

        if (candidate.PackageManager is null)
        {
            candidate.PackageManager = "npm";
            candidate.Add("package.json", "no lockfile; assuming npm (npm install, not reproducible)");
        }

        candidate.AddManifestIfExists(tree, ".npmrc", ".yarnrc", ".yarnrc.yml", "pnpm-workspace.yaml");
    }

    internal static void DetectVersion(SourceTree tree, JsonElement package, LanguageCandidate candidate)
    {
        foreach (var file in new[] { ".nvmrc", ".node-version" })
        {
            var version = Inference.VersionFrom(tree.Read(file)?.Trim(), withMinor: false);
            if (version is not null)
            {
                candidate.LanguageVersion = version;
                candidate.Add(file, $"Node.js {version}");
                return;
            }
        }

        if (package.TryGetProperty("engines", out var engines) && engines.ValueKind == JsonValueKind.Object &&
            engines.TryGetProperty("node", out var node) && node.ValueKind == JsonValueKind.String &&
            Inference.VersionFrom(node.GetString(), withMinor: false) is { } fromEngines)
        {
            candidate.LanguageVersion = fromEngines;
            candidate.Add("package.json", $"engines.node '{node.GetString()}' -> Node.js {fromEngines}");
        }
    }

    private static void DetectStart(SourceTree tree, JsonElement package, LanguageCandidate candidate)
    {
        if (Inference.ProcfileWeb(tree, candidate) is { } procfile)
        {
            candidate.StartCommand = procfile;
        }
        else if (candidate.Scripts.TryGetValue("start", out var start))
        {
            candidate.StartCommand = start;
            candidate.Add("package.json", $"scripts.start: {start}", 0.1);
        }
        else if (candidate.Framework == "next")
        {
            candidate.StartCommand = "next start";
            candidate.Add("package.json", "no scripts.start; Next.js apps start with 'next start'");
        }
        else if (candidate.Framework == "nestjs" && candidate.Scripts.ContainsKey("build"))
        {
            candidate.StartCommand = "node dist/main.js";
            candidate.Add("package.json", "no scripts.start; NestJS builds to dist/main.js");
        }
        else if (package.TryGetProperty("main", out var main) && main.ValueKind == JsonValueKind.String && tree.Exists(main.GetString()!))
        {
            candidate.StartCommand = $"node {main.GetString()}";
            candidate.Add("package.json", $"no scripts.start; using main '{main.GetString()}'");
        }
        else if (s_mainFiles.FirstOrDefault(tree.Exists) is { } file)
        {
            candidate.StartCommand = $"node {file}";
            candidate.Add(file, "no scripts.start or main; using the conventional entry file");
        }
        else
        {
            candidate.Confidence = Math.Min(candidate.Confidence, 0.3);
            candidate.Problem = "package.json has no scripts.start, no main, and none of " + string.Join(", ", s_mainFiles) + " exists";
            return;
        }

        var entry = NodeEntry().Match(candidate.StartCommand);
        if (entry.Success)
        {
            candidate.EntryPoint = entry.Groups["file"].Value;
        }
    }

    internal static IEnumerable<string> Names(JsonElement package, string property) =>
        package.TryGetProperty(property, out var section) && section.ValueKind == JsonValueKind.Object
            ? section.EnumerateObject().Select(p => p.Name)
            : [];

    [GeneratedRegex(@"^node\s+(?:--?[\w-]+(?:=\S+)?\s+)*(?<file>[\w./-]+\.(?:js|mjs|cjs))\b")]
    private static partial Regex NodeEntry();

    [GeneratedRegex(@"process\.env\.PORT\s*(?:\|\||\?\?)\s*['""]?(?<port>\d{2,5})")]
    private static partial Regex EnvDefaultPort();

    [GeneratedRegex(@"(?:server|listen|createServer)\s*\(\s*\{[^}]*?\bport\s*:\s*(?<port>\d{2,5})\b")]
    private static partial Regex PortOption();

    [GeneratedRegex(@"(?i)\b(?:const|let|var)\s+port\s*=\s*(?:[^;\n]*(?:\|\||\?\?)\s*)?['""]?(?<port>\d{2,5})\b")]
    private static partial Regex PortConstant();

    [GeneratedRegex(@"\.listen\(\s*(?:\{\s*port:\s*)?(?<port>\d{2,5})\b")]
    private static partial Regex ListenPort();
}
