using DeployMind.Domain;
using DeployMind.Security.Dependencies;
using DeployMind.Security.Dependencies.Osv;
using DeployMind.Security.Dockerfiles;
using DeployMind.Security.Secrets;

namespace DeployMind.Security;

/// <summary>Settings shared by the security stage and `deploymind scan`.</summary>
public sealed class SecurityScanOptions
{
    /// <summary>The local OSV advisory database; without one, the dependency scan reports that it could not check anything.</summary>
    public string? VulnerabilityDatabasePath { get; set; }

    /// <summary>A vulnerability database older than this makes the dependency scan warn.</summary>
    public TimeSpan MaxDatabaseAge { get; set; } = TimeSpan.FromDays(7);

    public SecretScanOptions Secrets { get; set; } = new();

    public DockerfileScanOptions Dockerfiles { get; set; } = new();

    public bool IncludeDevDependencies { get; set; } = true;
}

/// <summary>Runs the Dockerfile, dependency and secret scanners over one source tree, side by side.</summary>
public sealed class SecurityScanRunner(SecurityScanOptions options, TimeProvider clock)
{
    public static readonly IReadOnlyList<ScanType> AllTypes = [ScanType.Dockerfile, ScanType.Dependencies, ScanType.Secrets];

    /// <summary>One report per requested scan type, in the order asked.</summary>
    public async Task<IReadOnlyList<ScanReport>> ScanAsync(string root, IReadOnlyCollection<ScanType> types, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(root) && !File.Exists(root))
        {
            throw new InvalidInputException("path", $"'{root}' does not exist; give a directory (or a Dockerfile) to scan");
        }

        var scans = types.Distinct().Select(type => type switch
        {
            ScanType.Dockerfile => new DockerfileScanner(options.Dockerfiles, timeProvider: clock).ScanAsync(root, cancellationToken),
            ScanType.Secrets => new SecretScanner(clock).ScanAsync(root, options.Secrets, cancellationToken),
            _ => ScanDependenciesAsync(root, cancellationToken),
        }).ToList();
        return await Task.WhenAll(scans);
    }

    private async Task<ScanReport> ScanDependenciesAsync(string root, CancellationToken cancellationToken)
    {
        var scanOptions = new DependencyScanOptions { IncludeDev = options.IncludeDevDependencies, MaxDatabaseAge = options.MaxDatabaseAge };
        if (options.VulnerabilityDatabasePath is { } path && File.Exists(path))
        {
            using var database = VulnerabilityDatabase.Open(path, clock);
            return await new DependencyScanner(database, clock).ScanAsync(root, scanOptions, cancellationToken);
        }

        // No database: every lockfile is still parsed (and reported if malformed), and the report says nothing could be matched.
        var report = await new DependencyScanner(new AdvisoryIndex([]), clock).ScanAsync(root, scanOptions, cancellationToken);
        var missing = new ScanProblem(options.VulnerabilityDatabasePath ?? "vulndb", null,
            "the vulnerability database is missing: no dependency could be checked for known vulnerabilities; " +
            "load one with 'deploymind vulndb import <ECOSYSTEM>/all.zip' or 'deploymind vulndb update'");
        return report with { Problems = [missing, .. report.Problems] };
    }
}
