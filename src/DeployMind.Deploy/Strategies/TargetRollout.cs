using System.Text.Json.Nodes;
using DeployMind.Deploy.Health;
using DeployMind.Pipeline.Execution;
using DeployMind.Proxy.Admin;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Deploy.Strategies;

/// <summary>
/// What a deployment did on one target, so it can be undone exactly: the proxy's backends before it started, the versions
/// that were live, and the container it started. Every strategy drives its targets through one of these.
/// </summary>
public sealed class TargetRollout(IAppHost host, RolloutContext context)
{
    /// <summary>How long a container gets to exit after SIGTERM once no request is in flight to it (or it never had traffic).</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>A backend out of traffic (weight 0) since longer than <paramref name="keep"/>: a standby whose time is over.</summary>
    public static bool StandbyExpired(BackendTraffic backend, TimeSpan keep, DateTimeOffset now) =>
        backend.Weight == 0 && backend.StandbySince is { } since && now - since >= keep;

    private static readonly TimeSpan s_cleanupTimeout = TimeSpan.FromSeconds(30);
    private bool _trafficChanged;
    private IReadOnlyList<AppVersion> _standby = [];

    public IAppHost Host { get; } = host;

    public string Target => Host.TargetName;

    /// <summary>The proxy's backend set before this deployment touched it (leftovers removed).</summary>
    public IReadOnlyList<BackendTraffic> Before { get; private set; } = [];

    /// <summary>The versions that received traffic before this deployment.</summary>
    public IReadOnlyList<AppVersion> Previous { get; private set; } = [];

    /// <summary>The new version's container, once started.</summary>
    public AppVersion? Started { get; private set; }

    /// <summary>The new version's share of traffic now (0 to 100).</summary>
    public int Weight { get; private set; }

    public bool Begun { get; private set; }

    /// <summary>True when the "new" version is the standby container, reused (a rollback): undoing never removes it.</summary>
    public bool Reused { get; private set; }

    public bool Restored { get; private set; }

    /// <summary>Where the new version answers health checks; null before it starts.</summary>
    public HealthEndpoint? Endpoint => Started is null ? null : context.EndpointFor(Host, Started);

    /// <summary>
    /// Reads what runs on the target and removes what no longer should: containers of the application that are neither live
    /// in the proxy nor the most recent standby still within its keep time (leftovers of an interrupted run, expired standbys).
    /// </summary>
    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        await Host.PrepareAsync(cancellationToken);
        var versions = await Host.ListVersionsAsync(cancellationToken);
        var traffic = await Host.GetTrafficAsync(cancellationToken);
        var now = context.Clock.GetUtcNow();
        var live = traffic.Where(t => t.Weight > 0).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var standby = traffic.Where(t => t.Weight == 0 && t.StandbySince is not null && !StandbyExpired(t, context.Strategy.KeepPreviousFor, now))
            .OrderByDescending(t => t.StandbySince).Select(t => t.Id).Take(1).ToHashSet(StringComparer.Ordinal);
        var keep = versions.Where(v => (live.Contains(v.Container) && v.Running) || standby.Contains(v.Container)).ToList();
        foreach (var stale in versions.Except(keep))
        {
            await context.LogAsync(DeploymentEvents.InstanceUpdated,
                $"{Target}: removing {stale.Container} ({stale.Version}, {stale.State}), left over from {stale.DeploymentId}",
                new JsonObject { ["target"] = Target, ["container"] = stale.Container }, cancellationToken: cancellationToken);
            await Host.RemoveVersionAsync(stale, StopGrace, cancellationToken);
        }

        var kept = keep.Select(v => v.Container).ToHashSet(StringComparer.Ordinal);
        Before = traffic.Where(t => kept.Contains(t.Id)).ToList();
        if (Before.Count != traffic.Count)
        {
            // The proxy pointed at containers that are gone: it must not keep sending requests there.
            await Host.SetTrafficAsync(Before.Select(b => b.ToBackend()).ToList(), context.Strategy.DrainTimeout, cancellationToken);
        }

        Previous = keep.Where(v => live.Contains(v.Container)).ToList();
        _standby = keep.Where(v => !live.Contains(v.Container) && v.Running).ToList();
        Begun = true;
        foreach (var hook in context.Hooks.PreDeploy)
        {
            await RunHookAsync("pre-deploy", hook, cancellationToken);
        }
    }

    /// <summary>Delivers the image, starts the new version beside the live one, and health-checks it. Traffic is not touched.</summary>
    public async Task<HealthVerdict> StartAsync(CancellationToken cancellationToken)
    {
        if (context.ReuseStandby && _standby.FirstOrDefault(v => v.Image == context.Launch.Image.Reference) is { } standby)
        {
            // A rollback to the version kept as standby: it is already running, so going back is a proxy switch.
            Started = standby;
            Reused = true;
            await context.LogAsync(DeploymentEvents.InstanceUpdated,
                $"{Target}: {standby.Container} still runs {standby.Image} as standby; checking its health before it takes the traffic back",
                new JsonObject { ["target"] = Target, ["container"] = standby.Container, ["port"] = standby.Port, ["reused"] = true },
                cancellationToken: cancellationToken);
        }
        else
        {
            await Host.DeliverImageAsync(context.Launch.Image, cancellationToken);
            Started = await Host.StartVersionAsync(context.Launch, cancellationToken);
            await context.LogAsync(DeploymentEvents.InstanceUpdated,
                $"{Target}: started {Started.Container} ({context.Version}) on port {Started.Port}; checking its health",
                new JsonObject { ["target"] = Target, ["container"] = Started.Container, ["port"] = Started.Port, ["image"] = context.Launch.Image.Reference },
                cancellationToken: cancellationToken);
        }

        var verdict = await context.Checker.WaitUntilHealthyAsync(Endpoint!, Reused ? context.Health with { InitialDelay = TimeSpan.Zero } : context.Health,
            cancellationToken);
        await context.LogAsync(verdict.Healthy ? DeploymentEvents.HealthCheckPassed : DeploymentEvents.HealthCheckFailed, verdict.Summary,
            new JsonObject { ["target"] = Target, ["healthy"] = verdict.Healthy, ["probes"] = verdict.Probes },
            verdict.Healthy ? LogLevel.Info : LogLevel.Error, cancellationToken);
        return verdict;
    }

    /// <summary>
    /// Gives the new version <paramref name="percent"/> of the traffic and the previously live versions the rest, in one
    /// atomic change of the proxy's set. At 100 the previous versions stay in the set at weight 0: standby, drained.
    /// </summary>
    public async Task ShiftAsync(int percent, CancellationToken cancellationToken)
    {
        if (Started is null)
        {
            throw new InvalidOperationException("the new version has not been started");
        }

        var previous = Previous.Select(p => p.Container).ToHashSet(StringComparer.Ordinal);
        var backends = new List<ProxyBackend>();
        var remaining = 100 - percent;
        var shares = Split(remaining, previous.Count);
        var index = 0;
        foreach (var b in Before.Where(b => b.Id != Started.Container))
        {
            backends.Add(b.ToBackend(previous.Contains(b.Id) ? shares[index++] : 0));
        }

        backends.Add(new ProxyBackend(Started.Container, Started.BackendUrl, previous.Count == 0 ? 100 : percent));
        _trafficChanged = true;
        await Host.SetTrafficAsync(backends, context.Strategy.DrainTimeout, cancellationToken);
        Weight = percent;
        await context.LogAsync(DeploymentEvents.TrafficShifted,
            previous.Count == 0
                ? $"{Target}: {Started.Container} receives all traffic (no previous version)"
                : $"{Target}: {percent}% of traffic to {Started.Container}, {remaining}% to {string.Join(", ", previous)}",
            new JsonObject { ["target"] = Target, ["new"] = Started.Container, ["percent"] = percent }, cancellationToken: cancellationToken);
    }

    /// <summary>Runs the post-deploy hooks (after the new version is live).</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var hook in context.Hooks.PostDeploy)
        {
            await RunHookAsync("post-deploy", hook, cancellationToken);
        }
    }

    /// <summary>
    /// Puts the target back as it was: the proxy's previous backend set (the old version serves everything again, at once),
    /// then the new container's last log lines into the deployment's logs, then the container stopped and removed. A previous
    /// version whose container is gone by now (removed after the rollout) is started again from its image, which is retained,
    /// and health-checked before traffic returns to it. Returns true when a previous version serves again.
    /// </summary>
    public async Task<bool> RestoreAsync(string reason, CancellationToken cancellationToken)
    {
        if (Restored || !Begun)
        {
            return Restored && PreviousServing;
        }

        var backends = Before.Select(b => b.ToBackend()).ToList();
        var serving = Previous.Count > 0;
        if (Previous.Count > 0)
        {
            // One probe tells whether the previous version still answers (it normally does: it was never stopped), which is
            // quicker than asking the target and also proves it serves.
            var answering = await Task.WhenAll(Previous.Select(async p => (p, (await context.Checker.ProbeOnceAsync(context.EndpointFor(Host, p), context.Health, cancellationToken)).Healthy)));
            foreach (var previous in answering.Where(a => !a.Item2).Select(a => a.p).ToList())
            {
                var restarted = await RestartAsync(previous, cancellationToken);
                var index = backends.FindIndex(b => b.Id == previous.Container);
                if (restarted is null)
                {
                    serving = false;
                    continue;
                }

                _trafficChanged = true;
                var backend = new ProxyBackend(restarted.Container, restarted.BackendUrl, index >= 0 ? backends[index].Weight : 100);
                if (index >= 0)
                {
                    backends[index] = backend;
                }
                else
                {
                    backends.Add(backend);
                }
            }
        }

        if (_trafficChanged)
        {
            await Host.SetTrafficAsync(backends, context.Strategy.DrainTimeout, cancellationToken);
            Weight = 0;
        }

        TrafficRestoredAt = context.Clock.GetUtcNow();

        PreviousServing = serving;
        await context.LogAsync(DeploymentEvents.TrafficShifted,
            serving
                ? $"{Target}: all traffic back on {string.Join(", ", Previous.Select(p => $"{p.Container} ({p.Version})"))}"
                : Previous.Count == 0 ? $"{Target}: no previous version to return traffic to" : $"{Target}: the previous version could not be started again",
            new JsonObject { ["target"] = Target, ["restored"] = serving, ["reason"] = reason },
            serving ? LogLevel.Warning : LogLevel.Error, cancellationToken);
        if (Started is not null && !Reused)
        {
            await KeepLogsAndRemoveAsync(Started, cancellationToken);
        }

        Restored = true;
        return serving;
    }

    /// <summary>When <see cref="RestoreAsync"/> had the proxy's previous backend set back in place.</summary>
    public DateTimeOffset? TrafficRestoredAt { get; private set; }

    /// <summary>True after <see cref="RestoreAsync"/> when a previous version serves the target's traffic again.</summary>
    public bool PreviousServing { get; private set; }

    /// <summary>
    /// After a successful rollout: keeps the previous version as standby (weight 0) when <paramref name="keepStandby"/>,
    /// otherwise drains and removes it; older standbys are always removed.
    /// </summary>
    public async Task RetireAsync(bool keepStandby, CancellationToken cancellationToken)
    {
        if (Started is null)
        {
            return;
        }

        var traffic = await Host.GetTrafficAsync(cancellationToken);
        var previous = Previous.Select(p => p.Container).ToHashSet(StringComparer.Ordinal);
        var retire = traffic.Where(t => t.Id != Started.Container && (!keepStandby || !previous.Contains(t.Id))).ToList();
        if (retire.Count == 0)
        {
            return;
        }

        var remaining = traffic.Except(retire).Select(t => t.ToBackend()).ToList();
        await Host.SetTrafficAsync(remaining, context.Strategy.DrainTimeout, cancellationToken);
        var versions = await Host.ListVersionsAsync(cancellationToken);
        foreach (var backend in retire)
        {
            await Host.WaitUntilDrainedAsync(backend.Id, context.Strategy.DrainTimeout, cancellationToken);
            if (versions.FirstOrDefault(v => v.Container == backend.Id) is { } version)
            {
                await Host.RemoveVersionAsync(version, StopGrace, cancellationToken);
                await context.LogAsync(DeploymentEvents.InstanceUpdated, $"{Target}: removed {version.Container} ({version.Version})",
                    new JsonObject { ["target"] = Target, ["container"] = version.Container }, cancellationToken: cancellationToken);
            }
        }
    }

    internal static int[] Split(int total, int parts)
    {
        if (parts == 0)
        {
            return [];
        }

        var shares = Enumerable.Repeat(total / parts, parts).ToArray();
        for (var i = 0; i < total % parts; i++)
        {
            shares[i]++;
        }

        return shares;
    }

    private async Task<AppVersion?> RestartAsync(AppVersion previous, CancellationToken cancellationToken)
    {
        await context.LogAsync(DeploymentEvents.InstanceUpdated,
            $"{Target}: {previous.Container} ({previous.Version}) is no longer running; starting it again from {previous.Image}",
            new JsonObject { ["target"] = Target, ["container"] = previous.Container, ["image"] = previous.Image }, LogLevel.Warning, cancellationToken);
        var existing = (await Host.ListVersionsAsync(cancellationToken)).FirstOrDefault(v => v.Container == previous.Container);
        if (existing is not null)
        {
            await Host.RemoveVersionAsync(existing, TimeSpan.FromSeconds(5), cancellationToken);
        }

        var launch = context.Launch with
        {
            DeploymentId = previous.DeploymentId,
            Version = previous.Version,
            Image = new DeployImage(previous.Image, null, FromRegistry: false),
        };
        var restarted = await Host.StartVersionAsync(launch, cancellationToken);
        var verdict = await context.Checker.WaitUntilHealthyAsync(context.EndpointFor(Host, restarted), context.Health with { InitialDelay = TimeSpan.Zero },
            cancellationToken);
        if (verdict.Healthy)
        {
            return restarted;
        }

        await context.LogAsync(DeploymentEvents.RollbackFailed, $"{Target}: {previous.Version} started again but is not healthy: {verdict.Summary}",
            new JsonObject { ["target"] = Target }, LogLevel.Critical, cancellationToken);
        return null;
    }

    private async Task KeepLogsAndRemoveAsync(AppVersion version, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(s_cleanupTimeout);
        IReadOnlyList<string> lines = [];
        InstanceSnapshot? state = null;
        try
        {
            state = await Host.InspectAsync(version, bounded.Token);
            lines = await Host.LogsTailAsync(version, context.FailedLogLines, bounded.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            lines = [$"(its logs could not be read: {ex.Message})"];
        }

        var described = state is null ? "" : $" ({state.State}{(state.ExitCode is { } code ? $", exit code {code}" : "")})";
        await context.LogAsync(DeploymentEvents.RollbackStarted,
            $"{Target}: last {lines.Count} log lines of {version.Container}{described}:\n{string.Join('\n', lines)}",
            new JsonObject
            {
                ["target"] = Target,
                ["container"] = version.Container,
                ["state"] = state?.State,
                ["exit_code"] = state?.ExitCode,
                ["log_lines"] = new JsonArray(lines.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            }, LogLevel.Warning, cancellationToken);
        if (_trafficChanged)
        {
            // It received requests: let the ones in flight finish before it stops.
            await Host.WaitUntilDrainedAsync(version.Container, context.Strategy.DrainTimeout, cancellationToken);
        }

        await Host.RemoveVersionAsync(version, StopGrace, cancellationToken);
        await context.LogAsync(DeploymentEvents.InstanceUpdated, $"{Target}: stopped and removed {version.Container}",
            new JsonObject { ["target"] = Target, ["container"] = version.Container }, cancellationToken: cancellationToken);
    }

    private async Task RunHookAsync(string kind, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        await context.LogAsync(DeploymentEvents.InstanceUpdated, $"{Target}: running {kind} hook: {string.Join(' ', command)}",
            new JsonObject { ["target"] = Target, ["hook"] = kind }, cancellationToken: cancellationToken);
        var output = await Host.RunHookAsync(command, context.HookTimeout, cancellationToken);
        if (!string.IsNullOrWhiteSpace(output))
        {
            await context.LogAsync(DeploymentEvents.InstanceUpdated, $"{Target}: {kind} hook output:\n{output.TrimEnd()}",
                new JsonObject { ["target"] = Target, ["hook"] = kind }, cancellationToken: cancellationToken);
        }
    }
}
