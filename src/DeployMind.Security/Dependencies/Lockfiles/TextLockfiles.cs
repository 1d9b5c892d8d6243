using System.Text.RegularExpressions;

namespace DeployMind.Security.Dependencies.Lockfiles;

/// <summary>
/// pip <c>requirements.txt</c>: exact pins (<c>==</c>, <c>===</c>) are dependencies; ranges, bare names and URLs
/// are reported as not checkable. <c>-r</c> includes are followed.
/// </summary>
public sealed partial class RequirementsParser : ILockfileParser
{
    public string Format => "requirements.txt";

    public string Ecosystem => Ecosystems.PyPI;

    public bool Matches(string fileName) => fileName == "requirements.txt"
        || (fileName.StartsWith("requirements", StringComparison.Ordinal) && fileName.EndsWith(".txt", StringComparison.Ordinal));

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var dependencies = new List<Dependency>();
        var problems = new List<ScanProblem>();
        Read(fullPath, displayPath, dependencies, problems, new HashSet<string>(StringComparer.Ordinal));
        return LockfileParseResult.Of(dependencies, problems);
    }

    private static void Read(string fullPath, string displayPath, List<Dependency> dependencies, List<ScanProblem> problems, HashSet<string> visited)
    {
        if (!visited.Add(Path.GetFullPath(fullPath)))
        {
            return;
        }

        var lines = File.ReadAllLines(fullPath);
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i];
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + lines[++i];
            }

            line = StripComment(line).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('-'))
            {
                var include = IncludeOption().Match(line);
                if (include.Success)
                {
                    var target = Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", include.Groups["file"].Value);
                    var targetDisplay = Path.Combine(Path.GetDirectoryName(displayPath) ?? "", include.Groups["file"].Value);
                    if (File.Exists(target))
                    {
                        Read(target, targetDisplay, dependencies, problems, visited);
                    }
                    else
                    {
                        problems.Add(new ScanProblem(displayPath, lineNumber, $"included requirements file '{include.Groups["file"].Value}' does not exist"));
                    }
                }

                continue; // other options (-c, -i, --hash, -e ...) name no pinned package
            }

            var requirement = Requirement().Match(line);
            if (!requirement.Success)
            {
                problems.Add(new ScanProblem(displayPath, lineNumber, $"not checkable: '{line}' is a path or URL, not a pinned package"));
                continue;
            }

            var name = requirement.Groups["name"].Value;
            var spec = HashOption().Replace(requirement.Groups["spec"].Value, "").Trim();
            var pin = ExactPin().Match(spec);
            if (pin.Success)
            {
                dependencies.Add(new Dependency
                {
                    Ecosystem = Ecosystems.PyPI,
                    Name = name,
                    Version = pin.Groups["version"].Value,
                    FilePath = displayPath,
                    Line = lineNumber,
                });
            }
            else
            {
                var what = spec.Length == 0 ? "has no version" : $"is not pinned to one version ('{spec}')";
                problems.Add(new ScanProblem(displayPath, lineNumber, $"not checkable: {name} {what}; pin it with == or use a lockfile"));
            }
        }
    }

    private static string StripComment(string line)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        while (hash > 0 && !char.IsWhiteSpace(line[hash - 1]))
        {
            hash = line.IndexOf('#', hash + 1);
        }

        return hash == 0 ? "" : hash > 0 ? line[..hash] : line;
    }

    [GeneratedRegex(@"^(?:-r|--requirement)(?:\s+|=)(?<file>\S+)")]
    private static partial Regex IncludeOption();

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(?<spec>[^;@]*)(?:;.*)?$")]
    private static partial Regex Requirement();

    [GeneratedRegex(@"--hash[=\s]\S+")]
    private static partial Regex HashOption();

    [GeneratedRegex(@"^===?\s*(?<version>[^\s,*;]+)$")]
    private static partial Regex ExactPin();
}

/// <summary>
/// Go <c>go.mod</c>: <c>require</c> lines and blocks with <c>replace</c> directives applied (local replacements dropped).
/// A <c>go.sum</c> without a <c>go.mod</c> beside it gives the newest version of each module it lists.
/// </summary>
public sealed partial class GoModParser : ILockfileParser
{
    public string Format => "go.mod";

    public string Ecosystem => Ecosystems.Go;

    public bool Matches(string fileName) => fileName is "go.mod" or "go.sum";

    public LockfileParseResult Parse(string fullPath, string displayPath) =>
        Path.GetFileName(fullPath) == "go.sum" ? ParseGoSum(fullPath, displayPath) : ParseGoMod(fullPath, displayPath);

    private static LockfileParseResult ParseGoMod(string fullPath, string displayPath)
    {
        var requires = new List<(string Module, string Version, int Line, bool Indirect)>();
        var replaces = new List<(string Module, string? Version, string Target, string? TargetVersion)>();
        string? block = null;
        var lines = File.ReadAllLines(fullPath);
        for (var i = 0; i < lines.Length; i++)
        {
            var comment = lines[i].IndexOf("//", StringComparison.Ordinal);
            var line = (comment >= 0 ? lines[i][..comment] : lines[i]).Trim();
            var indirect = comment >= 0 && lines[i][(comment + 2)..].Trim().StartsWith("indirect", StringComparison.Ordinal);
            if (line.Length == 0)
            {
                continue;
            }

            if (block is not null)
            {
                if (line == ")")
                {
                    block = null;
                    continue;
                }

                Directive(block, line, i + 1, indirect);
                continue;
            }

            var space = line.IndexOfAny([' ', '\t']);
            var verb = space < 0 ? line : line[..space];
            var rest = space < 0 ? "" : line[(space + 1)..].Trim();
            if (rest == "(")
            {
                block = verb;
            }
            else
            {
                Directive(verb, rest, i + 1, indirect);
            }
        }

        var dependencies = new List<Dependency>();
        foreach (var (module, version, line, indirect) in requires)
        {
            var replace = replaces.LastOrDefault(r => r.Module == module && (r.Version is null || r.Version == version));
            var (name, resolved) = (module, version);
            if (replace.Module is not null)
            {
                if (replace.TargetVersion is null)
                {
                    continue; // replaced by a local directory: not a published module version
                }

                (name, resolved) = (replace.Target, replace.TargetVersion);
            }

            dependencies.Add(new Dependency
            {
                Ecosystem = Ecosystems.Go,
                Name = name,
                Version = resolved.TrimStart('v'),
                FilePath = displayPath,
                Line = line,
                DependencyPath = indirect ? [] : [name], // go.mod does not record which module pulls an indirect one
            });
        }

        return LockfileParseResult.Of(dependencies);

        void Directive(string verb, string text, int lineNumber, bool indirect)
        {
            var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (verb == "require" && parts.Length >= 2)
            {
                requires.Add((Unquote(parts[0]), parts[1], lineNumber, indirect));
            }
            else if (verb == "require")
            {
                throw new LockfileFormatException($"require needs a module path and a version: '{text}'", lineNumber);
            }
            else if (verb == "replace")
            {
                var arrow = Array.IndexOf(parts, "=>");
                if (arrow is < 1 or > 2 || parts.Length <= arrow + 1)
                {
                    throw new LockfileFormatException($"replace needs 'module [version] => target [version]': '{text}'", lineNumber);
                }

                replaces.Add((Unquote(parts[0]), arrow == 2 ? parts[1] : null, Unquote(parts[arrow + 1]),
                    parts.Length > arrow + 2 ? parts[arrow + 2] : null));
            }
        }
    }

    private static LockfileParseResult ParseGoSum(string fullPath, string displayPath)
    {
        var newest = new Dictionary<string, (string Version, int Line)>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(fullPath);
        for (var i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            if (parts.Length != 3)
            {
                throw new LockfileFormatException("a go.sum line needs a module, a version and a hash", i + 1);
            }

            var version = parts[1].Replace("/go.mod", "", StringComparison.Ordinal).TrimStart('v');
            if (!newest.TryGetValue(parts[0], out var known)
                || Versions.VersionComparers.Go.Parse(version).CompareTo(Versions.VersionComparers.Go.Parse(known.Version)) > 0)
            {
                newest[parts[0]] = (version, i + 1);
            }
        }

        return LockfileParseResult.Of(newest.Select(p => new Dependency
        {
            Ecosystem = Ecosystems.Go,
            Name = p.Key,
            Version = p.Value.Version,
            FilePath = displayPath,
            Line = p.Value.Line,
        }));
    }

    private static string Unquote(string s) => s.Trim('"', '`');
}

/// <summary>Bundler <c>Gemfile.lock</c>: gems of the <c>GEM</c> sections (GIT and PATH gems are not registry gems).</summary>
public sealed partial class GemfileLockParser : ILockfileParser
{
    public string Format => "Gemfile.lock";

    public string Ecosystem => Ecosystems.RubyGems;

    public bool Matches(string fileName) => fileName is "Gemfile.lock" or "gems.locked";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var found = new List<(string Name, string Version, int Line)>();
        var graph = new DependencyGraph<string>();
        var seen = new HashSet<(string, string)>();
        var roots = new List<string>();
        string? section = null;
        string? currentGem = null;
        var lines = File.ReadAllLines(fullPath);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            if (line.Length == 0)
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]))
            {
                section = line.Trim();
                currentGem = null;
                continue;
            }

            if (section == "DEPENDENCIES")
            {
                roots.Add(line.Trim().Split(' ')[0].TrimEnd('!'));
                continue;
            }

            if (section is not ("GEM" or "GIT" or "PATH") || !line.StartsWith("    ", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith("      ", StringComparison.Ordinal))
            {
                // Six spaces: a requirement of the gem above.
                if (currentGem is not null)
                {
                    graph.AddEdge(currentGem, line.Trim().Split(' ')[0]);
                }

                continue;
            }

            var spec = Spec().Match(line);
            if (!spec.Success)
            {
                throw new LockfileFormatException($"a gem spec must read 'name (version)': '{line.Trim()}'", i + 1);
            }

            currentGem = spec.Groups["name"].Value;
            graph.AddNode(currentGem, currentGem);
            if (section != "GEM")
            {
                continue; // GIT and PATH gems are part of the graph but not registry gems
            }

            // "1.13.3-x86_64-linux": the platform follows the first dash (gem versions spell pre-releases with dots).
            var version = spec.Groups["version"].Value;
            var dash = version.IndexOf('-', StringComparison.Ordinal);
            version = dash > 0 ? version[..dash] : version;
            if (seen.Add((currentGem, version)))
            {
                found.Add((currentGem, version, i + 1));
            }
        }

        foreach (var root in roots)
        {
            graph.AddRoot(root);
        }

        var paths = graph.ShortestPaths();
        return LockfileParseResult.Of(found.Select(f => new Dependency
        {
            Ecosystem = Ecosystems.RubyGems,
            Name = f.Name,
            Version = f.Version,
            FilePath = displayPath,
            Line = f.Line,
            DependencyPath = paths.GetValueOrDefault(f.Name) ?? [],
        }));
    }

    [GeneratedRegex(@"^    (?<name>\S+) \((?<version>[^)\s]+)\)$")]
    private static partial Regex Spec();
}
