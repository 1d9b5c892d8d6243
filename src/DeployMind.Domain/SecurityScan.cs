using System.Text.Json.Nodes;

namespace DeployMind.Domain;

/// <summary>The result of one scanner (dockerfile, dependencies or secrets) over a deployment's source, with the agent's decision.</summary>
public sealed class SecurityScan : IDeploymentRecord
{
    private DateTime _createdAt;

    public long Id { get; set; }

    public required string DeploymentId { get; set; }

    public ScanType ScanType { get; set; }

    public string? ScannerName { get; set; }

    public string? ScannerVersion { get; set; }

    public double? ScanDurationSeconds { get; set; }

    public bool Passed { get; set; }

    public int TotalVulnerabilities { get; set; }

    public int CriticalCount { get; set; }

    public int HighCount { get; set; }

    public int MediumCount { get; set; }

    public int LowCount { get; set; }

    /// <summary>The findings as a JSON list (package, version, severity, cve, ... per finding).</summary>
    public JsonArray? Vulnerabilities { get; set; }

    public AgentDecision? AgentDecision { get; set; }

    public string? AgentReasoning { get; set; }

    public string? Recommendations { get; set; }

    public string? RawOutput { get; set; }

    public DateTime CreatedAt { get => _createdAt; set => _createdAt = UtcTimestamp.Normalize(value); }
}
