using DeployMind.Deploy.Agent;
using DeployMind.Deploy.Targets;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.Deploy.Strategies;

/// <summary>Opens a <see cref="DockerAppHost"/> over the target a <see cref="TargetConfig"/> describes (local engine or SSH host).</summary>
public sealed class DockerAppHostFactory(DockerAppHostOptions options, IProcessRunner processes, TimeProvider clock, ILoggerFactory? loggers = null,
    IReadOnlyDictionary<string, string?>? environment = null) : IAppHostFactory
{
    public Task<IAppHost> CreateAsync(AppHostRequest request, CancellationToken cancellationToken)
    {
        var target = Open(request);
        return Task.FromResult<IAppHost>(new DockerAppHost(target, request.Target, request.Application, options, request.Mask, clock));
    }

    private IDeployTarget Open(AppHostRequest request)
    {
        var config = request.Target;
        var env = environment ?? SecretReference.ProcessEnvironment();
        switch (config.Type)
        {
            case TargetType.Local:
                return new LocalDockerTarget(config.Name, processes, env.GetValueOrDefault("DOCKER_HOST"), clock);
            case TargetType.Ssh:
                var key = request.Secrets?.TargetKeys.GetValueOrDefault(config.Name)
                          ?? config.Key?.Resolve(env)
                          ?? throw new InvalidInputException($"targets.{config.Name}.key", $"target '{config.Name}' names no SSH key; add key: {{ file: ~/.ssh/id_ed25519 }}");
                request.Mask.Add(key.Reveal());
                return new SshTarget(new SshTargetSettings
                {
                    Name = config.Name,
                    Host = config.Host!,
                    Port = config.Port,
                    User = config.User!,
                    PrivateKey = key,
                    KeySource = config.Key?.ToString() ?? "the configured key",
                    KnownHostsPath = ExpandHome(config.KnownHosts, env),
                    LocalDockerHost = env.GetValueOrDefault("DOCKER_HOST"),
                }, (loggers ?? NullLoggerFactory.Instance).CreateLogger<SshTarget>(), clock);
            default:
                throw new InvalidInputException($"targets.{config.Name}.type",
                    $"target '{config.Name}' is of type {config.Type.ToWire()}, which this build cannot deploy to yet; use a local or ssh target");
        }
    }

    private static string ExpandHome(string path, IReadOnlyDictionary<string, string?> environment)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Path.GetFullPath(path);
        }

        var home = environment.GetValueOrDefault("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Join(home, path.Length > 2 ? path[2..] : "");
    }
}
