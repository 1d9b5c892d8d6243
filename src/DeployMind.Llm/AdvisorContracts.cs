using DeployMind.Domain;

namespace DeployMind.Llm;

/// <summary>
/// The agents' advisor: explains and recommends for security, build, root cause and strategy. Every answer comes with
/// its LLM usage; when the model cannot answer, the deterministic rules do (model <c>rules</c>, no tokens).
/// </summary>
public interface IDeploymentAdvisor
{
    Task<Advice<SecurityAdvice>> AdviseSecurityAsync(SecurityAdviceRequest request, CancellationToken cancellationToken);

    Task<Advice<BuildFixAdvice>> SuggestBuildFixAsync(BuildFailureRequest request, CancellationToken cancellationToken);

    Task<Advice<RootCauseSummary>> SummarizeRootCauseAsync(RootCauseRequest request, CancellationToken cancellationToken);

    Task<Advice<StrategyRecommendation>> RecommendStrategyAsync(StrategyRequest request, CancellationToken cancellationToken);
}

/// <summary>The stage of the pipeline a failure belongs to (see DESIGN.md: source, security, build, deploy, verify, finish).</summary>
public enum DeploymentStage
{
    [WireValue("unknown")] Unknown,
    [WireValue("source")] Source,
    [WireValue("security")] Security,
    [WireValue("build")] Build,
    [WireValue("deploy")] Deploy,
    [WireValue("verify")] Verify,
    [WireValue("rollback")] Rollback,
}

/// <summary>One scanner's finding counts by severity.</summary>
public sealed record ScanSeverityCounts(ScanType ScanType, int Critical, int High, int Medium, int Low)
{
    public int Total => Critical + High + Medium + Low;
}

/// <summary>A finding as the advisor sees it: enough to explain and to recommend a fix.</summary>
public sealed record FindingSummary
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public required Severity Severity { get; init; }

    public ScanType? ScanType { get; init; }

    public string? Package { get; init; }

    public string? Version { get; init; }

    public string? FixedVersion { get; init; }

    public string? File { get; init; }

    public int? Line { get; init; }
}

public sealed record SecurityAdviceRequest
{
    public required string Repository { get; init; }

    /// <summary>What policy decided; the advice can only keep or tighten it.</summary>
    public required AgentDecision PolicyDecision { get; init; }

    /// <summary>The policy's own one-line reason, e.g. "2 critical vulnerabilities (max 0)".</summary>
    public string? PolicyReason { get; init; }

    public IReadOnlyList<ScanSeverityCounts> Scans { get; init; } = [];

    /// <summary>The most severe findings, most severe first.</summary>
    public IReadOnlyList<FindingSummary> TopFindings { get; init; } = [];
}

public sealed record SecurityAdvice(AgentDecision Decision, string Reasoning, IReadOnlyList<string> Recommendations);

public sealed record BuildFailureRequest
{
    public string? Repository { get; init; }

    public string? Language { get; init; }

    public string? Framework { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>The end of the build output; only its last lines are sent to the model.</summary>
    public required string BuildOutput { get; init; }

    public string? Dockerfile { get; init; }
}

public sealed record BuildFixAdvice(string Summary, IReadOnlyList<string> Suggestions);

/// <summary>One deployment_logs row as the root-cause analysis reads it.</summary>
public sealed record LogEntrySummary(LogLevel Level, string Agent, string? EventType, string Message)
{
    public DateTime? Timestamp { get; init; }
}

/// <summary>One failed health_checks row.</summary>
public sealed record HealthCheckFailure(string? Url, int? StatusCode, string? Error)
{
    public HealthCheckType CheckType { get; init; } = HealthCheckType.Http;
}

public sealed record RootCauseRequest
{
    public required string DeploymentId { get; init; }

    public required DeploymentStatus FinalStatus { get; init; }

    public string? RollbackReason { get; init; }

    /// <summary>The deployment's log entries in the order they were written.</summary>
    public IReadOnlyList<LogEntrySummary> Logs { get; init; } = [];

    public IReadOnlyList<HealthCheckFailure> FailedHealthChecks { get; init; } = [];

    public IReadOnlyList<ScanSeverityCounts> Scans { get; init; } = [];
}

public sealed record RootCauseSummary(string Summary, DeploymentStage Stage, IReadOnlyList<string> Evidence, IReadOnlyList<string> NextSteps);

/// <summary>One earlier deployment of the same repository and environment.</summary>
public sealed record DeploymentHistoryEntry(DeploymentStrategy Strategy, DeploymentStatus Status, double? DurationSeconds, bool RolledBack);

public sealed record StrategyRequest
{
    public required string Repository { get; init; }

    public required DeploymentEnvironment Environment { get; init; }

    public required int InstanceCount { get; init; }

    /// <summary>Most recent first.</summary>
    public IReadOnlyList<DeploymentHistoryEntry> History { get; init; } = [];
}

public sealed record StrategyRecommendation(DeploymentStrategy Strategy, string Reasoning);
