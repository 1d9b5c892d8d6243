using System.Text.Json.Nodes;

namespace DeployMind.Domain;

/// <summary>One entry of a deployment's chronological event trail.</summary>
public sealed class DeploymentLog : IDeploymentRecord
{
    private DateTime _timestamp;

    public long Id { get; set; }

    public required string DeploymentId { get; set; }

    public DateTime Timestamp { get => _timestamp; set => _timestamp = UtcTimestamp.Normalize(value); }

    public LogLevel Level { get; set; } = LogLevel.Info;

    /// <summary>The agent that wrote the entry: orchestrator, security, build, deploy, ...</summary>
    public required string Agent { get; set; }

    public required string Message { get; set; }

    /// <summary>A stable machine-readable event name such as scan_started or build_completed.</summary>
    public string? EventType { get; set; }

    public JsonObject? EventData { get; set; }
}
