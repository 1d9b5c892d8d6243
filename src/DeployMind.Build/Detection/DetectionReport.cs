using System.Globalization;
using System.Text;
using DeployMind.Domain;

namespace DeployMind.Build.Detection;

/// <summary>One fact the detector relied on: the file (relative to the build directory) and what it showed.</summary>
public sealed record Evidence(string File, string Finding)
{
    public override string ToString() => $"{File}: {Finding}";
}

/// <summary>What the detector concluded about an application, and why.</summary>
public sealed record DetectionReport
{
    public required AppLanguage Language { get; init; }

    /// <summary>Web framework (express, fastapi, gin, spring-boot, ...), or null for the standard library.</summary>
    public string? Framework { get; init; }

    /// <summary>npm, yarn, pnpm, pip, poetry, pipenv, uv, go, maven, gradle, dotnet, bundler, cargo, composer.</summary>
    public string? PackageManager { get; init; }

    /// <summary>Major (or major.minor) version of the language runtime the project asks for, when it says.</summary>
    public string? LanguageVersion { get; init; }

    /// <summary>How to start the application from its source tree (e.g. <c>node server.js</c>, <c>go run ./cmd/api</c>).</summary>
    public required string StartCommand { get; init; }

    /// <summary>
    /// The language-specific thing the Dockerfile builds or runs: the Go main package (<c>./cmd/api</c>), the .NET project,
    /// the Rust binary, the Python ASGI/WSGI target, the static site folder.
    /// </summary>
    public string? EntryPoint { get; init; }

    public required int Port { get; init; }

    public required string HealthPath { get; init; }

    /// <summary>True when the application can probe itself (e.g. a Go binary with a <c>-healthcheck</c> flag).</summary>
    public bool SupportsSelfHealthCheck { get; init; }

    /// <summary>True when the manifests declare no third-party packages, so the install step can be skipped.</summary>
    public bool HasNoDependencies { get; init; }

    /// <summary>The directory detected, relative to the repository root ('.' for the root); also the build context.</summary>
    public required string BuildDirectory { get; init; }

    /// <summary>0..1: how sure the detector is.</summary>
    public required double Confidence { get; init; }

    public required IReadOnlyList<Evidence> Evidence { get; init; }

    /// <summary>The repository's own Dockerfile in the build directory (relative path), or null when one must be generated.</summary>
    public string? ExistingDockerfile { get; init; }

    /// <summary>Dependency manifests and lockfiles found, relative to the build directory, copied before sources.</summary>
    public IReadOnlyList<string> Manifests { get; init; } = [];

    /// <summary>Scripts of the package manager the project declares (e.g. package.json "build"), by name.</summary>
    public IReadOnlyDictionary<string, string> Scripts { get; init; } = new Dictionary<string, string>();

    /// <summary>Other languages that also matched, weaker than this one (e.g. a package.json for assets in a Rails app).</summary>
    public IReadOnlyList<string> Alternatives { get; init; } = [];

    /// <summary>Human-readable summary for <c>deploymind detect PATH</c>.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        var framework = Framework is null ? "" : $" / {Framework}";
        var version = LanguageVersion is null ? "" : $" {LanguageVersion}";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Detected {Language.ToWire()}{version}{framework} (confidence {Confidence:0.00}) in {BuildDirectory}");
        if (PackageManager is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  package manager: {PackageManager}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  start command:   {StartCommand}");
        if (EntryPoint is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  entry point:     {EntryPoint}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  port:            {Port}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  health path:     {HealthPath}");
        text.AppendLine(ExistingDockerfile is null
            ? "  Dockerfile:      none (one will be generated)"
            : $"  Dockerfile:      {ExistingDockerfile} (used as written; optimization suggestions available)");
        text.AppendLine("Evidence:");
        foreach (var evidence in Evidence)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  - {evidence}");
        }

        if (Alternatives.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Also matched (weaker): {string.Join(", ", Alternatives)}");
        }

        return text.ToString();
    }
}
