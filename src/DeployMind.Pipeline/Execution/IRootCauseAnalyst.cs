using DeployMind.Domain;
using DeployMind.Pipeline.Agents;

namespace DeployMind.Pipeline.Execution;

/// <summary>A root-cause summary of a failed or rolled-back deployment, from its logs, health checks and scans.</summary>
public sealed record RootCauseAnalysis(string Summary, string? Stage, IReadOnlyList<string> Evidence, IReadOnlyList<string> NextSteps, LlmUsage Usage);

/// <summary>Explains why a deployment failed; the advisor (LLM or rules) implements it.</summary>
public interface IRootCauseAnalyst
{
    Task<RootCauseAnalysis> AnalyzeAsync(string deploymentId, CancellationToken cancellationToken);
}
