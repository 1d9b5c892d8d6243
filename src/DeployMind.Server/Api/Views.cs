using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Server.Api;

public sealed record DeploymentSummary(
    string Id, string Repository, string CommitSha, string? Branch, string Status, string Strategy, string Environment,
    string TriggerType, string? TriggeredBy, DateTime CreatedAt, DateTime? StartedAt, DateTime? CompletedAt, double? DurationSeconds,
    string? RollbackReason, string? PreviousDeploymentId, string? App, string? InstanceId, string? Region, string? ImageTag, double? ImageSizeMb)
{
    public static DeploymentSummary Of(Deployment d) => new(
        d.Id, d.Repository, d.CommitSha, d.Branch, d.Status.ToWire(), d.Strategy.ToWire(), d.Environment.ToWire(), d.TriggerType.ToWire(),
        d.TriggeredBy, d.CreatedAt, d.StartedAt, d.CompletedAt, d.DurationSeconds, d.RollbackReason, d.PreviousDeploymentId,
        d.Metadata?["app"] is JsonValue app && app.TryGetValue<string>(out var name) ? name : null, d.InstanceId, d.Region, d.ImageTag, d.ImageSizeMb);
}

public sealed record DeploymentPage(IReadOnlyList<DeploymentSummary> Items, string? NextCursor);

/// <summary>The summary plus everything stored with the deployment (its metadata holds secret references only, never values).</summary>
public sealed record DeploymentDetail(
    string Id, string Repository, string CommitSha, string? Branch, string Status, string Strategy, string Environment,
    string TriggerType, string? TriggeredBy, DateTime CreatedAt, DateTime? StartedAt, DateTime? CompletedAt, double? DurationSeconds,
    string? RollbackReason, string? PreviousDeploymentId, string? App, string? InstanceId, string? Region, string? ImageTag, double? ImageSizeMb,
    IReadOnlyList<string> Targets, JsonObject? Metadata, JsonNode? Failure, JsonNode? RootCause, bool CancelRequested);

public sealed record StageView(string Stage, string Agent, DateTime StartedAt, DateTime? CompletedAt, double? DurationSeconds, bool Success, string? Error);

public sealed record SecurityScanView(
    long Id, string ScanType, string? ScannerName, string? ScannerVersion, double? ScanDurationSeconds, bool Passed, int TotalVulnerabilities,
    int CriticalCount, int HighCount, int MediumCount, int LowCount, JsonArray? Vulnerabilities, string? AgentDecision, string? AgentReasoning,
    string? Recommendations, DateTime CreatedAt);

public sealed record DecisionView(string? Verdict, string? Reasoning);

public sealed record BuildView(
    long Id, double? BuildDurationSeconds, bool Success, int? ExitCode, string? DockerfilePath, bool DockerfileGenerated, string? DetectedLanguage,
    string? DetectedFramework, string? ImageId, string? ImageTag, long? ImageSizeBytes, int? LayerCount, IReadOnlyList<string> OptimizationsApplied,
    long? OriginalSizeBytes, long? OptimizedSizeBytes, double? SizeReductionPercent, string? BuildLogs, string? ErrorMessage, string? AiSuggestions,
    DateTime CreatedAt);

public sealed record HealthCheckView(
    long Id, DateTime CheckTime, string CheckType, string? CheckUrl, bool Healthy, int? StatusCode, double? ResponseTimeMs, string? ResponseBody,
    string? InstanceId, string? InstanceState, string? InstanceStatus, int AttemptNumber, int? MaxAttempts, string? ErrorMessage);

public sealed record AgentExecutionView(
    long Id, string AgentName, string? AgentVersion, DateTime StartedAt, DateTime? CompletedAt, double? DurationSeconds, bool Success,
    string? LlmModel, int LlmTokensInput, int LlmTokensOutput, decimal LlmCostUsd, JsonObject? Output, string? ErrorMessage);

public sealed record DeploymentPageView(
    DeploymentDetail Deployment, IReadOnlyList<StageView> Stages, IReadOnlyList<SecurityScanView> SecurityScans, DecisionView? Decision,
    BuildView? Build, IReadOnlyList<HealthCheckView> HealthChecks, IReadOnlyList<AgentExecutionView> AgentExecutions)
{
    private static readonly HashSet<string> s_notStages = new(StringComparer.Ordinal) { "advisor" };

    public static DeploymentPageView Of(Deployment d)
    {
        var summary = DeploymentSummary.Of(d);
        var detail = new DeploymentDetail(summary.Id, summary.Repository, summary.CommitSha, summary.Branch, summary.Status, summary.Strategy,
            summary.Environment, summary.TriggerType, summary.TriggeredBy, summary.CreatedAt, summary.StartedAt, summary.CompletedAt,
            summary.DurationSeconds, summary.RollbackReason, summary.PreviousDeploymentId, summary.App, summary.InstanceId, summary.Region,
            summary.ImageTag, summary.ImageSizeMb,
            d.TargetKeys?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [],
            d.Metadata?.DeepClone() as JsonObject, d.Metadata?["failure"]?.DeepClone(), d.Metadata?["root_cause"]?.DeepClone(),
            d.CancelRequestedAt is not null);
        var scans = d.SecurityScans.Select(s => new SecurityScanView(s.Id, s.ScanType.ToWire(), s.ScannerName, s.ScannerVersion, s.ScanDurationSeconds,
            s.Passed, s.TotalVulnerabilities, s.CriticalCount, s.HighCount, s.MediumCount, s.LowCount, s.Vulnerabilities?.DeepClone() as JsonArray,
            s.AgentDecision?.ToWire(), s.AgentReasoning, s.Recommendations, s.CreatedAt)).ToList();
        var build = d.BuildResults.LastOrDefault() is { } b
            ? new BuildView(b.Id, b.BuildDurationSeconds, b.Success, b.ExitCode, b.DockerfilePath, b.DockerfileGenerated, b.DetectedLanguage,
                b.DetectedFramework, b.ImageId, b.ImageTag, b.ImageSizeBytes, b.LayerCount, b.OptimizationsApplied, b.OriginalSizeBytes,
                b.OptimizedSizeBytes, b.SizeReductionPercent, b.BuildLogs, b.ErrorMessage, b.AiSuggestions, b.CreatedAt)
            : null;
        return new DeploymentPageView(
            detail,
            d.AgentExecutions.Where(a => !s_notStages.Contains(a.AgentName))
                .Select(a => new StageView(a.AgentName, a.AgentName, a.StartedAt, a.CompletedAt, a.DurationSeconds, a.Success, a.ErrorMessage)).ToList(),
            scans,
            VerdictOf(d.SecurityScans),
            build,
            d.HealthChecks.Select(h => new HealthCheckView(h.Id, h.CheckTime, h.CheckType.ToWire(), h.CheckUrl, h.Healthy, h.StatusCode, h.ResponseTimeMs,
                h.ResponseBody, h.InstanceId, h.InstanceState, h.InstanceStatus, h.AttemptNumber, h.MaxAttempts, h.ErrorMessage)).ToList(),
            d.AgentExecutions.Select(a => new AgentExecutionView(a.Id, a.AgentName, a.AgentVersion, a.StartedAt, a.CompletedAt, a.DurationSeconds,
                a.Success, a.LlmModel, a.LlmTokensInput, a.LlmTokensOutput, a.LlmCostUsd, a.Output?.DeepClone() as JsonObject, a.ErrorMessage)).ToList());
    }

    /// <summary>The security agent's verdict over all scans: the strictest decision, with the reasoning given for it.</summary>
    private static DecisionView? VerdictOf(IReadOnlyList<SecurityScan> scans)
    {
        var decided = scans.Where(s => s.AgentDecision is not null).ToList();
        if (decided.Count == 0)
        {
            return null;
        }

        var verdict = decided.Max(s => s.AgentDecision!.Value);
        var reasoning = decided.Where(s => s.AgentDecision == verdict).Select(s => s.AgentReasoning).Where(r => !string.IsNullOrWhiteSpace(r))
            .Distinct(StringComparer.Ordinal).ToList();
        return new DecisionView(verdict.ToWire(), reasoning.Count == 0 ? null : string.Join("\n", reasoning));
    }
}

public sealed record LogItem(long Id, DateTime Timestamp, string Level, string Agent, string? EventType, string Message, JsonObject? Data)
{
    public static LogItem Of(DeploymentLog l) => new(l.Id, l.Timestamp, l.Level.ToWire(), l.Agent, l.EventType, l.Message, l.EventData?.DeepClone() as JsonObject);
}

public sealed record LogPage(IReadOnlyList<LogItem> Items, string? NextCursor);

public sealed record TriggerRequest(string? App, string? Repository, string? Path, string? Commit, string? Branch, string? Strategy, string? Environment);

public sealed record RollbackBody(string? To, string? Strategy);

public sealed record QueuedDeployment(string Id, string Status);

public sealed record CancelAccepted(string Id, string Status, string Result);

public sealed record SessionRequest(string? Token);

public sealed record SessionView(string Name, string Role, string? CsrfToken = null);

public sealed record AdviceView(JsonNode? RootCause, RecommendationView? Recommendation);

public sealed record RecommendationView(string Strategy, string Reasoning, string? Model);

public sealed record AnalyticsResult(string Name, int Days, IReadOnlyList<object> Rows);

public sealed record VariableView(string Name, string? Value, string? Masked, bool IsSecret, DateTime UpdatedAt);

public sealed record SetVariableRequest(string? Value, bool? Secret);

public sealed record ImportResultView(string App, int Created, int Updated, IReadOnlyList<VariableView> Variables);

public sealed record AppView(string Name, string? Repository, string Branch, string Environment, string Strategy, IReadOnlyList<string> Targets, IReadOnlyList<ScheduleView> Schedules);

public sealed record ScheduleView(string Cron, string TimeZone, string? Branch, DateTime? NextFireAt);
