using DeployMind.Deploy.Health;
using DeployMind.Deploy.Strategies;
using DeployMind.Deploy.Tests.Health.Support;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Tests.Strategies;

public sealed class StrategyTests : IAsyncLifetime
{
    private const string Old = "deploy-20260101-000001";
    private static readonly HealthCheckConfig s_health = new()
    {
        InitialDelay = TimeSpan.Zero,
        Interval = TimeSpan.FromMilliseconds(30),
        Timeout = TimeSpan.FromSeconds(2),
        Attempts = 3,
        Backoff = 1.0,
    };

    private static readonly Dictionary<string, FakeImage> s_images = new()
    {
        ["app:v1"] = FakeImage.Healthy,
        ["app:v2"] = FakeImage.Healthy,
        ["app:bad"] = FakeImage.Unhealthy,
        ["app:crash"] = FakeImage.ExitsAtStart,
        ["app:erroring"] = FakeImage.Healthy with { ErrorRatePercent = 12.5 },
        ["app:slow"] = FakeImage.Healthy with { P99Ms = 2500 },
    };

    private readonly List<FakeAppHost> _hosts = [];
    private JournalFixture _f = null!;

    public async Task InitializeAsync() => _f = await JournalFixture.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _f.DisposeAsync();
    }

    [Fact]
    public async Task BlueGreen_HealthyGreen_SwitchesAllTrafficAndKeepsBlueAsStandby()
    {
        var host = Host("web-1");
        var blue = await host.SeedAsync(Old, "v1", "app:v1");

        var result = await new BlueGreenStrategy().ExecuteAsync(Context("app:v2", host), CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var green = $"app-web-1-{_f.DeploymentId}";
        Assert.Equal($"{blue.Container}=0,{green}=100", host.Weights);
        Assert.Single(host.History);
        Assert.Equal(["running", "running"], host.Containers.Select(c => c.State));
        Assert.Contains(await _f.HealthChecksAsync(), h => h.Healthy && h.InstanceId == "web-1");
        var logs = await _f.LogsAsync();
        Assert.Contains(logs, l => l.EventType == "deploy_started" && l.Message.Contains("by blue-green", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.EventType == "traffic_shifted" && l.Message.Contains($"100% of traffic to {green}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlueGreen_UnhealthyGreen_TrafficNeverMovesAndGreenRemovedWithItsLogsKept()
    {
        var host = Host("web-1");
        var blue = await host.SeedAsync(Old, "v1", "app:v1");

        var result = await new BlueGreenStrategy().ExecuteAsync(Context("app:bad", host), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.True(result.RestoredPrevious);
        Assert.Contains("failed 3 of 3 attempts: returned 500", result.Reason, StringComparison.Ordinal);
        Assert.Empty(host.History);
        Assert.Equal($"{blue.Container}=100", host.Weights);
        Assert.Equal([blue.Container], host.Containers.Select(c => c.Container));
        var logs = await _f.LogsAsync();
        Assert.Contains(logs, l => l.EventType == "rollback_started" && l.Message.Contains("listening on", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.EventType == "traffic_shifted" && l.Message.Contains($"all traffic back on {blue.Container} (v1)", StringComparison.Ordinal));
        Assert.Equal(3, (await _f.HealthChecksAsync()).Count(h => !h.Healthy));
    }

    [Fact]
    public async Task BlueGreen_ImageExitsAtStart_FailsOnTheFirstProbeWithTheCrashLogKept()
    {
        var host = Host("web-1");
        await host.SeedAsync(Old, "v1", "app:v1");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = await new BlueGreenStrategy().ExecuteAsync(Context("app:crash", host, s_health with { Attempts = 20, Interval = TimeSpan.FromSeconds(1) }),
            CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Contains("the container has exited with code 1", result.Reason, StringComparison.Ordinal);
        var crashLog = Assert.Single(await _f.LogsAsync(), l => l.EventType == "rollback_started" && l.Message.Contains("log lines", StringComparison.Ordinal));
        Assert.Contains("Error: cannot find module 'express'", crashLog.Message, StringComparison.Ordinal);
        Assert.Contains("exited, exit code 1", crashLog.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlueGreen_FirstDeploymentFails_NothingToRestore()
    {
        var host = Host("web-1");

        var result = await new BlueGreenStrategy().ExecuteAsync(Context("app:bad", host), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(result.RestoredPrevious);
        Assert.Empty(host.Containers);
    }

    [Fact]
    public async Task Rolling_ThreeTargetsThirdUnhealthy_DoneBatchesGoBackToTheOldVersion()
    {
        var hosts = new[] { Host("web-1"), Host("web-2"), Host("web-3", new Dictionary<string, FakeImage>(s_images) { ["app:v2"] = FakeImage.Unhealthy }) };
        var old = new List<AppVersion>();
        foreach (var h in hosts)
        {
            old.Add(await h.SeedAsync(Old, "v1", "app:v1"));
        }

        var result = await new RollingStrategy().ExecuteAsync(Context("app:v2", hosts), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.StartsWith("batch 3/3: web-3:", result.Reason, StringComparison.Ordinal);
        Assert.True(result.RestoredPrevious);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"{old[i].Container}=100", hosts[i].Weights);
            Assert.Equal([old[i].Container], hosts[i].Containers.Select(c => c.Container));
        }

        // web-1 and web-2 were switched to v2 and back; web-3's proxy was never touched.
        Assert.Equal(2, hosts[0].History.Count);
        Assert.Equal(2, hosts[1].History.Count);
        Assert.Empty(hosts[2].History);
    }

    [Fact]
    public async Task Rolling_BatchSizeTwo_UpdatesTwoTargetsThenTheThird()
    {
        var hosts = new[] { Host("web-1"), Host("web-2"), Host("web-3") };
        foreach (var h in hosts)
        {
            await h.SeedAsync(Old, "v1", "app:v1");
        }

        var context = Context("app:v2", hosts, strategy: new StrategyConfig { Type = DeploymentStrategy.Rolling, BatchSize = 2, Pause = TimeSpan.FromMilliseconds(10) });
        var result = await new RollingStrategy().ExecuteAsync(context, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.All(hosts, h => Assert.EndsWith($"app-{h.TargetName}-{_f.DeploymentId}=100", h.Weights, StringComparison.Ordinal));
        var batches = (await _f.LogsAsync()).Where(l => l.Message.StartsWith("Batch ", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.Equal(["Batch 1/2: web-1, web-2", "Batch 2/2: web-3"], batches);
        Assert.Equal(2, RollingStrategy.BatchSize(new StrategyConfig { BatchSize = null, MaxUnavailable = 2 }));
    }

    [Fact]
    public async Task Canary_Healthy_ShiftsThroughEveryStepThenUpdatesTheOtherTargets()
    {
        var hosts = new[] { Host("web-1"), Host("web-2") };
        var old = new List<AppVersion>();
        foreach (var h in hosts)
        {
            old.Add(await h.SeedAsync(Old, "v1", "app:v1"));
        }

        var result = await new CanaryStrategy().ExecuteAsync(Context("app:v2", hosts, strategy: Canary()), CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var canary = $"app-web-1-{_f.DeploymentId}";
        Assert.Equal(["90/10", "75/25", "50/50", "0/100"], hosts[0].History.Select(s => $"{s[0].Weight}/{s[1].Weight}"));
        Assert.Equal(canary, hosts[0].History[0][1].Id);
        Assert.Equal(["0/100"], hosts[1].History.Select(s => $"{s[0].Weight}/{s[1].Weight}"));
        Assert.Equal(4, (await _f.LogsAsync()).Count(l => l.Message.StartsWith("Canary analysis at", StringComparison.Ordinal) && l.EventType == "health_check_passed"));
    }

    [Fact]
    public async Task Canary_TwoCanaryTargetsOfThree_BothTakeEveryStepThenTheThirdSwitches()
    {
        var hosts = new[] { Host("web-1"), Host("web-2"), Host("web-3") };
        foreach (var h in hosts)
        {
            await h.SeedAsync(Old, "v1", "app:v1");
        }

        // Latency is not what this test is about: a loaded machine's first probes must not fail the analysis.
        var result = await new CanaryStrategy().ExecuteAsync(Context("app:v2", hosts, strategy: Canary() with { CanaryTargets = 2, MaxP99Ms = 60_000 }), CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.All(hosts.Take(2), h => Assert.Equal(["90/10", "75/25", "50/50", "0/100"], h.History.Select(s => $"{s[0].Weight}/{s[1].Weight}")));
        Assert.Equal(["0/100"], hosts[2].History.Select(s => $"{s[0].Weight}/{s[1].Weight}"));
    }

    [Fact]
    public async Task Canary_TwoCanaryTargetsOneRegresses_AbortsBothAndTheStableTargetIsUntouched()
    {
        var hosts = new[] { Host("web-1"), Host("web-2"), Host("web-3") };
        var old = new List<AppVersion>();
        foreach (var h in hosts)
        {
            old.Add(await h.SeedAsync(Old, "v1", "app:v1"));
        }

        var result = await new CanaryStrategy().ExecuteAsync(Context("app:erroring", hosts, strategy: Canary() with { CanaryTargets = 2 }), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("web-2: the proxy saw", result.Reason, StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"{old[i].Container}=100", hosts[i].Weights);
        }

        Assert.Empty(hosts[2].History);
    }

    [Theory]
    [InlineData("app:erroring", "the proxy saw 12.5% errors (25 5xx, 0 failed) of 200 requests > 1%")]
    [InlineData("app:slow", "the proxy measured p99 2500 ms over 200 requests > 1000 ms")]
    public async Task Canary_RegressionAtTheFirstStep_AbortsAndAllTrafficReturnsToStable(string image, string expected)
    {
        var hosts = new[] { Host("web-1"), Host("web-2") };
        var old = new List<AppVersion>();
        foreach (var h in hosts)
        {
            old.Add(await h.SeedAsync(Old, "v1", "app:v1"));
        }

        var result = await new CanaryStrategy().ExecuteAsync(Context(image, hosts, strategy: Canary()), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.True(result.RestoredPrevious);
        Assert.StartsWith("canary analysis at 10% failed: web-1: ", result.Reason, StringComparison.Ordinal);
        Assert.Contains(expected, result.Reason, StringComparison.Ordinal);
        Assert.Equal(["90/10"], hosts[0].History.Take(1).Select(s => $"{s[0].Weight}/{s[1].Weight}"));
        Assert.Equal($"{old[0].Container}=100", hosts[0].Weights);
        Assert.Equal([old[0].Container], hosts[0].Containers.Select(c => c.Container));
        Assert.Empty(hosts[1].History);
    }

    [Fact]
    public async Task Canary_ProbesFailDuringAStep_Aborts()
    {
        var host = Host("web-1", new Dictionary<string, FakeImage>(s_images)
        {
            // Healthy for the readiness check, then failing every other probe.
            ["app:v2"] = new(r => r.Number > 1 && r.Number % 2 == 0 ? new TestResponse(503) : TestResponse.Ok()),
        });
        await host.SeedAsync(Old, "v1", "app:v1");

        var result = await new CanaryStrategy().ExecuteAsync(Context("app:v2", host, strategy: Canary()), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("health probes failed", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hooks_RunBeforeAndAfterOnEachTarget_AndAFailingPreHookStartsNothing()
    {
        var host = Host("web-1");
        await host.SeedAsync(Old, "v1", "app:v1");
        var hooks = new HooksConfig { PreDeploy = [["echo", "migrate"]], PostDeploy = [["echo", "warm"]] };

        var ok = await new BlueGreenStrategy().ExecuteAsync(Context("app:v2", [host], hooks: hooks), CancellationToken.None);
        Assert.True(ok.Succeeded, ok.Reason);
        Assert.Equal(["echo migrate", "echo warm"], host.Hooks);

        var failing = Host("web-2");
        await failing.SeedAsync(Old, "v1", "app:v1");
        var refused = await new BlueGreenStrategy().ExecuteAsync(Context("app:v2", [failing], hooks: new HooksConfig { PreDeploy = [["false"]] }),
            CancellationToken.None);
        Assert.False(refused.Succeeded);
        Assert.Contains("hook false exited with 1", refused.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(failing.Events, e => e.StartsWith("start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Begin_RemovesLeftoversAndExpiredStandbysButKeepsTheLiveVersion()
    {
        var host = Host("web-1");
        var live = await host.SeedAsync(Old, "v1", "app:v1");
        var leftover = await host.StartVersionAsync(new VersionLaunch { DeploymentId = "deploy-20260101-00000f", Version = "vX", Image = new DeployImage("app:v1", null, false) },
            CancellationToken.None);
        var expired = await host.StartVersionAsync(new VersionLaunch { DeploymentId = "deploy-20260101-00000e", Version = "v0", Image = new DeployImage("app:v1", null, false) },
            CancellationToken.None);
        await host.SetTrafficAsync([new(expired.Container, expired.BackendUrl, 0), new(live.Container, live.BackendUrl, 100)], TimeSpan.Zero, CancellationToken.None);
        host.AgeStandby(expired.Container, DateTimeOffset.UtcNow.AddHours(-1));

        var rollout = new TargetRollout(host, Context("app:v2", host));
        await rollout.BeginAsync(CancellationToken.None);

        Assert.Equal([live.Container], host.Containers.Select(c => c.Container));
        Assert.Equal($"{live.Container}=100", host.Weights);
        Assert.Equal([live.Container], rollout.Previous.Select(p => p.Container));
        Assert.Contains(host.Events, e => e == $"remove {leftover.Container}");
    }

    [Fact]
    public async Task Restore_AfterThePreviousVersionWasRemoved_StartsItAgainFromItsImage()
    {
        var host = Host("web-1");
        var old = await host.SeedAsync(Old, "v1", "app:v1");
        var context = Context("app:v2", host, strategy: new StrategyConfig { Type = DeploymentStrategy.Rolling });
        var result = await new RollingStrategy().ExecuteAsync(context, CancellationToken.None);
        Assert.True(result.Succeeded, result.Reason);
        var rollout = Assert.Single(result.Targets);
        await rollout.RetireAsync(keepStandby: false, CancellationToken.None);
        Assert.DoesNotContain(host.Containers, c => c.Container == old.Container);

        var restored = await rollout.RestoreAsync("post-deployment monitoring failed", CancellationToken.None);

        Assert.True(restored);
        var running = Assert.Single(host.Containers);
        Assert.Equal(old.Container, running.Container);
        Assert.Equal("app:v1", running.Image);
        Assert.Equal($"{old.Container}=100", host.Weights);
    }

    [Fact]
    public async Task Rollback_ToTheStandbyImage_ReusesTheRunningStandbyWithoutANewContainer()
    {
        var host = Host("web-1");
        var v1 = await host.SeedAsync(Old, "v1", "app:v1");
        Assert.True((await new BlueGreenStrategy().ExecuteAsync(Context("app:v2", host), CancellationToken.None)).Succeeded);
        var v2 = $"app-web-1-{_f.DeploymentId}";
        host.Events.Clear();

        var c = Context("app:v1", host);
        var rollback = new RolloutContext
        {
            DeploymentId = c.DeploymentId,
            Application = c.Application,
            Version = "v1",
            Hosts = c.Hosts,
            Launch = c.Launch with { DeploymentId = "deploy-20260101-00000b" },
            Strategy = c.Strategy,
            Health = c.Health,
            Checker = c.Checker,
            Journal = c.Journal,
            Clock = c.Clock,
            ReuseStandby = true,
        };
        var result = await new BlueGreenStrategy().ExecuteAsync(rollback, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.True(Assert.Single(result.Targets).Reused);
        Assert.DoesNotContain(host.Events, e => e.StartsWith("start", StringComparison.Ordinal));
        Assert.Equal($"{v2}=0,{v1.Container}=100", host.Weights);
    }

    [Fact]
    public async Task Execute_TargetErrorMidway_RestoresAndReportsIt()
    {
        var hosts = new[] { Host("web-1"), Host("web-2") };
        var old = new List<AppVersion>();
        foreach (var h in hosts)
        {
            old.Add(await h.SeedAsync(Old, "v1", "app:v1"));
        }

        hosts[1].FailOn = "start";
        var result = await new RollingStrategy().ExecuteAsync(Context("app:v2", hosts), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("start failed on web-2", result.Reason, StringComparison.Ordinal);
        Assert.True(result.RestoredPrevious);
        Assert.Equal($"{old[0].Container}=100", hosts[0].Weights);
    }

    [Fact]
    public async Task Execute_Cancelled_RestoresThenRethrows()
    {
        var host = Host("web-1");
        var old = await host.SeedAsync(Old, "v1", "app:v1");
        using var cancel = new CancellationTokenSource();
        var context = Context("app:v2", [host], strategy: Canary() with { StepPause = TimeSpan.FromSeconds(30) });

        var run = new CanaryStrategy().ExecuteAsync(context, cancel.Token);
        while (host.History.Count == 0)
        {
            await Task.Delay(20);
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal($"{old.Container}=100", host.Weights);
        Assert.Equal([old.Container], host.Containers.Select(c => c.Container));
    }

    private static StrategyConfig Canary() => new()
    {
        Type = DeploymentStrategy.Canary,
        Steps = [10, 25, 50, 100],
        StepPause = TimeSpan.FromMilliseconds(100),
        MaxErrorRate = 1.0,
        MaxP99Ms = 1000,
    };

    private FakeAppHost Host(string name, IReadOnlyDictionary<string, FakeImage>? images = null)
    {
        var host = new FakeAppHost(name, images ?? s_images);
        _hosts.Add(host);
        return host;
    }

    private RolloutContext Context(string image, FakeAppHost host, HealthCheckConfig? health = null, StrategyConfig? strategy = null) =>
        Context(image, [host], health, strategy);

    private RolloutContext Context(string image, IReadOnlyList<FakeAppHost> hosts, HealthCheckConfig? health = null, StrategyConfig? strategy = null,
        HooksConfig? hooks = null) => new()
    {
        DeploymentId = _f.DeploymentId,
        Application = "app",
        Version = image.Split(':')[1],
        Hosts = hosts,
        Launch = new VersionLaunch { DeploymentId = _f.DeploymentId, Version = image.Split(':')[1], Image = new DeployImage(image, null, false) },
        Strategy = strategy ?? new StrategyConfig { Type = DeploymentStrategy.BlueGreen, DrainTimeout = TimeSpan.FromSeconds(1) },
        Health = health ?? s_health,
        Hooks = hooks ?? new HooksConfig(),
        Checker = new HealthChecker(_f.DeploymentId, new JournalHealthCheckRecorder(_f.Journal), TimeProvider.System),
        Journal = _f.Journal,
        Clock = TimeProvider.System,
    };
}
