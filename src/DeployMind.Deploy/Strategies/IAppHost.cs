using DeployMind.Deploy.Health;
using DeployMind.Proxy.Admin;

namespace DeployMind.Deploy.Strategies;

/// <summary>
/// One application on one target: the versions of it that run there (containers on per-version loopback ports, network host)
/// and the edge proxy in front of them that listens on the target's app port. The strategies do everything through this,
/// so they run the same over the local engine, SSH hosts and EC2 instances (and over a fake in tests).
/// </summary>
public interface IAppHost : IAsyncDisposable
{
    /// <summary>The target's name (the health_checks.instance_id of its probes).</summary>
    string TargetName { get; }

    /// <summary>Where the versions' ports are reached (127.0.0.1 for local targets; the target's own loopback when probes are relayed).</summary>
    string ProbeHost { get; }

    /// <summary>
    /// Null when this process reaches the versions' ports itself; otherwise the handler that sends HTTP probes from the target
    /// (remote SSH hosts and EC2 instances, whose versions listen on their own loopback).
    /// </summary>
    HttpMessageHandler? ProbeRelay { get; }

    /// <summary>The URL users reach the application on through this target's proxy.</summary>
    string PublicUrl { get; }

    /// <summary>Whether the target answers, and its instance state (EC2); never throws for an unreachable target.</summary>
    Task<TargetStatus> DescribeTargetAsync(CancellationToken cancellationToken);

    /// <summary>Checks the target answers and its edge proxy runs (starting it when it does not).</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Makes the image present on the target (no-op when it already is).</summary>
    Task DeliverImageAsync(DeployImage image, CancellationToken cancellationToken);

    /// <summary>The application's containers on this target, running or not.</summary>
    Task<IReadOnlyList<AppVersion>> ListVersionsAsync(CancellationToken cancellationToken);

    /// <summary>Starts a version on a free port of the target and returns it (running, not yet checked or receiving traffic).</summary>
    Task<AppVersion> StartVersionAsync(VersionLaunch launch, CancellationToken cancellationToken);

    /// <summary>Stops (within <paramref name="stopTimeout"/>) and removes a version's container.</summary>
    Task RemoveVersionAsync(AppVersion version, TimeSpan stopTimeout, CancellationToken cancellationToken);

    /// <summary>The last lines the version's container wrote.</summary>
    Task<IReadOnlyList<string>> LogsTailAsync(AppVersion version, int lines, CancellationToken cancellationToken);

    /// <summary>The container's state now (running, exited with a code, missing).</summary>
    Task<InstanceSnapshot?> InspectAsync(AppVersion version, CancellationToken cancellationToken);

    /// <summary>CPU and memory of a running version; null when they cannot be read.</summary>
    Task<VersionStats?> StatsAsync(AppVersion version, CancellationToken cancellationToken);

    /// <summary>Runs command health checks inside the versions' containers.</summary>
    IContainerCommandExecutor Executor { get; }

    /// <summary>Runs a pre- or post-deploy hook on the target; throws when it fails.</summary>
    Task<string> RunHookAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The proxy's backends now (weight 0 = standby, no new requests); empty when no proxy runs for the application yet.</summary>
    Task<IReadOnlyList<BackendTraffic>> GetTrafficAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the proxy's backend set atomically; backends left out or at weight 0 drain within <paramref name="drainTimeout"/>.</summary>
    Task SetTrafficAsync(IReadOnlyList<ProxyBackend> backends, TimeSpan drainTimeout, CancellationToken cancellationToken);

    /// <summary>Waits until no request is in flight to the backend; false when the timeout passed first.</summary>
    Task<bool> WaitUntilDrainedAsync(string backendId, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>What the proxy saw of one backend over the last <paramref name="window"/>.</summary>
    Task<BackendMetrics> GetMetricsAsync(string backendId, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Keeps the last <paramref name="keep"/> images of the application on the target and removes older ones no container uses.</summary>
    Task PruneImagesAsync(int keep, CancellationToken cancellationToken);
}

/// <summary>The image a deployment rolls out.</summary>
/// <param name="Reference">What `docker run` is given: the tag (or repository@digest when pulled from a registry).</param>
/// <param name="ImageId">The content id (sha256:…), when known.</param>
/// <param name="FromRegistry">True when targets pull it from the registry; false when it is streamed to them.</param>
public sealed record DeployImage(string Reference, string? ImageId, bool FromRegistry);

/// <summary>One container of the application on a target.</summary>
/// <param name="Container">The container's name; also its backend id in the proxy.</param>
/// <param name="DeploymentId">The deployment that started it (label deploymind.deployment).</param>
/// <param name="Version">The version label (the commit's short sha).</param>
/// <param name="Image">The image reference it runs.</param>
/// <param name="Port">The loopback port it listens on (label deploymind.port).</param>
/// <param name="State">running, exited, restarting, created, ...</param>
public sealed record AppVersion(string Container, string DeploymentId, string Version, string Image, int Port, string State)
{
    public string BackendUrl => $"http://127.0.0.1:{Port}";

    public bool Running => State is "running";
}

/// <summary>What to start: the image, the environment (secrets separately, they never reach a command line) and labels.</summary>
public sealed record VersionLaunch
{
    public required string DeploymentId { get; init; }

    public required string Version { get; init; }

    public required DeployImage Image { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> SecretEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>docker's --restart value.</summary>
    public string RestartPolicy { get; init; } = "unless-stopped";

    /// <summary>docker's --cpus value, when limited.</summary>
    public double? Cpus { get; init; }

    /// <summary>docker's --memory value in bytes, when limited.</summary>
    public long? MemoryBytes { get; init; }
}

/// <summary>A backend in the proxy: its weight, and since when it has been out of rotation (standby).</summary>
public sealed record BackendTraffic(string Id, string Url, int Weight, DateTimeOffset? StandbySince)
{
    public ProxyBackend ToBackend(int? weight = null) => new(Id, Url, weight ?? Weight);
}

/// <summary>CPU and memory use of a running container.</summary>
public sealed record VersionStats(double CpuPercent, long MemoryBytes, long? MemoryLimitBytes);

/// <summary>A target as <see cref="IAppHost.DescribeTargetAsync"/> found it.</summary>
/// <param name="Reachable">A command ran there.</param>
/// <param name="InstanceState">EC2 instance state (running, stopped, ...); null for other targets.</param>
/// <param name="InstanceStatus">EC2 status check (ok, impaired, ...); null for other targets.</param>
/// <param name="Address">Where the target is (local, user@host:port, instance id).</param>
/// <param name="Error">Why it is not reachable.</param>
public sealed record TargetStatus(bool Reachable, string? InstanceState, string? InstanceStatus, string? Address, string? Error);
