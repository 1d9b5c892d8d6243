namespace DeployMind.Pipeline.Execution;

/// <summary>Orchestration settings.</summary>
public sealed class PipelineOptions
{
    /// <summary>Parent of each deployment's private workspace; defaults to the system temp directory.</summary>
    public string? WorkspaceRoot { get; set; }

    /// <summary>How long rollback hooks may run after a failure or cancellation.</summary>
    public TimeSpan RollbackTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long recording the final status may take even when the run was cancelled.</summary>
    public TimeSpan FinalizeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public string ResolveWorkspaceRoot() =>
        string.IsNullOrWhiteSpace(WorkspaceRoot) ? Path.Combine(Path.GetTempPath(), "deploymind-work") : Path.GetFullPath(WorkspaceRoot);
}
