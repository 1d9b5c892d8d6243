using DeployMind.Domain;

namespace DeployMind.Security.Tests.Policy;

/// <summary>Small builders of findings and reports shaped like the scanners' output.</summary>
internal static class TestFindings
{
    public static SecurityFinding Dependency(string id, string package, Severity severity, string? fixedVersion = "4.17.21",
        string installed = "4.17.15", string[]? aliases = null, string? fix = null, string file = "package-lock.json") => new()
    {
        ScanType = ScanType.Dependencies,
        RuleId = id,
        Title = $"{package} advisory {id}",
        Severity = severity,
        Package = package,
        InstalledVersion = installed,
        FixedVersion = fixedVersion,
        Ecosystem = "npm",
        Aliases = aliases ?? [],
        Fix = fix,
        FilePath = file,
        Fingerprint = $"{id}:{file}:npm:{package}@{installed}",
    };

    public static SecurityFinding Dockerfile(string id, Severity severity, int line = 1, string? fix = "do the fix", string file = "Dockerfile") => new()
    {
        ScanType = ScanType.Dockerfile,
        RuleId = id,
        Title = $"rule {id}",
        Severity = severity,
        Fix = fix,
        FilePath = file,
        Line = line,
        EndLine = line,
    };

    public static SecurityFinding Secret(string id, Severity severity, string file = "src/config.js", int line = 3, string redacted = "token = \"ghp_*****\"") => new()
    {
        ScanType = ScanType.Secrets,
        RuleId = id,
        Title = $"secret {id}",
        Severity = severity,
        FilePath = file,
        Line = line,
        EndLine = line,
        RedactedMatch = redacted,
        Fingerprint = $"{id}:{file}:0123456789abcdef",
        Fix = "Revoke and rotate the credential.",
    };

    public static ScanReport Report(ScanType scanType, params SecurityFinding[] findings) => new()
    {
        ScanType = scanType,
        ScannerName = scanType switch
        {
            ScanType.Dockerfile => "deploymind-dockerfile",
            ScanType.Dependencies => "deploymind-osv",
            _ => "deploymind-secrets",
        },
        ScannerVersion = "1.0.0",
        Findings = findings,
        Duration = TimeSpan.FromMilliseconds(1234),
    };

    public static readonly DateOnly Today = new(2026, 11, 28);
}
