using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Execution;

namespace DeployMind.Llm;

/// <summary>The pipeline's root-cause hook, answered by the advisor from the deployment's logs, failed checks and scans.</summary>
public sealed class AdvisorRootCauseAnalyst(IDeploymentAdvisor advisor, DeploymentQueries queries) : IRootCauseAnalyst
{
    private const int MaxLogEntries = 400;

    public async Task<RootCauseAnalysis> AnalyzeAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var deployment = await queries.GetAsync(deploymentId, cancellationToken);
        var logs = await queries.LogsAsync(deploymentId, 0, MaxLogEntries, cancellationToken);
        var request = new RootCauseRequest
        {
            DeploymentId = deployment.Id,
            FinalStatus = deployment.Status,
            RollbackReason = deployment.Status == DeploymentStatus.RolledBack ? deployment.RollbackReason : null,
            Logs = logs.Select(l => new LogEntrySummary(l.Level, l.Agent, l.EventType, l.Message) { Timestamp = l.Timestamp }).ToList(),
            FailedHealthChecks = deployment.HealthChecks.Where(h => !h.Healthy)
                .Select(h => new HealthCheckFailure(h.CheckUrl, h.StatusCode, h.ErrorMessage) { CheckType = h.CheckType }).ToList(),
            Scans = deployment.SecurityScans
                .Select(s => new ScanSeverityCounts(s.ScanType, s.CriticalCount, s.HighCount, s.MediumCount, s.LowCount)).ToList(),
        };
        var advice = await advisor.SummarizeRootCauseAsync(request, cancellationToken);
        var summary = advice.Value;
        return new RootCauseAnalysis(summary.Summary, summary.Stage == DeploymentStage.Unknown ? null : summary.Stage.ToWire(),
            summary.Evidence, summary.NextSteps, advice.Usage);
    }
}
