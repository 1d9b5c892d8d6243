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
        return LockfileParseResult.Of(text.Contains("\n__metadata:", StringComparison.Ordinal) || text.StartsWith("__metadata:", StringComparison.Ordinal)
            ? ParseBerry(text, displayPath)
            : ParseClassic(text, displayPath));
    }

    private static IEnumerable<Dependency> ParseBerry(string text, string displayPath)
    {
        var root = YamlFile.LoadMapping(text);
        foreach (var (key, value) in root.Children)
        {
            if (key is not YamlScalarNode { Value: { } header } || header == "__metadata" || value is not YamlMappingNode entry)
            {
                continue;
            }

            // resolution: "name@npm:1.2.3" (registry); anything else (workspace:, patch:, git URLs) is not a registry package.
            var resolution = YamlFile.Scalar(entry, "resolution") ?? "";
            var marker = resolution.IndexOf("@npm:", 1, StringComparison.Ordinal);
            if (marker < 0)
            {
                continue;
            }

            var version = resolution[(marker + 5)..];
            if (!JsonLockfile.IsRegistryVersion(version))
            {
                continue;
            }

            yield return new Dependency
            {
                Ecosystem = Ecosystems.Npm,
                Name = resolution[..marker],
                Version = version,
                FilePath = displayPath,
                Line = (int)key.Start.Line,
            };
        }
    }

    private static IEnumerable<Dependency> ParseClassic(string text, string displayPath)
    {
        var lines = text.Split('\n');
        string? header = null;
        var headerLine = 0;
        string? version = null;
        string? resolved = null;
        for (var i = 0; i <= lines.Length; i++)
        {
            var line = i < lines.Length ? lines[i].TrimEnd('\r') : "";
            var isHeader = i == lines.Length || (line.Length > 0 && !char.IsWhiteSpace(line[0]) && !line.StartsWith('#'));
            if (isHeader)
            {
                if (header is not null && Entry(header, version, resolved, headerLine, displayPath) is { } dependency)
                {
                    yield return dependency;
                }

                if (i == lines.Length)
                {
                    yield break;
                }

                if (!line.EndsWith(':'))
                {
                    throw new LockfileFormatException($"a yarn.lock entry header must end with ':': '{line}'", i + 1);
                }

                header = line[..^1];
                headerLine = i + 1;
                version = resolved = null;
                continue;
            }

            var trimmed = line.Trim();
            if (line.StartsWith("  ", StringComparison.Ordinal) && !line.StartsWith("   ", StringComparison.Ordinal))
            {
                if (trimmed.StartsWith("version ", StringComparison.Ordinal))
                {
                    version = trimmed[8..].Trim().Trim('"');
                }
                else if (trimmed.StartsWith("resolved ", StringComparison.Ordinal))
                {
                    resolved = trimmed[9..].Trim().Trim('"');
                }
            }
        }
    }

    private static Dependency? Entry(string header, string? version, string? resolved, int line, string displayPath)
    {
        var spec = header.Split(',')[0].Trim().Trim('"');
        var at = spec.IndexOf('@', 1);
        if (at < 0 || !JsonLockfile.IsRegistryVersion(version))
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
        if (resolved is not null ? !resolved.Contains("/-/", StringComparison.Ordinal) : IsNonRegistry(range))
        {
            return null;
        }

        return new Dependency { Ecosystem = Ecosystems.Npm, Name = name, Version = version!, FilePath = displayPath, Line = line };
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

        foreach (var (keyNode, value) in packages.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                continue;
            }

            var (name, version) = SplitKey(key, slashStyle);
            if (name.Length == 0 || !JsonLockfile.IsRegistryVersion(version))
            {
                continue;
            }

            var entry = value as YamlMappingNode;
            dependencies.Add(new Dependency
            {
                Ecosystem = Ecosystems.Npm,
                Name = name,
                Version = version,
                FilePath = displayPath,
                Line = (int)keyNode.Start.Line,
                IsDev = entry is not null && YamlFile.Scalar(entry, "dev") == "true",
            });
        }

        return LockfileParseResult.Of(dependencies);
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
