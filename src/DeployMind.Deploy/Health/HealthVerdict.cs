namespace DeployMind.Deploy.Health;

/// <summary>The outcome of a health check over one or more attempts, or of a monitoring window.</summary>
public sealed record HealthVerdict
{
    public required bool Healthy { get; init; }

    /// <summary>The instance the verdict is about (the first failing one when several were checked).</summary>
    public required string InstanceId { get; init; }

    public required int Probes { get; init; }

    public required int Failures { get; init; }

    /// <summary>The probe that decided the verdict.</summary>
    public ProbeResult? Last { get; init; }

    /// <summary>One line for logs and rollback_reason.</summary>
    public required string Summary { get; init; }

    /// <summary>When the verdict was reached (the bench measures from here to the old version serving).</summary>
    public required DateTimeOffset DecidedAt { get; init; }
}

/// <summary>What repeated probes of a version saw over a period: the canary analysis reads it.</summary>
public sealed record ProbeStatistics(int Total, int Failed, double P50Ms, double P99Ms, ProbeResult? LastFailure)
{
    public double SuccessRatePercent => Total == 0 ? 0 : 100.0 * (Total - Failed) / Total;
}
