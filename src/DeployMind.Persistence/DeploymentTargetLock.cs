using DeployMind.Domain;

namespace DeployMind.Persistence;

/// <summary>One target held by a running deployment; the primary key makes a second holder impossible.</summary>
public sealed class DeploymentTargetLock
{
    private DateTime _acquiredAt;

    public required string Target { get; init; }

    public required string DeploymentId { get; init; }

    public required string WorkerId { get; init; }

    public DateTime AcquiredAt { get => _acquiredAt; set => _acquiredAt = UtcTimestamp.Normalize(value); }
}
