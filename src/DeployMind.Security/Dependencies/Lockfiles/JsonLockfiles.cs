using System.Text.Json;

namespace DeployMind.Security.Dependencies.Lockfiles;

internal static class JsonLockfile
{
    private static readonly JsonDocumentOptions s_options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static JsonDocument Load(string text) => JsonDocument.Parse(text, s_options);

    public static string? String(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool Bool(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;

    public static IEnumerable<JsonProperty> Properties(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject()
            : [];

    /// <summary>True for a version a registry serves (starts with a digit), false for file:, git, URLs, workspace links.</summary>
    public static bool IsRegistryVersion(string? version) => version is { Length: > 0 } && char.IsAsciiDigit(version[0]);
}

/// <summary>npm <c>package-lock.json</c> (and <c>npm-shrinkwrap.json</c>), lockfileVersion 1, 2 and 3.</summary>
public sealed class NpmLockfileParser : ILockfileParser
{
    private const string NodeModules = "node_modules/";

    public string Format => "package-lock.json";

    public string Ecosystem => Ecosystems.Npm;

    public bool Matches(string fileName) => fileName is "package-lock.json" or "npm-shrinkwrap.json";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var text = File.ReadAllText(fullPath);
        using var document = JsonLockfile.Load(text);
        var root = document.RootElement;
        var lines = new LineFinder(text);
        var dependencies = new List<Dependency>();
        if (root.TryGetProperty("packages", out var packages) && packages.ValueKind == JsonValueKind.Object)
        {
            var paths = PackagePaths(packages);
            foreach (var entry in packages.EnumerateObject())
            {
                var at = entry.Name.LastIndexOf(NodeModules, StringComparison.Ordinal);
                if (at < 0 || entry.Value.Bool("link"))
                {
                    continue; // the root project, workspace folders and links to them
                }

                var version = entry.Value.String("version");
                var name = entry.Value.String("name") ?? entry.Name[(at + NodeModules.Length)..];
                if (version is not null && version.StartsWith("npm:", StringComparison.Ordinal))
                {
                    (name, version) = SplitAlias(version[4..]);
                }

                if (!JsonLockfile.IsRegistryVersion(version) || (entry.Value.String("resolved")?.StartsWith("file:", StringComparison.Ordinal) ?? false))
                {
                    continue;
                }

                dependencies.Add(new Dependency
                {
                    Ecosystem = Ecosystems.Npm,
                    Name = name,
                    Version = version!,
                    FilePath = displayPath,
                    Line = lines.Find($"\"{entry.Name}\":"),
                    IsDev = entry.Value.Bool("dev") || entry.Value.Bool("devOptional"),
                    DependencyPath = paths.GetValueOrDefault(entry.Name) ?? [],
                });
            }
        }
        else
        {
            ReadV1(root, [], dependencies, displayPath, lines, 1);
        }

        return LockfileParseResult.Of(dependencies);
    }

    private static readonly string[] s_dependencyKinds = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"];

    /// <summary>Dependency paths of lockfileVersion 2/3 entries, resolving each requirement the way Node does (nearest node_modules first).</summary>
    private static Dictionary<string, IReadOnlyList<string>> PackagePaths(JsonElement packages)
    {
        var keys = packages.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var graph = new DependencyGraph<string>();
        foreach (var (key, value) in keys)
        {
            var at = key.LastIndexOf(NodeModules, StringComparison.Ordinal);
            graph.AddNode(key, value.String("name") ?? (at >= 0 ? key[(at + NodeModules.Length)..] : key));
        }

        var projects = new List<string>();
        foreach (var (key, value) in keys)
        {
            if (!key.Contains(NodeModules, StringComparison.Ordinal))
            {
                projects.Add(key); // the root project and workspace folders
            }

            foreach (var kind in s_dependencyKinds)
            {
                foreach (var requirement in value.Properties(kind))
                {
                    if (Resolve(keys, key, requirement.Name) is { } target)
                    {
                        graph.AddEdge(key, target);
                    }
                }
            }
        }

        foreach (var project in projects)
        {
            graph.AddProject(project);
        }

        return graph.ShortestPaths();
    }

    private static string? Resolve(Dictionary<string, JsonElement> keys, string from, string name)
    {
        var current = from;
        while (true)
        {
            var candidate = (current.Length == 0 ? "" : current + "/") + NodeModules + name;
            if (keys.TryGetValue(candidate, out var found))
            {
                // A workspace link points at the folder holding the real package.
                return found.Bool("link") && found.String("resolved") is { } target && keys.ContainsKey(target) ? target : candidate;
            }

            if (current.Length == 0)
            {
                return null;
            }

            var parent = current.LastIndexOf("/" + NodeModules, StringComparison.Ordinal);
            current = parent < 0 ? "" : current[..parent];
        }
    }

    private static void ReadV1(JsonElement parent, List<string> path, List<Dependency> into, string displayPath, LineFinder lines, int fromLine)
    {
        foreach (var entry in parent.Properties("dependencies"))
        {
            var name = entry.Name;
            var version = entry.Value.String("version");
            if (version is not null && version.StartsWith("npm:", StringComparison.Ordinal))
            {
                (name, version) = SplitAlias(version[4..]);
            }

            var line = lines.Find($"\"{entry.Name}\": {{", fromLine) ?? fromLine;
            var here = new List<string>(path) { name };
            if (JsonLockfile.IsRegistryVersion(version))
            {
                into.Add(new Dependency
                {
                    Ecosystem = Ecosystems.Npm,
                    Name = name,
                    Version = version!,
                    FilePath = displayPath,
                    Line = line,
                    IsDev = entry.Value.Bool("dev"),
                    DependencyPath = here,
                });
            }

            ReadV1(entry.Value, here, into, displayPath, lines, line);
        }
    }

    private static (string Name, string Version) SplitAlias(string spec)
    {
        var at = spec.LastIndexOf('@');
        return at > 0 ? (spec[..at], spec[(at + 1)..]) : (spec, "");
    }
}

/// <summary>Pipenv <c>Pipfile.lock</c>: <c>default</c> and <c>develop</c> pins.</summary>
public sealed class PipfileLockParser : ILockfileParser
{
    public string Format => "Pipfile.lock";

    public string Ecosystem => Ecosystems.PyPI;

    public bool Matches(string fileName) => fileName == "Pipfile.lock";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var text = File.ReadAllText(fullPath);
        using var document = JsonLockfile.Load(text);
        var lines = new LineFinder(text);
        var dependencies = new List<Dependency>();
        foreach (var (section, isDev) in new[] { ("default", false), ("develop", true) })
        {
            var sectionLine = lines.Find($"\"{section}\":") ?? 1;
            foreach (var entry in document.RootElement.Properties(section))
            {
                var pin = entry.Value.String("version");
                if (pin is null || !pin.StartsWith("==", StringComparison.Ordinal))
                {
                    continue; // git/path/editable entries have no registry version
                }

                dependencies.Add(new Dependency
                {
                    Ecosystem = Ecosystems.PyPI,
                    Name = entry.Name,
                    Version = pin.TrimStart('=').Trim(),
                    FilePath = displayPath,
                    Line = lines.Find($"\"{entry.Name}\":", sectionLine),
                    IsDev = isDev,
                });
            }
        }

        return LockfileParseResult.Of(dependencies);
    }
}

/// <summary>Composer <c>composer.lock</c>: <c>packages</c> and <c>packages-dev</c>.</summary>
public sealed class ComposerLockParser : ILockfileParser
{
    public string Format => "composer.lock";

    public string Ecosystem => Ecosystems.Packagist;

    public bool Matches(string fileName) => fileName == "composer.lock";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var text = File.ReadAllText(fullPath);
        using var document = JsonLockfile.Load(text);
        var lines = new LineFinder(text);
        var dependencies = new List<Dependency>();
        var graph = new DependencyGraph<string>();
        foreach (var section in new[] { "packages", "packages-dev" })
        {
            if (document.RootElement.TryGetProperty(section, out var all) && all.ValueKind == JsonValueKind.Array)
            {
                foreach (var package in all.EnumerateArray())
                {
                    if (package.String("name") is { } from)
                    {
                        graph.AddNode(from.ToLowerInvariant(), from);
                        foreach (var requirement in package.Properties("require"))
                        {
                            graph.AddEdge(from.ToLowerInvariant(), requirement.Name.ToLowerInvariant());
                        }
                    }
                }
            }
        }

        var paths = graph.ShortestPaths();
        var problems = new List<ScanProblem>();
        foreach (var (section, isDev) in new[] { ("packages", false), ("packages-dev", true) })
        {
            if (!document.RootElement.TryGetProperty(section, out var list) || list.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var package in list.EnumerateArray())
            {
                var name = package.String("name");
                var version = package.String("version");
                if (name is null || version is null)
                {
                    continue;
                }

                if (version.StartsWith("dev-", StringComparison.Ordinal) || version.EndsWith("-dev", StringComparison.Ordinal))
                {
                    problems.Add(new ScanProblem(displayPath, lines.Find($"\"name\": \"{name}\""),
                        $"not checkable: {name} is locked to the branch '{version}', not a released version"));
                    continue;
                }

                dependencies.Add(new Dependency
                {
                    Ecosystem = Ecosystems.Packagist,
                    Name = name,
                    Version = version.TrimStart('v', 'V'),
                    FilePath = displayPath,
                    Line = lines.Find($"\"name\": \"{name}\""),
                    IsDev = isDev,
                    DependencyPath = paths.GetValueOrDefault(name.ToLowerInvariant()) ?? [],
                });
            }
        }

        return LockfileParseResult.Of(dependencies, problems);
    }
}

/// <summary>NuGet <c>packages.lock.json</c>; one dependency per (name, version) across target frameworks.</summary>
public sealed class NuGetLockParser : ILockfileParser
{
    public string Format => "packages.lock.json";

    public string Ecosystem => Ecosystems.NuGet;

    public bool Matches(string fileName) => fileName == "packages.lock.json";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var text = File.ReadAllText(fullPath);
        using var document = JsonLockfile.Load(text);
        var lines = new LineFinder(text);
        var seen = new HashSet<(string, string)>();
        var dependencies = new List<(Dependency Dependency, string Framework)>();
        var graphs = new Dictionary<string, DependencyGraph<string>>(StringComparer.Ordinal);
        foreach (var framework in document.RootElement.Properties("dependencies"))
        {
            if (framework.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var graph = new DependencyGraph<string>();
            graphs[framework.Name] = graph;
            foreach (var package in framework.Value.EnumerateObject())
            {
                var key = package.Name.ToLowerInvariant();
                graph.AddNode(key, package.Name);
                foreach (var requirement in package.Value.Properties("dependencies"))
                {
                    graph.AddEdge(key, requirement.Name.ToLowerInvariant());
                }

                if (package.Value.String("type") == "Direct")
                {
                    graph.AddRoot(key);
                }
            }

            foreach (var package in framework.Value.EnumerateObject())
            {
                var version = package.Value.String("resolved");
                if (package.Value.String("type") == "Project" || version is null
                    || !seen.Add((package.Name.ToLowerInvariant(), version.ToLowerInvariant())))
                {
                    continue;
                }

                dependencies.Add((new Dependency
                {
                    Ecosystem = Ecosystems.NuGet,
                    Name = package.Name,
                    Version = version,
                    FilePath = displayPath,
                    Line = lines.Find($"\"{package.Name}\": {{"),
                }, framework.Name));
            }
        }

        var paths = graphs.ToDictionary(g => g.Key, g => g.Value.ShortestPaths());
        return LockfileParseResult.Of(dependencies.Select(d => d.Dependency with
        {
            DependencyPath = paths[d.Framework].GetValueOrDefault(d.Dependency.Name.ToLowerInvariant()) ?? [],
        }));
    }
}
