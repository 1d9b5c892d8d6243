namespace DeployMind.Pipeline.Execution;

/// <summary>Stable deployment_logs.event_type values; dashboards and alerts key on them, so they never change.</summary>
public static class DeploymentEvents
{
    public const string DeploymentQueued = "deployment_queued";
    public const string DeploymentStarted = "deployment_started";
    public const string StageStarted = "stage_started";
    public const string StageCompleted = "stage_completed";
    public const string StageFailed = "stage_failed";
    public const string SourceCheckedOut = "source_checked_out";
    public const string ScanStarted = "scan_started";
    public const string ScanCompleted = "scan_completed";
    public const string SecurityRejected = "security_rejected";
    public const string BuildStarted = "build_started";
    public const string BuildOutput = "build_output";
    public const string BuildCompleted = "build_completed";
    public const string BuildFailed = "build_failed";
    public const string DeployStarted = "deploy_started";
    public const string InstanceUpdated = "instance_updated";
    public const string TrafficShifted = "traffic_shifted";
    public const string HealthCheckPassed = "health_check_passed";
    public const string HealthCheckFailed = "health_check_failed";
    public const string RollbackStarted = "rollback_started";
    public const string RollbackCompleted = "rollback_completed";
    public const string RollbackFailed = "rollback_failed";
    public const string CancelRequested = "cancel_requested";
    public const string DeploymentCancelled = "deployment_cancelled";
    public const string DeploymentInterrupted = "deployment_interrupted";
    public const string RootCauseSummary = "root_cause_summary";
    public const string DeploymentCompleted = "deployment_completed";
    public const string DeploymentFailed = "deployment_failed";
}
