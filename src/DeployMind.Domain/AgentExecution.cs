using System.Text.Json.Nodes;

namespace DeployMind.Domain;

/// <summary>One run of an agent for a deployment, with its LLM usage and cost.</summary>
public sealed class AgentExecution : IDeploymentRecord
{
    private DateTime _startedAt;
    private DateTime? _completedAt;

    public long Id { get; set; }

    public required string DeploymentId { get; set; }

    public required string AgentName { get; set; }

    public string? AgentVersion { get; set; }

    public DateTime StartedAt { get => _startedAt; set => _startedAt = UtcTimestamp.Normalize(value); }

    public DateTime? CompletedAt { get => _completedAt; set => _completedAt = UtcTimestamp.Normalize(value); }

    public double? DurationSeconds { get; set; }

    public bool Success { get; set; }

    /// <summary>The model that answered, or <c>rules</c> when the deterministic advisor did.</summary>
    public string? LlmModel { get; set; }

    public int LlmTokensInput { get; set; }

    public int LlmTokensOutput { get; set; }

    /// <summary>Cost in US dollars; decimal so sums are exact.</summary>
    public decimal LlmCostUsd { get; set; }

    public JsonObject? Output { get; set; }

    public string? ErrorMessage { get; set; }
}
