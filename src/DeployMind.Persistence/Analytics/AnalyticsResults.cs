namespace DeployMind.Persistence.Analytics;

/// <summary>Restricts analytics to deployments created in [Since, Until) and/or of one repository.</summary>
public sealed record StatsFilter(DateTime? Since = null, DateTime? Until = null, string? Repository = null)
{
    public static readonly StatsFilter None = new();

    public bool IsEmpty => Since is null && Until is null && Repository is null;
}

public sealed record AverageDeploymentTime(int DeployedCount, double? AverageSeconds);

public sealed record SuccessRate(int Total, int Deployed, double? Percent);

public sealed record DeploymentsOnDay(DateOnly Day, int Count);

public sealed record RepositoryVulnerabilities(string Repository, long CriticalAndHigh, long Critical, long High);

public sealed record ScanPassRate(int Total, int Passed, double? Percent);

public sealed record LanguageBuildTime(string Language, int Builds, double? AverageSeconds);

public sealed record ImageSizeReduction(int OptimizedBuilds, double? AveragePercent);

public sealed record FailedHealthCheck(string DeploymentId, DateTime CheckTime, string? CheckUrl, int? StatusCode, string? ErrorMessage);

public sealed record AverageResponseTime(int HealthyChecks, double? AverageMs);

public sealed record LlmCost(int Executions, decimal TotalUsd);

public sealed record AgentTokens(string AgentName, long InputTokens, long OutputTokens, long TotalTokens);
