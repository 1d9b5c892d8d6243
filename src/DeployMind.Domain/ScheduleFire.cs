namespace DeployMind.Domain;

/// <summary>
/// One firing of a schedule. (schedule_key, fire_time) is the primary key, so when several server
/// processes share a database exactly one of them can claim a given fire time.
/// </summary>
public sealed class ScheduleFire
{
    private DateTime _fireTime;
    private DateTime _firedAt;

    /// <summary>Identifies the schedule, e.g. <c>storefront:0 3 * * *@Europe/Berlin</c>.</summary>
    public required string ScheduleKey { get; set; }

    /// <summary>The scheduled (cron) instant in UTC, not the moment it was claimed.</summary>
    public DateTime FireTime { get => _fireTime; set => _fireTime = UtcTimestamp.Normalize(value); }

    /// <summary>The deployment the firing queued; null until queued, or after that deployment is deleted.</summary>
    public string? DeploymentId { get; set; }

    /// <summary>The process (worker/server id) that claimed it.</summary>
    public required string FiredBy { get; set; }

    public DateTime FiredAt { get => _firedAt; set => _firedAt = UtcTimestamp.Normalize(value); }
}
