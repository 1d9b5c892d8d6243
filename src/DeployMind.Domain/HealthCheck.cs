namespace DeployMind.Domain;

/// <summary>One health probe of a deployed instance (one attempt of a retried check).</summary>
public sealed class HealthCheck : IDeploymentRecord
{
    private DateTime _checkTime;

    public long Id { get; set; }

    public required string DeploymentId { get; set; }

    public DateTime CheckTime { get => _checkTime; set => _checkTime = UtcTimestamp.Normalize(value); }

    public HealthCheckType CheckType { get; set; }

    public string? CheckUrl { get; set; }

    public bool Healthy { get; set; }

    public int? StatusCode { get; set; }

    public double? ResponseTimeMs { get; set; }

    public string? ResponseBody { get; set; }

    public string? InstanceId { get; set; }

    /// <summary>Instance state as the target reports it (running, stopped, ...).</summary>
    public string? InstanceState { get; set; }

    /// <summary>Instance health as the target reports it (ok, impaired, ...).</summary>
    public string? InstanceStatus { get; set; }

    public int AttemptNumber { get; set; } = 1;

    public int? MaxAttempts { get; set; }

    public string? ErrorMessage { get; set; }
}
