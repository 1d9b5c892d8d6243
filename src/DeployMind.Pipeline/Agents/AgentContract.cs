using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Pipeline.Agents;

/// <summary>The stages every deployment runs, in order.</summary>
public enum PipelineStage
{
    Source,
    Security,
    Build,
    Deploy,
    Verify,
}

/// <summary>
/// One stage's worker: checks out the source, scans it, builds it, rolls it out or verifies it.
/// Agents never change the deployment's status; the orchestrator does, from their results.
/// </summary>
public interface IDeploymentAgent
{
    /// <summary>Recorded as agent_executions.agent_name and deployment_logs.agent (source, security, build, deploy, verify).</summary>
    string Name { get; }

    string Version { get; }

    PipelineStage Stage { get; }

    Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Undoes what <see cref="ExecuteAsync"/> changed. Called in reverse stage order when a later stage fails
    /// or the deployment is cancelled, for every stage that completed.
    /// </summary>
    Task<RollbackOutcome> RollbackAsync(DeploymentContext context, CancellationToken cancellationToken) =>
        Task.FromResult(RollbackOutcome.NothingToUndo);
}

/// <summary>How a stage ended.</summary>
public enum AgentOutcome
{
    Succeeded,

    /// <summary>The stage ran but its result is unacceptable (a failed build, an unhealthy version).</summary>
    Failed,

    /// <summary>Policy refused to go on (the security gate); ends the deployment as security_failed.</summary>
    Rejected,
}

/// <summary>What an agent reports: its outcome, its output (stored as agent_executions.output) and its LLM usage.</summary>
public sealed record AgentResult
{
    public required AgentOutcome Outcome { get; init; }

    public JsonObject Output { get; init; } = [];

    /// <summary>Why the stage failed or was rejected, in one line a user can act on.</summary>
    public string? Reason { get; init; }

    public LlmUsage? Llm { get; init; }

    public bool Succeeded => Outcome == AgentOutcome.Succeeded;

    public static AgentResult Success(JsonObject? output = null, LlmUsage? llm = null) =>
        new() { Outcome = AgentOutcome.Succeeded, Output = output ?? [], Llm = llm };

    public static AgentResult Failure(string reason, JsonObject? output = null, LlmUsage? llm = null) =>
        new() { Outcome = AgentOutcome.Failed, Reason = reason, Output = output ?? [], Llm = llm };

    public static AgentResult Rejection(string reason, JsonObject? output = null, LlmUsage? llm = null) =>
        new() { Outcome = AgentOutcome.Rejected, Reason = reason, Output = output ?? [], Llm = llm };
}

/// <summary>What a rollback hook did.</summary>
public sealed record RollbackOutcome(bool Performed, bool RestoredPrevious, string Message)
{
    public static readonly RollbackOutcome NothingToUndo = new(false, false, "nothing to undo");
}
