using DeployMind.Deploy.Health;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;
using System.Text.Json.Nodes;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Deploy.Strategies;

/// <summary>Everything a strategy needs to roll one version of an application out to its targets.</summary>
public sealed class RolloutContext
{
    public const string Agent = "deploy";

    public required string DeploymentId { get; init; }

    public required string Application { get; init; }

    /// <summary>The version label: the commit's short sha.</summary>
    public required string Version { get; init; }

    /// <summary>The targets, in configuration order.</summary>
    public required IReadOnlyList<IAppHost> Hosts { get; init; }

    /// <summary>The image, environment and limits of the new version's containers.</summary>
    public required VersionLaunch Launch { get; init; }

    public required StrategyConfig Strategy { get; init; }

    public required HealthCheckConfig Health { get; init; }

    public HooksConfig Hooks { get; init; } = new();

    public required HealthChecker Checker { get; init; }

    public required IDeploymentJournal Journal { get; init; }

    public required TimeProvider Clock { get; init; }

    /// <summary>How long a hook command may run.</summary>
    public TimeSpan HookTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Log lines of a failed container kept in the deployment's logs.</summary>
    public int FailedLogLines { get; init; } = 50;

    public Task LogAsync(string eventType, string message, JsonObject? data = null, LogLevel level = LogLevel.Info,
        CancellationToken cancellationToken = default) =>
        Journal.LogAsync(level, Agent, eventType, message, data, cancellationToken);

    public HealthEndpoint EndpointFor(IAppHost host, AppVersion version) => new()
    {
        InstanceId = host.TargetName,
        Host = host.ProbeHost,
        Relay = host.ProbeRelay,
        Port = version.Port,
        Container = version.Container,
        Executor = host.Executor,
        Describe = ct => host.InspectAsync(version, ct),
    };
}
