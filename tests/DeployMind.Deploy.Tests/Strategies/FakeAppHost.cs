using System.Collections.Concurrent;
using DeployMind.Deploy.Health;
using DeployMind.Deploy.Strategies;
using DeployMind.Deploy.Tests.Health.Support;
using DeployMind.Proxy.Admin;

namespace DeployMind.Deploy.Tests.Strategies;

/// <summary>How a fake image behaves when started: its HTTP answers (null: it exits at start) and what the proxy measures for it.</summary>
public sealed record FakeImage(Func<TestRequest, TestResponse>? Handler, double ErrorRatePercent = 0, double P99Ms = 5)
{
    public static FakeImage Healthy { get; } = new(_ => TestResponse.Ok());

    public static FakeImage Unhealthy { get; } = new(_ => new TestResponse(500, "boom"));

    public static FakeImage ExitsAtStart { get; } = new((Func<TestRequest, TestResponse>?)null);
}

/// <summary>
/// An app host in memory: each "container" is a real loopback HTTP server (so health probes are real), the proxy is a list of
/// backends with its history, and the proxy metrics come from the image's script.
/// </summary>
public sealed class FakeAppHost(string target, IReadOnlyDictionary<string, FakeImage> images, TimeProvider? clock = null) : IAppHost, IContainerCommandExecutor
{
    private readonly ConcurrentDictionary<string, (AppVersion Version, LoopbackHttpServer? Server)> _containers = new();
    private readonly object _gate = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private List<BackendTraffic> _traffic = [];

    public string TargetName => target;

    public string ProbeHost => "127.0.0.1";

    public HttpMessageHandler? ProbeRelay => null;

    public string PublicUrl => $"http://127.0.0.1:0/{target}";

    public IContainerCommandExecutor Executor => this;

    /// <summary>Every backend set the proxy was given, in order.</summary>
    public List<IReadOnlyList<ProxyBackend>> History { get; } = [];

    public List<string> Events { get; } = [];

    public List<string> Hooks { get; } = [];

    /// <summary>Every version started, with its environment.</summary>
    public List<VersionLaunch> Launches { get; } = [];

    /// <summary>Makes the next operation of this name throw (e.g. "prepare", "start").</summary>
    public string? FailOn { get; set; }

    public IReadOnlyList<BackendTraffic> Traffic
    {
        get
        {
            lock (_gate)
            {
                return _traffic.ToList();
            }
        }
    }

    public IReadOnlyList<AppVersion> Containers => _containers.Values.Select(c => c.Version).OrderBy(v => v.Container, StringComparer.Ordinal).ToList();

    /// <summary>Live weights by container, e.g. "web-a-deploy-x=100".</summary>
    public string Weights => string.Join(",", Traffic.Select(t => $"{t.Id}={t.Weight}"));

    /// <summary>Puts a running version in place with all traffic, as an earlier deployment would have left it.</summary>
    public async Task<AppVersion> SeedAsync(string deploymentId, string version, string image)
    {
        var started = await StartVersionAsync(new VersionLaunch { DeploymentId = deploymentId, Version = version, Image = new DeployImage(image, null, false) },
            CancellationToken.None);
        await SetTrafficAsync([new ProxyBackend(started.Container, started.BackendUrl, 100)], TimeSpan.Zero, CancellationToken.None);
        History.Clear();
        Events.Clear();
        Launches.Clear();
        return started;
    }

    public Task<TargetStatus> DescribeTargetAsync(CancellationToken cancellationToken) =>
        Task.FromResult(FailOn == "describe"
            ? new TargetStatus(false, null, null, target, "connection refused")
            : new TargetStatus(true, null, null, target, null));

    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        Fail("prepare");
        Events.Add("prepare");
        return Task.CompletedTask;
    }

    public Task DeliverImageAsync(DeployImage image, CancellationToken cancellationToken)
    {
        Events.Add($"deliver {image.Reference}");
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AppVersion>> ListVersionsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AppVersion>>(Containers);

    public Task<AppVersion> StartVersionAsync(VersionLaunch launch, CancellationToken cancellationToken)
    {
        Fail("start");
        Launches.Add(launch);
        var image = images[launch.Image.Reference];
        var name = $"app-{target}-{launch.DeploymentId}";
        LoopbackHttpServer? server = image.Handler is null ? null : new LoopbackHttpServer(image.Handler);
        var version = new AppVersion(name, launch.DeploymentId, launch.Version, launch.Image.Reference, server?.Port ?? FreePort.Next(),
            server is null ? "exited" : "running");
        _containers[name] = (version, server);
        Events.Add($"start {name}");
        return Task.FromResult(version);
    }

    public async Task RemoveVersionAsync(AppVersion version, TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        if (_containers.TryRemove(version.Container, out var removed))
        {
            Events.Add($"remove {version.Container}");
            if (removed.Server is not null)
            {
                await removed.Server.DisposeAsync();
            }
        }
    }

    /// <summary>Stops a container as if it crashed (the server goes away, the state says exited).</summary>
    public async Task CrashAsync(string container)
    {
        var (version, server) = _containers[container];
        _containers[container] = (version with { State = "exited" }, null);
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    public Task<IReadOnlyList<string>> LogsTailAsync(AppVersion version, int lines, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(images[version.Image].Handler is null
            ? ["starting", "Error: cannot find module 'express'"]
            : ["starting", $"listening on {version.Port}"]);

    public Task<InstanceSnapshot?> InspectAsync(AppVersion version, CancellationToken cancellationToken) =>
        Task.FromResult<InstanceSnapshot?>(_containers.TryGetValue(version.Container, out var c)
            ? new InstanceSnapshot(c.Version.State, c.Version.State == "exited" ? "Exited (1)" : "Up", c.Version.State == "exited" ? 1 : null)
            : new InstanceSnapshot("missing", null));

    public Task<VersionStats?> StatsAsync(AppVersion version, CancellationToken cancellationToken) =>
        Task.FromResult<VersionStats?>(new VersionStats(1.5, 10_000_000, null));

    public Task<ContainerCommandResult> ExecAsync(string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.FromResult(new ContainerCommandResult(_containers.TryGetValue(container, out var c) && c.Server is not null ? 0 : 1, ""));

    public Task<string> RunHookAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Hooks.Add(string.Join(' ', command));
        if (command[0] == "false")
        {
            throw new InvalidOperationException($"hook {string.Join(' ', command)} exited with 1");
        }

        return Task.FromResult($"ran {command[0]}");
    }

    public Task<IReadOnlyList<BackendTraffic>> GetTrafficAsync(CancellationToken cancellationToken) => Task.FromResult(Traffic);

    public Task SetTrafficAsync(IReadOnlyList<ProxyBackend> backends, TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        Fail("traffic");
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            _traffic = backends.Select(b => new BackendTraffic(b.Id, b.Url, b.Weight,
                b.Weight > 0 ? null : _traffic.FirstOrDefault(t => t.Id == b.Id)?.StandbySince ?? now)).ToList();
            History.Add(backends.ToList());
        }

        return Task.CompletedTask;
    }

    /// <summary>Sets a backend's standby time directly (to age a standby).</summary>
    public void AgeStandby(string id, DateTimeOffset since)
    {
        lock (_gate)
        {
            _traffic = _traffic.Select(t => t.Id == id ? t with { StandbySince = since } : t).ToList();
        }
    }

    public Task<bool> WaitUntilDrainedAsync(string backendId, TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<BackendMetrics> GetMetricsAsync(string backendId, TimeSpan window, CancellationToken cancellationToken)
    {
        var image = images[_containers[backendId].Version.Image];
        var requests = 200L;
        var errors = (long)Math.Round(requests * image.ErrorRatePercent / 100.0);
        return Task.FromResult(new BackendMetrics(backendId, window.TotalSeconds, requests, errors, 0, 0, 0, image.ErrorRatePercent, 2, image.P99Ms,
            new ProxyWideMetrics(requests, 0, 0, 0)));
    }

    public Task PruneImagesAsync(int keep, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>When true, disposing (as the deploy stage does after each deployment) keeps the containers: the host outlives deployments.</summary>
    public bool Shared { get; set; }

    public ValueTask DisposeAsync() => Shared ? ValueTask.CompletedTask : ShutdownAsync();

    public async ValueTask ShutdownAsync()
    {
        foreach (var (_, server) in _containers.Values)
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private void Fail(string operation)
    {
        if (FailOn == operation)
        {
            throw new InvalidOperationException($"{operation} failed on {target}");
        }
    }
}
