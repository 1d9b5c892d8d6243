using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Build.Agent;

/// <summary>Pushes a built image to the configured registry.</summary>
public interface IImagePublisher
{
    /// <summary>Pushes <paramref name="image"/> and returns the pushed reference with its digest (<c>host/app@sha256:…</c>).</summary>
    Task<string?> PublishAsync(BuiltImage image, RegistryConfig registry, DeploymentContext ctx, CancellationToken cancellationToken);
}
