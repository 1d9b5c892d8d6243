namespace DeployMind.Security.Dependencies;

/// <summary>One resolved package version found in a lockfile or manifest.</summary>
public sealed record Dependency
{
    /// <summary>OSV ecosystem name: npm, PyPI, Go, crates.io, RubyGems, Maven, NuGet, Packagist.</summary>
    public required string Ecosystem { get; init; }

    /// <summary>Package name as the ecosystem spells it (Maven: <c>groupId:artifactId</c>; Go: the module path).</summary>
    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>The lockfile, relative to the scanned root when found by a scan.</summary>
    public required string FilePath { get; init; }

    public int? Line { get; init; }

    /// <summary>True when the lockfile marks it as a development/test-only dependency.</summary>
    public bool IsDev { get; init; }

    /// <summary>From the top-level dependency down to this one, where the lockfile tells it.</summary>
    public IReadOnlyList<string> DependencyPath { get; init; } = [];
}
