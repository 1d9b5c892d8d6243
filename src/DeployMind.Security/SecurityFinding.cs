using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Security;

/// <summary>
/// One problem a scanner found: a Dockerfile misconfiguration, a vulnerable dependency or a secret.
/// Secret findings carry only a redacted match; the secret itself never leaves the scanner.
/// </summary>
public sealed record SecurityFinding
{
    public required ScanType ScanType { get; init; }

    /// <summary>Rule or advisory id: DS-0002, DL3008, aws-access-key-id, GHSA-..., CVE-...</summary>
    public required string RuleId { get; init; }

    public required string Title { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>Why it matters.</summary>
    public string? Description { get; init; }

    /// <summary>How to fix it: the Dockerfile change, the upgrade command, the secret rotation.</summary>
    public string? Fix { get; init; }

    /// <summary>Path relative to the scanned root.</summary>
    public string? FilePath { get; init; }

    public int? Line { get; init; }

    public int? EndLine { get; init; }

    public string? Package { get; init; }

    public string? InstalledVersion { get; init; }

    public string? FixedVersion { get; init; }

    /// <summary>Ecosystem of a dependency finding (npm, PyPI, Go, crates.io, ...).</summary>
    public string? Ecosystem { get; init; }

    /// <summary>Other ids of the same vulnerability (CVE, GHSA, ...), merged into this finding.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>From the root dependency to the vulnerable one, where the lockfile tells it.</summary>
    public IReadOnlyList<string> DependencyPath { get; init; } = [];

    /// <summary>For secrets: the matched text with the secret masked.</summary>
    public string? RedactedMatch { get; init; }

    /// <summary>Stable identity used by ignore files: rule, file and a hash of the match, never the match itself.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>The finding as stored in security_scans.vulnerabilities (the seed's package/version/severity/cve keys plus detail).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["id"] = RuleId,
            ["title"] = Title,
            ["severity"] = Severity.ToWire(),
        };
        Add(json, "package", Package);
        Add(json, "version", InstalledVersion);
        Add(json, "fixed_version", FixedVersion);
        Add(json, "ecosystem", Ecosystem);
        var cve = RuleId.StartsWith("CVE-", StringComparison.Ordinal)
            ? RuleId
            : Aliases.FirstOrDefault(a => a.StartsWith("CVE-", StringComparison.Ordinal));
        Add(json, "cve", cve);
        if (Aliases.Count > 0)
        {
            json["aliases"] = new JsonArray(Aliases.Select(a => (JsonNode)JsonValue.Create(a)).ToArray());
        }

        if (DependencyPath.Count > 0)
        {
            json["dependency_path"] = new JsonArray(DependencyPath.Select(a => (JsonNode)JsonValue.Create(a)).ToArray());
        }

        Add(json, "file", FilePath);
        if (Line is not null)
        {
            json["line"] = Line;
        }

        Add(json, "match", RedactedMatch);
        Add(json, "fingerprint", Fingerprint);
        Add(json, "description", Description);
        Add(json, "fix", Fix);
        return json;
    }

    private static void Add(JsonObject json, string key, string? value)
    {
        if (value is not null)
        {
            json[key] = value;
        }
    }
}

/// <summary>A file the scanner could not read or parse; reported with its position and skipped.</summary>
public sealed record ScanProblem(string FilePath, int? Line, string Message);

/// <summary>Everything one scanner produced over one source tree.</summary>
public sealed record ScanReport
{
    public required ScanType ScanType { get; init; }

    public required string ScannerName { get; init; }

    public required string ScannerVersion { get; init; }

    public required IReadOnlyList<SecurityFinding> Findings { get; init; }

    public IReadOnlyList<ScanProblem> Problems { get; init; } = [];

    public TimeSpan Duration { get; init; }

    public int Count(Severity severity) => Findings.Count(f => f.Severity == severity);
}
