namespace DeployMind.Security.Dependencies.Lockfiles;

/// <summary>Poetry <c>poetry.lock</c> (lock-version 1.x and 2.x); git, path and URL sources are skipped.</summary>
public sealed class PoetryLockParser : ILockfileParser
{
    public string Format => "poetry.lock";

    public string Ecosystem => Ecosystems.PyPI;

    public bool Matches(string fileName) => fileName == "poetry.lock";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var document = TomlDocument.Parse(File.ReadAllText(fullPath));
        var dependencies = new List<Dependency>();
        var paths = PoetryPaths(document);
        foreach (var package in document.GetTables("package"))
        {
            var name = package.GetString("name");
            var version = package.GetString("version");
            var sourceType = package.GetTable("source")?.GetString("type");
            if (name is null || version is null || sourceType is "git" or "directory" or "file" or "url")
            {
                continue;
            }

            var groups = package.GetStrings("groups").ToList();
            dependencies.Add(new Dependency
            {
                Ecosystem = Ecosystems.PyPI,
                Name = name,
                Version = version,
                FilePath = displayPath,
                Line = package.Line,
                IsDev = package.GetString("category") == "dev" || (groups.Count > 0 && !groups.Contains("main")),
                DependencyPath = paths.GetValueOrDefault(Ecosystems.NormalizeName(Ecosystems.PyPI, name)) ?? [],
            });
        }

        return LockfileParseResult.Of(dependencies);
    }

    // poetry.lock does not name the project's own dependencies: paths start at packages nothing else requires.
    private static Dictionary<string, IReadOnlyList<string>> PoetryPaths(TomlTable document)
    {
        var graph = new DependencyGraph<string>();
        var packages = document.GetTables("package").Where(p => p.GetString("name") is not null).ToList();
        foreach (var package in packages)
        {
            graph.AddNode(Ecosystems.NormalizeName(Ecosystems.PyPI, package.GetString("name")!), package.GetString("name")!);
        }

        foreach (var package in packages)
        {
            foreach (var requirement in package.GetTable("dependencies")?.Values.Keys.ToList() ?? [])
            {
                graph.AddEdge(Ecosystems.NormalizeName(Ecosystems.PyPI, package.GetString("name")!), Ecosystems.NormalizeName(Ecosystems.PyPI, requirement));
            }
        }

        return graph.ShortestPaths();
    }
}

/// <summary>uv <c>uv.lock</c>: registry packages only (git, path, editable and virtual sources are skipped).</summary>
public sealed class UvLockParser : ILockfileParser
{
    public string Format => "uv.lock";

    public string Ecosystem => Ecosystems.PyPI;

    public bool Matches(string fileName) => fileName == "uv.lock";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var document = TomlDocument.Parse(File.ReadAllText(fullPath));
        var dependencies = new List<Dependency>();
        var paths = UvPaths(document);
        foreach (var package in document.GetTables("package"))
        {
            var name = package.GetString("name");
            var version = package.GetString("version");
            if (name is null || version is null || package.GetTable("source")?.Values.ContainsKey("registry") != true)
            {
                continue;
            }

            dependencies.Add(new Dependency
            {
                Ecosystem = Ecosystems.PyPI,
                Name = name,
                Version = version,
                FilePath = displayPath,
                Line = package.Line,
                DependencyPath = paths.GetValueOrDefault($"{Ecosystems.NormalizeName(Ecosystems.PyPI, name)} {version}") ?? [],
            });
        }

        return LockfileParseResult.Of(dependencies);
    }

    private static Dictionary<string, IReadOnlyList<string>> UvPaths(TomlTable document)
    {
        var graph = new DependencyGraph<string>();
        var packages = document.GetTables("package").Where(p => p.GetString("name") is not null).ToList();
        var byName = packages.ToLookup(p => Ecosystems.NormalizeName(Ecosystems.PyPI, p.GetString("name")!));
        string Key(TomlTable p) => $"{Ecosystems.NormalizeName(Ecosystems.PyPI, p.GetString("name")!)} {p.GetString("version")}";
        foreach (var package in packages)
        {
            graph.AddNode(Key(package), package.GetString("name")!);
        }

        foreach (var package in packages)
        {
            var requirements = package.GetTables("dependencies")
                .Concat(new[] { "optional-dependencies", "dev-dependencies" }
                    .SelectMany(group => package.GetTable(group)?.Values.Values.OfType<List<object>>().SelectMany(l => l.OfType<TomlTable>()) ?? []));
            foreach (var requirement in requirements)
            {
                var candidates = byName[Ecosystems.NormalizeName(Ecosystems.PyPI, requirement.GetString("name") ?? "")].ToList();
                var target = candidates.FirstOrDefault(c => requirement.GetString("version") is not { } v || c.GetString("version") == v);
                if (target is not null)
                {
                    graph.AddEdge(Key(package), Key(target));
                }
            }
        }

        // The project is the virtual or editable package; its dependencies are the top level.
        foreach (var project in packages.Where(p => p.GetTable("source") is { } source
                     && (source.Values.ContainsKey("virtual") || source.Values.ContainsKey("editable"))))
        {
            graph.AddProject(Key(project));
        }

        return graph.ShortestPaths();
    }
}

/// <summary>Cargo <c>Cargo.lock</c> (old and v3/v4 formats): crates from a registry; local and git crates are skipped.</summary>
public sealed class CargoLockParser : ILockfileParser
{
    public string Format => "Cargo.lock";

    public string Ecosystem => Ecosystems.CratesIo;

    public bool Matches(string fileName) => fileName == "Cargo.lock";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        var document = TomlDocument.Parse(File.ReadAllText(fullPath));
        var dependencies = new List<Dependency>();
        var paths = CargoPaths(document);
        foreach (var package in document.GetTables("package"))
        {
            var name = package.GetString("name");
            var version = package.GetString("version");
            var source = package.GetString("source");
            if (name is null || version is null || source is null
                || !(source.StartsWith("registry+", StringComparison.Ordinal) || source.StartsWith("sparse+", StringComparison.Ordinal)))
            {
                continue;
            }

            dependencies.Add(new Dependency
            {
                Ecosystem = Ecosystems.CratesIo,
                Name = name,
                Version = version,
                FilePath = displayPath,
                Line = package.Line,
                DependencyPath = paths.GetValueOrDefault($"{name} {version}") ?? [],
            });
        }

        return LockfileParseResult.Of(dependencies);
    }

    private static Dictionary<string, IReadOnlyList<string>> CargoPaths(TomlTable document)
    {
        var graph = new DependencyGraph<string>();
        var packages = document.GetTables("package").Where(p => p.GetString("name") is not null && p.GetString("version") is not null).ToList();
        var versionsByName = packages.ToLookup(p => p.GetString("name")!, p => p.GetString("version")!);
        foreach (var package in packages)
        {
            graph.AddNode($"{package.GetString("name")} {package.GetString("version")}", package.GetString("name")!);
        }

        foreach (var package in packages)
        {
            var from = $"{package.GetString("name")} {package.GetString("version")}";
            foreach (var requirement in package.GetStrings("dependencies"))
            {
                // "name", "name version" or "name version (source)"; a bare name is unique in the lockfile.
                var parts = requirement.Split(' ');
                var version = parts.Length > 1 ? parts[1] : versionsByName[parts[0]].FirstOrDefault();
                if (version is not null)
                {
                    graph.AddEdge(from, $"{parts[0]} {version}");
                }
            }
        }

        foreach (var local in packages.Where(p => p.GetString("source") is null))
        {
            graph.AddProject($"{local.GetString("name")} {local.GetString("version")}");
        }

        return graph.ShortestPaths();
    }
}
