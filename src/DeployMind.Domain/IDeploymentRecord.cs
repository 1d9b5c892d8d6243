namespace DeployMind.Domain;

/// <summary>A row that belongs to one deployment (every table but deployments itself).</summary>
public interface IDeploymentRecord
{
    string DeploymentId { get; }
}
