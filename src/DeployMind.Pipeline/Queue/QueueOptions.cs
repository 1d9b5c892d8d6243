namespace DeployMind.Pipeline.Queue;

public sealed class QueueOptions
{
    /// <summary>How long a worker's claim lasts without a heartbeat before the deployment counts as abandoned.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a worker renews its lease and checks for a cancel request.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an idle worker waits before looking at the queue again.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many pending deployments one claim attempt considers when the first ones' targets are busy.</summary>
    public int ClaimCandidates { get; set; } = 20;
}
