using System.Text.Json.Nodes;

namespace DeployMind.Domain;

/// <summary>One deployment attempt of a repository at a commit to a target: the audit trail's root.</summary>
public sealed class Deployment
{
    private DateTime _createdAt;
    private DateTime _updatedAt;
    private DateTime? _startedAt;
    private DateTime? _completedAt;
    private DateTime? _leaseExpiresAt;
    private DateTime? _cancelRequestedAt;

    public required string Id { get; init; }

    public required string Repository { get; set; }

    public required string CommitSha { get; set; }

    public string? Branch { get; set; }

    public string? InstanceId { get; set; }

    public string? Region { get; set; }

    public DeploymentStatus Status { get; set; } = DeploymentStatus.Pending;

    public DeploymentEnvironment Environment { get; set; } = DeploymentEnvironment.Production;

    public DeploymentStrategy Strategy { get; set; } = DeploymentStrategy.Rolling;

    public string? ImageTag { get; set; }

    public double? ImageSizeMb { get; set; }

    public DateTime CreatedAt { get => _createdAt; set => _createdAt = UtcTimestamp.Normalize(value); }

    public DateTime UpdatedAt { get => _updatedAt; set => _updatedAt = UtcTimestamp.Normalize(value); }

    public DateTime? StartedAt { get => _startedAt; set => _startedAt = UtcTimestamp.Normalize(value); }

    public DateTime? CompletedAt { get => _completedAt; set => _completedAt = UtcTimestamp.Normalize(value); }

    public double? DurationSeconds { get; set; }

    public string? TriggeredBy { get; set; }

    public TriggerType TriggerType { get; set; } = TriggerType.Manual;

    public string? PreviousDeploymentId { get; set; }

    public string? RollbackReason { get; set; }

    public JsonObject? Metadata { get; set; }

    /// <summary>The worker process running this deployment, while one does.</summary>
    public string? WorkerId { get; set; }

    /// <summary>Until when the worker's claim holds; a lapsed lease means the worker died.</summary>
    public DateTime? LeaseExpiresAt { get => _leaseExpiresAt; set => _leaseExpiresAt = UtcTimestamp.Normalize(value); }

    /// <summary>Set by `deploymind cancel`; the worker stops at its next heartbeat.</summary>
    public DateTime? CancelRequestedAt { get => _cancelRequestedAt; set => _cancelRequestedAt = UtcTimestamp.Normalize(value); }

    /// <summary>The targets this deployment changes (newline-separated); each is locked while it runs.</summary>
    public string? TargetKeys { get; set; }

    public Deployment? PreviousDeployment { get; set; }

    public List<SecurityScan> SecurityScans { get; } = [];

    public List<BuildResult> BuildResults { get; } = [];

    public List<HealthCheck> HealthChecks { get; } = [];

    public List<DeploymentLog> Logs { get; } = [];

    public List<AgentExecution> AgentExecutions { get; } = [];

    /// <summary>
    /// Moves the deployment to <paramref name="next"/>, stamping started_at when work begins and
    /// completed_at with duration_seconds when it finishes. An illegal move throws.
    /// </summary>
    public void MoveTo(DeploymentStatus next, DateTime utcNow)
    {
        if (!DeploymentStatusMachine.CanMove(Status, next))
        {
            throw new InvalidStatusTransitionException(Id, Status, next);
        }

        var now = UtcTimestamp.Normalize(utcNow);
        if (Status == DeploymentStatus.Pending && next != DeploymentStatus.Cancelled && next != DeploymentStatus.Failed)
        {
            StartedAt ??= now;
        }

        Status = next;
        UpdatedAt = now;
        if (DeploymentStatusMachine.IsFinished(next))
        {
            CompletedAt = now;
            DurationSeconds = Math.Round((now - (StartedAt ?? CreatedAt)).TotalSeconds, 3);
        }
    }
}
