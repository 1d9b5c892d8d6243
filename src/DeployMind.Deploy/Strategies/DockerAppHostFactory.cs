using DeployMind.Deploy.Agent;
using DeployMind.Deploy.Targets;

namespace DeployMind.Deploy.Strategies;

/// <summary>Opens a <see cref="DockerAppHost"/> over the target a <c>TargetConfig</c> describes (local engine, SSH host, EC2 through SSM).</summary>
public sealed class DockerAppHostFactory(IDeployTargetFactory targets, DockerAppHostOptions options, TimeProvider clock) : IAppHostFactory
{
    public Task<IAppHost> CreateAsync(AppHostRequest request, CancellationToken cancellationToken)
    {
        var key = request.Secrets?.TargetKeys.GetValueOrDefault(request.Target.Name);
        request.Mask.Add(key?.Reveal());
        var target = targets.Create(request.Target, key, request.BaseDirectory);
        return Task.FromResult<IAppHost>(new DockerAppHost(target, request.Target, request.Application, options, request.Mask, clock)
        {
            Registry = request.Registry,
            RegistryPassword = request.Secrets?.RegistryPassword,
        });
    }
}
