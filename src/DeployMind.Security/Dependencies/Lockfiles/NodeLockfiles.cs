using YamlDotNet.RepresentationModel;

namespace DeployMind.Security.Dependencies.Lockfiles;

/// <summary>
/// Yarn <c>yarn.lock</c>: classic (v1, its own format) and berry (v2+, YAML). Only registry packages count:
/// git, tarball-URL, <c>file:</c>, <c>patch:</c> and workspace entries are skipped; <c>npm:</c> aliases resolve to the real name.
/// </summary>
public sealed class YarnLockParser : ILockfileParser
{
    public string Format => "yarn.lock";

    public string Ecosystem => Ecosystems.Npm;

    public bool Matches(string fileName) => fileName == "yarn.lock";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var text = File.ReadAllText(fullPath);
        var berry = text.Contains("\n__metadata:", StringComparison.Ordinal) || text.StartsWith("__metadata:", StringComparison.Ordinal);
        var entries = berry ? ReadBerry(text) : ReadClassic(text);

        var graph = new DependencyGraph<int>();
        var bySpec = new Dictionary<string, int>(StringComparer.Ordinal);
        var packages = new (string Name, string Version)?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            packages[i] = berry ? BerryPackage(entries[i]) : ClassicPackage(entries[i]);
            graph.AddNode(i, packages[i]?.Name ?? SpecName(entries[i].Specs[0]));
            foreach (var spec in entries[i].Specs)
            {
                bySpec.TryAdd(spec, i);
            }
        }

        for (var i = 0; i < entries.Count; i++)
        {
            foreach (var (name, range) in entries[i].Requirements)
            {
                var spec = berry && !range.Contains(':', StringComparison.Ordinal) ? $"{name}@npm:{range}" : $"{name}@{range}";
                if (bySpec.TryGetValue(spec, out var target))
                {
                    graph.AddEdge(i, target);
                }
            }
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Resolved?.Contains("@workspace:", StringComparison.Ordinal) == true)
            {
                graph.AddProject(i);
            }
        }

        var paths = graph.ShortestPaths();
        var dependencies = new List<Dependency>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (packages[i] is { } package)
            {
                dependencies.Add(new Dependency
                {
                    Ecosystem = Ecosystems.Npm,
                    Name = package.Name,
                    Version = package.Version,
                    FilePath = displayPath,
                    Line = entries[i].Line,
                    DependencyPath = paths.GetValueOrDefault(i) ?? [],
                });
            }
        }

        return LockfileParseResult.Of(dependencies);
    }

    /// <summary>One lockfile entry: the specs it satisfies, what it resolved to and what it requires.</summary>
    private sealed record YarnEntry(List<string> Specs, int Line)
    {
        public string? Version { get; set; }

        public string? Resolved { get; set; }

        public List<(string Name, string Range)> Requirements { get; } = [];
    }

    private static List<YarnEntry> ReadBerry(string text)
    {
        var entries = new List<YarnEntry>();
        foreach (var (key, value) in YamlFile.LoadMapping(text).Children)
        {
            if (key is not YamlScalarNode { Value: { } header } || header == "__metadata" || value is not YamlMappingNode mapping)
            {
                continue;
            }

            var entry = new YarnEntry([.. header.Split(',').Select(spec => spec.Trim())], (int)key.Start.Line)
            {
                Version = YamlFile.Scalar(mapping, "version"),
                Resolved = YamlFile.Scalar(mapping, "resolution"),
            };
            foreach (var kind in new[] { "dependencies", "optionalDependencies" })
            {
                if (mapping.Children.TryGetValue(new YamlScalarNode(kind), out var node) && node is YamlMappingNode requirements)
                {
                    foreach (var (name, range) in requirements.Children)
                    {
                        if (name is YamlScalarNode { Value: { } n } && range is YamlScalarNode { Value: { } r })
                        {
                            entry.Requirements.Add((n, r));
                        }
                    }
                }
            }

            entries.Add(entry);
        }

        return entries;
    }

    private static List<YarnEntry> ReadClassic(string text)
    {
        var entries = new List<YarnEntry>();
        YarnEntry? current = null;
        var inRequirements = false;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]))
            {
                if (!line.EndsWith(':'))
                {
                    throw new LockfileFormatException($"a yarn.lock entry header must end with ':': '{line}'", i + 1);
                }

                current = new YarnEntry([.. line[..^1].Split(',').Select(spec => spec.Trim().Trim('"'))], i + 1);
                entries.Add(current);
                inRequirements = false;
                continue;
            }

            if (current is null)
            {
                throw new LockfileFormatException($"an indented line outside any entry: '{line.Trim()}'", i + 1);
            }

            var trimmed = line.Trim();
            if (!line.StartsWith("   ", StringComparison.Ordinal))
            {
                inRequirements = trimmed is "dependencies:" or "optionalDependencies:";
                if (trimmed.StartsWith("version ", StringComparison.Ordinal))
                {
                    current.Version = trimmed[8..].Trim().Trim('"');
                }
                else if (trimmed.StartsWith("resolved ", StringComparison.Ordinal))
                {
                    current.Resolved = trimmed[9..].Trim().Trim('"');
                }
            }
            else if (inRequirements)
            {
                var split = trimmed.StartsWith('"') ? trimmed.IndexOf('"', 1) + 1 : trimmed.IndexOf(' ', StringComparison.Ordinal);
                if (split > 0 && split < trimmed.Length)
                {
                    current.Requirements.Add((trimmed[..split].Trim('"'), trimmed[split..].Trim().Trim('"')));
                }
            }
        }

        return entries;
    }

    // resolution: "name@npm:1.2.3" (registry); anything else (workspace:, patch:, git URLs) is not a registry package.
    private static (string Name, string Version)? BerryPackage(YarnEntry entry)
    {
        var resolution = entry.Resolved ?? "";
        var marker = resolution.IndexOf("@npm:", 1, StringComparison.Ordinal);
        var version = marker < 0 ? null : resolution[(marker + 5)..];
        return JsonLockfile.IsRegistryVersion(version) ? (resolution[..marker], version!) : null;
    }

    private static (string Name, string Version)? ClassicPackage(YarnEntry entry)
    {
        var spec = entry.Specs[0];
        var at = spec.IndexOf('@', 1);
        if (at < 0 || !JsonLockfile.IsRegistryVersion(entry.Version))
        {
            return null;
        }

        var name = spec[..at];
        var range = spec[(at + 1)..];
        if (range.StartsWith("npm:", StringComparison.Ordinal))
        {
            var aliasAt = range.IndexOf('@', 5);
            name = aliasAt > 0 ? range[4..aliasAt] : range[4..];
            range = aliasAt > 0 ? range[(aliasAt + 1)..] : "";
        }

        // Registry tarballs are served at ".../<name>/-/<name>-<version>.tgz"; git, codeload and archive URLs are not.
        if (entry.Resolved is not null ? !entry.Resolved.Contains("/-/", StringComparison.Ordinal) : IsNonRegistry(range))
        {
            return null;
        }

        return (name, entry.Version!);
    }

    private static string SpecName(string spec)
    {
        var at = spec.IndexOf('@', 1);
        return at > 0 ? spec[..at] : spec;
    }

    private static bool IsNonRegistry(string s) =>
        s.StartsWith("git", StringComparison.Ordinal) || s.StartsWith("ssh:", StringComparison.Ordinal)
        || s.StartsWith("file:", StringComparison.Ordinal) || s.StartsWith("link:", StringComparison.Ordinal)
        || s.StartsWith("github:", StringComparison.Ordinal) || s.Contains("codeload.github.com", StringComparison.Ordinal)
        || s.Contains(".git#", StringComparison.Ordinal) || (s.Contains('/') && s.Contains('#') && !s.StartsWith("http", StringComparison.Ordinal))
        || (!s.StartsWith("http", StringComparison.Ordinal) && s.Contains('/') && !s.Contains(' ') && char.IsAsciiLetter(s.FirstOrDefault()));
}

/// <summary>pnpm <c>pnpm-lock.yaml</c>, lockfileVersion 5.x (<c>/name/1.0.0</c>), 6.x (<c>/name@1.0.0</c>) and 9.x (<c>name@1.0.0</c>).</summary>
public sealed class PnpmLockParser : ILockfileParser
{
    public string Format => "pnpm-lock.yaml";

    public string Ecosystem => Ecosystems.Npm;

    public bool Matches(string fileName) => fileName == "pnpm-lock.yaml";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var root = YamlFile.LoadMapping(File.ReadAllText(fullPath));
        var lockfileVersion = YamlFile.Scalar(root, "lockfileVersion") ?? "";
        var slashStyle = lockfileVersion.StartsWith('5') || lockfileVersion.StartsWith('4') || lockfileVersion.StartsWith('3');
        var dependencies = new List<Dependency>();
        if (!root.Children.TryGetValue(new YamlScalarNode("packages"), out var packagesNode) || packagesNode is not YamlMappingNode packages)
        {
            return LockfileParseResult.Of(dependencies);
        }

        var graph = new DependencyGraph<string>();
        var entries = new List<(YamlScalarNode KeyNode, string Name, string Version, YamlMappingNode? Entry)>();
        foreach (var (keyNode, value) in packages.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                continue;
            }

            var (name, version) = SplitKey(key, slashStyle);
            if (name.Length == 0)
            {
                continue;
            }

            graph.AddNode($"{name}@{version}", name);
            entries.Add(((YamlScalarNode)keyNode, name, version, value as YamlMappingNode));
        }

        // Requirements live on the package entries (5.x, 6.x) or on the snapshots (9.x).
        foreach (var section in new[] { "packages", "snapshots" })
        {
            if (root.Children.TryGetValue(new YamlScalarNode(section), out var node) && node is YamlMappingNode mapping)
            {
                foreach (var (keyNode, value) in mapping.Children)
                {
                    if (keyNode is YamlScalarNode { Value: { } key } && value is YamlMappingNode entry && SplitKey(key, slashStyle) is { Name.Length: > 0 } from)
                    {
                        foreach (var (name, version) in Requirements(entry, slashStyle))
                        {
                            graph.AddEdge($"{from.Name}@{from.Version}", $"{name}@{version}");
                        }
                    }
                }
            }
        }

        var importers = root.Children.TryGetValue(new YamlScalarNode("importers"), out var importersNode) && importersNode is YamlMappingNode i
            ? i.Children.Values.OfType<YamlMappingNode>().ToList()
            : [root];
        foreach (var importer in importers)
        {
            foreach (var (name, version) in Requirements(importer, slashStyle))
            {
                graph.AddRoot($"{name}@{version}");
            }
        }

        var paths = graph.ShortestPaths();
        foreach (var (keyNode, name, version, entry) in entries)
        {
            if (!JsonLockfile.IsRegistryVersion(version))
            {
                continue;
            }

            dependencies.Add(new Dependency
            {
                Ecosystem = Ecosystems.Npm,
                Name = name,
                Version = version,
                FilePath = displayPath,
                Line = (int)keyNode.Start.Line,
                IsDev = entry is not null && YamlFile.Scalar(entry, "dev") == "true",
                DependencyPath = paths.GetValueOrDefault($"{name}@{version}") ?? [],
            });
        }

        return LockfileParseResult.Of(dependencies);
    }

    /// <summary>The (name, resolved version) pairs of an entry's or importer's dependency maps.</summary>
    private static IEnumerable<(string Name, string Version)> Requirements(YamlMappingNode entry, bool slashStyle)
    {
        foreach (var kind in new[] { "dependencies", "devDependencies", "optionalDependencies" })
        {
            if (!entry.Children.TryGetValue(new YamlScalarNode(kind), out var node) || node is not YamlMappingNode map)
            {
                continue;
            }

            foreach (var (keyNode, value) in map.Children)
            {
                var reference = value switch
                {
                    YamlScalarNode scalar => scalar.Value,
                    YamlMappingNode detail => YamlFile.Scalar(detail, "version"),
                    _ => null,
                };
                if (keyNode is not YamlScalarNode { Value: { } name } || reference is null)
                {
                    continue;
                }

                // "4.3.4", "4.3.4(peer@1)", "4.3.4_peer@1", or a path/alias "/real-name/1.0.0", "real-name@1.0.0".
                if (reference.StartsWith('/') || (!char.IsAsciiDigit(reference.FirstOrDefault()) && reference.Contains('@', StringComparison.Ordinal)))
                {
                    var aliased = SplitKey(reference, slashStyle && reference.StartsWith('/'));
                    if (aliased.Name.Length > 0)
                    {
                        yield return aliased;
                    }

                    continue;
                }

                var version = reference;
                var cut = version.IndexOfAny(['(', '_']);
                yield return (name, cut > 0 ? version[..cut] : version);
            }
        }
    }

    private static (string Name, string Version) SplitKey(string key, bool slashStyle)
    {
        var k = key.TrimStart('/');
        var paren = k.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
        {
            k = k[..paren];
        }

        if (slashStyle)
        {
            var slash = k.LastIndexOf('/');
            if (slash <= 0)
            {
                return ("", "");
            }

            var version = k[(slash + 1)..];
            var underscore = version.IndexOf('_', StringComparison.Ordinal);
            return (k[..slash], underscore > 0 ? version[..underscore] : version);
        }

        var at = k.LastIndexOf('@');
        return at <= 0 ? ("", "") : (k[..at], k[(at + 1)..]);
    }
}

internal static class YamlFile
{
    public static YamlMappingNode LoadMapping(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode mapping
            ? mapping
            : throw new LockfileFormatException("the YAML document is not a mapping", 1);
    }

    public static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;
}
