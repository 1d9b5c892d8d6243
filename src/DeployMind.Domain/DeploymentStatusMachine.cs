using System.Collections.Frozen;

namespace DeployMind.Domain;

/// <summary>
/// The legal moves between deployment statuses: the seed's pending → deploying → deployed/failed,
/// refined per stage (security, build, deploy) and with the rollback path.
/// </summary>
public static class DeploymentStatusMachine
{
    private static readonly FrozenDictionary<DeploymentStatus, DeploymentStatus[]> s_next =
        new Dictionary<DeploymentStatus, DeploymentStatus[]>
        {
            [DeploymentStatus.Pending] =
            [
                DeploymentStatus.SecurityScanning, DeploymentStatus.Building, DeploymentStatus.Deploying,
                DeploymentStatus.Failed, DeploymentStatus.Cancelled,
            ],
            [DeploymentStatus.SecurityScanning] =
            [
                DeploymentStatus.Building, DeploymentStatus.SecurityFailed, DeploymentStatus.Failed,
                DeploymentStatus.Cancelled,
            ],
            [DeploymentStatus.Building] =
            [
                DeploymentStatus.Deploying, DeploymentStatus.BuildFailed, DeploymentStatus.Failed,
                DeploymentStatus.Cancelled,
            ],
            [DeploymentStatus.Deploying] =
            [
                DeploymentStatus.Deployed, DeploymentStatus.Failed, DeploymentStatus.RollingBack,
                DeploymentStatus.Cancelled,
            ],
            // Post-deployment monitoring may still find the new version unhealthy.
            [DeploymentStatus.Deployed] = [DeploymentStatus.RollingBack],
            [DeploymentStatus.RollingBack] = [DeploymentStatus.RolledBack, DeploymentStatus.Failed],
            [DeploymentStatus.SecurityFailed] = [],
            [DeploymentStatus.BuildFailed] = [],
            [DeploymentStatus.Failed] = [],
            [DeploymentStatus.RolledBack] = [],
            [DeploymentStatus.Cancelled] = [],
        }.ToFrozenDictionary();

    public static IReadOnlyList<DeploymentStatus> NextStatuses(DeploymentStatus from) => s_next[from];

    public static bool CanMove(DeploymentStatus from, DeploymentStatus to) => s_next[from].Contains(to);

    /// <summary>True for statuses in which the deployment has ended and records its completion time.</summary>
    public static bool IsFinished(DeploymentStatus status) => status is DeploymentStatus.Deployed
        or DeploymentStatus.Failed or DeploymentStatus.SecurityFailed or DeploymentStatus.BuildFailed
        or DeploymentStatus.RolledBack or DeploymentStatus.Cancelled;

    /// <summary>True for statuses a worker is actively driving (the deployment holds its target).</summary>
    public static bool IsActive(DeploymentStatus status) => status is DeploymentStatus.SecurityScanning
        or DeploymentStatus.Building or DeploymentStatus.Deploying or DeploymentStatus.RollingBack;
}
