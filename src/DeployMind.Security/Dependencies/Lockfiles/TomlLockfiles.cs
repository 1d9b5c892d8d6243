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
            });
        }

        return LockfileParseResult.Of(dependencies);
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
            });
        }

        return LockfileParseResult.Of(dependencies);
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
            });
        }

        return LockfileParseResult.Of(dependencies);
    }
}
