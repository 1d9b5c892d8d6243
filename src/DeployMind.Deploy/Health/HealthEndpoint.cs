namespace DeployMind.Deploy.Health;

/// <summary>Runs a program inside a container and reports its exit code (command health checks); bound to the target's container host.</summary>
public interface IContainerCommandExecutor
{
    Task<ContainerCommandResult> ExecAsync(string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Opens TCP connections from the target itself (TCP checks of versions on a remote target's loopback).</summary>
public interface ITcpRelay
{
    /// <summary>Null when the port accepted a connection; otherwise why it did not.</summary>
    Task<string?> ConnectAsync(string host, int port, CancellationToken cancellationToken);
}

/// <summary>How a program run inside a container ended; <see cref="TimedOut"/> means it did not answer in time.</summary>
public sealed record ContainerCommandResult(int ExitCode, string Output, bool TimedOut = false);

/// <summary>What the target says about the container behind an endpoint (state running/exited, exit code), read when a probe fails.</summary>
public sealed record InstanceSnapshot(string? State, string? Status, int? ExitCode = null)
{
    /// <summary>True when the container has stopped (or keeps crashing and being restarted), so further probes will not succeed.</summary>
    public bool Stopped => State is "exited" or "dead" or "removing" or "missing" or "restarting";
}

/// <summary>
/// One version of the application on one target, as the health checks see it: the address its port answers on,
/// the container (for command checks and state), and the target it runs on (recorded as instance_id).
/// </summary>
public sealed record HealthEndpoint
{
    /// <summary>The target's name (or EC2 instance id); stored in health_checks.instance_id.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The host the version's port is reached on from here (127.0.0.1 for local and loopback targets).</summary>
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>Sends HTTP probes from the target itself instead of from here (the version listens on the target's loopback).</summary>
    public HttpMessageHandler? Relay { get; init; }

    /// <summary>The container the version runs in; command checks run inside it.</summary>
    public string? Container { get; init; }

    /// <summary>Runs command checks inside <see cref="Container"/>.</summary>
    public IContainerCommandExecutor? Executor { get; init; }

    /// <summary>Reads the container's state after a failed probe, so an exited container ends the check at once.</summary>
    public Func<CancellationToken, Task<InstanceSnapshot?>>? Describe { get; init; }

    public override string ToString() => $"{InstanceId} ({Host}:{Port})";
}
