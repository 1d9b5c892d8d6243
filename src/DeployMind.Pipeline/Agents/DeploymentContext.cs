using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Execution;

namespace DeployMind.Pipeline.Agents;

/// <summary>What an agent works with: the deployment, its configuration snapshot, a workspace, the trail, and earlier stages' artifacts.</summary>
public sealed class DeploymentContext
{
    public DeploymentContext(Deployment deployment, IDeploymentJournal journal, SecretMask secrets, string workspaceDirectory, TimeProvider clock)
    {
        Deployment = deployment;
        Journal = journal;
        Secrets = secrets;
        WorkspaceDirectory = workspaceDirectory;
        Clock = clock;
    }

    /// <summary>The deployment as claimed; agents read it, the orchestrator alone changes its status.</summary>
    public Deployment Deployment { get; }

    public string DeploymentId => Deployment.Id;

    /// <summary>The application configuration snapshot stored with the deployment (deploymind.yml, secrets as references only).</summary>
    public JsonObject? Configuration => Deployment.Metadata?["config"] as JsonObject;

    public IDeploymentJournal Journal { get; }

    /// <summary>Register every secret value an agent resolves, so nothing written to the trail can contain it.</summary>
    public SecretMask Secrets { get; }

    /// <summary>A directory private to this deployment, deleted when it ends.</summary>
    public string WorkspaceDirectory { get; }

    public ArtifactBag Artifacts { get; } = new();

    public TimeProvider Clock { get; }

    public Task LogAsync(string agent, string eventType, string message, JsonObject? data = null, LogLevel level = LogLevel.Info,
        CancellationToken cancellationToken = default) =>
        Journal.LogAsync(level, agent, eventType, message, data, cancellationToken);
}
