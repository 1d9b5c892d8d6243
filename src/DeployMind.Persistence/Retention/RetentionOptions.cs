namespace DeployMind.Persistence.Retention;

/// <summary>How long each table keeps rows (the seed's recommended policy by default). Null keeps forever.</summary>
public sealed class RetentionOptions
{
    public TimeSpan? Deployments { get; set; }

    public TimeSpan? SecurityScans { get; set; } = TimeSpan.FromDays(90);

    public TimeSpan? BuildResults { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan? HealthChecks { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan? DeploymentLogs { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan? AgentExecutions { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Rows deleted per statement, so a large prune never holds one giant transaction.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>How often the background job runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (BatchSize is < 1 or > 1_000_000)
        {
            problems.Add($"retention batch size {BatchSize} is out of range; use 1 to 1000000");
        }

        foreach (var (name, value) in new[]
                 {
                     ("deployments", Deployments), ("security_scans", SecurityScans), ("build_results", BuildResults),
                     ("health_checks", HealthChecks), ("deployment_logs", DeploymentLogs), ("agent_executions", AgentExecutions),
                 })
        {
            if (value is { } v && v <= TimeSpan.Zero)
            {
                problems.Add($"retention for {name} must be positive (or unset to keep forever), got {v}");
            }
        }

        return problems;
    }
}
