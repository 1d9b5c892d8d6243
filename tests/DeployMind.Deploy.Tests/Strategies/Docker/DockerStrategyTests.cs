using DeployMind.Deploy.Agent;
using DeployMind.Deploy.Tests.Targets;
using DeployMind.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Deploy.Tests.Strategies.Docker;

/// <summary>
/// The strategies on real Docker over three SSH instances (scripts/sshd.sh), each behind its own edge proxy container:
/// each succeeding under constant load with no failed request, each failing (an image that exits at start, one never
/// healthy, a canary that errors or is slow, a version that dies after going live) and rolling back with the old version
/// still serving, and a manual rollback.
/// </summary>
[Collection(SshCollection.Name)]
[Trait("Requires", "docker")]
public sealed class DockerStrategyTests(SshInstances ssh, AppImages images) : IClassFixture<AppImages>
{
    [Fact]
    public async Task BlueGreen_ThreeInstancesUnderLoad_NewVersionEverywhereNoFailedRequestBlueKeptAsStandby()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh);
        var config = h.Config("blue-green", "  keep_previous_for: 10m");
        var first = await h.DeployAsync(images.V1, config);
        Assert.True(first.Status == DeploymentStatus.Deployed, DockerDeployHarness.Describe(first));
        Assert.Equal(["v1", "v1", "v1"], await h.GetAsync("/version"));

        await using var load = new LoadGenerator(h.Urls("/cgi-bin/app"), requestsPerSecond: 150);
        var second = await h.DeployAsync(images.V2, config);
        await Task.Delay(500);
        var (total, failures) = await load.StopAsync();

        Assert.True(second.Status == DeploymentStatus.Deployed, DockerDeployHarness.Describe(second));
        Assert.Equal(["v2", "v2", "v2"], await h.GetAsync("/version"));
        Assert.True(failures.Count == 0, $"{failures.Count} of {total} requests failed: {string.Join("; ", failures.Take(5))}");
        Assert.True(total > 100, $"only {total} requests");
        Assert.All(load.Bodies.Values, seen => Assert.Equal(["v1", "v2"], seen));
        // Blue stays as standby (weight 0), running, for an instant rollback.
        var containers = await h.ContainersAsync();
        Assert.Equal(6, containers.Count);
        Assert.All(containers, c => Assert.EndsWith(" running", c, StringComparison.Ordinal));
        Assert.Equal(3, (await h.ContainersAsync("proxy")).Count);
        Assert.Contains(second.HealthChecks, c => c.Healthy && c.InstanceId == "ssh-3");
    }

    [Fact]
    public async Task Rolling_ThreeInstancesOneAtATimeUnderLoad_NoFailedRequestOldVersionsRemoved()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh);
        var config = h.Config("rolling", "  batch_size: 1\n  pause: 200ms");
        Assert.Equal(DeploymentStatus.Deployed, (await h.DeployAsync(images.V1, config)).Status);

        await using var load = new LoadGenerator(h.Urls("/cgi-bin/app"), requestsPerSecond: 150);
        var d = await h.DeployAsync(images.V2, config);
        var (total, failures) = await load.StopAsync();

        Assert.True(d.Status == DeploymentStatus.Deployed, DockerDeployHarness.Describe(d));
        Assert.Equal(["v2", "v2", "v2"], await h.GetAsync("/version"));
        Assert.True(failures.Count == 0, $"{failures.Count} of {total} requests failed: {string.Join("; ", failures.Take(5))}");
        Assert.Equal(3, (await h.ContainersAsync()).Count);
        var batches = d.Logs.Where(l => l.Message.StartsWith("Batch ", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.Equal(["Batch 1/3: ssh-1", "Batch 2/3: ssh-2", "Batch 3/3: ssh-3"], batches);
    }

    [Fact]
    public async Task Canary_ToOneHundredPercentUnderLoad_AnalysedAtEveryStepThenTheOtherInstances()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh);
        var config = h.Config("canary", "  steps: [10, 50, 100]\n  step_pause: 1s\n  max_error_rate: 1\n  max_p99_ms: 800");
        Assert.Equal(DeploymentStatus.Deployed, (await h.DeployAsync(images.V1, config)).Status);

        await using var load = new LoadGenerator(h.Urls("/cgi-bin/app"), requestsPerSecond: 150);
        var d = await h.DeployAsync(images.V2, config);
        var (total, failures) = await load.StopAsync();

        Assert.True(d.Status == DeploymentStatus.Deployed, DockerDeployHarness.Describe(d));
        Assert.Equal(["v2", "v2", "v2"], await h.GetAsync("/version"));
        Assert.True(failures.Count == 0, $"{failures.Count} of {total} requests failed: {string.Join("; ", failures.Take(5))}");
        Assert.Equal(3, d.Logs.Count(l => l.EventType == "health_check_passed" && l.Message.StartsWith("Canary analysis at", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task BlueGreen_ImageExitsAtStart_RolledBackQuicklyOldVersionServingCrashLogKept()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh);
        var config = h.Config("blue-green", "  keep_previous_for: 10m", attempts: 50);
        Assert.Equal(DeploymentStatus.Deployed, (await h.DeployAsync(images.V1, config)).Status);

        await using var load = new LoadGenerator(h.Urls("/cgi-bin/app"), requestsPerSecond: 100);
        var d = await h.DeployAsync(images.Crash, config);
        var (total, failures) = await load.StopAsync();

        Assert.True(d.Status == DeploymentStatus.RolledBack, DockerDeployHarness.Describe(d));
        Assert.Contains("keeps exiting", d.RollbackReason, StringComparison.Ordinal);
        Assert.Equal(["v1", "v1", "v1"], await h.GetAsync("/version"));
        Assert.True(failures.Count == 0, $"{failures.Count} of {total} requests failed: {string.Join("; ", failures.Take(5))}");
        Assert.Contains(d.Logs, l => l.EventType == "rollback_started" && l.Message.Contains("Error: cannot find module express", StringComparison.Ordinal));
        Assert.Equal(3, (await h.ContainersAsync()).Count);
        Assert.True(d.DurationSeconds < 30, $"took {d.DurationSeconds} s");
    }

    [Fact]
    public async Task Rolling_NeverHealthy_StopsAtTheFirstBatchOldVersionServing()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh);
        var config = h.Config("rolling", attempts: 5);
        Assert.Equal(DeploymentStatus.Deployed, (await h.DeployAsync(images.V1, config)).Status);

        var d = await h.DeployAsync(images.Unhealthy, config);

        Assert.True(d.Status == DeploymentStatus.RolledBack, DockerDeployHarness.Describe(d));
        Assert.StartsWith("batch 1/3: ssh-1: health check", d.RollbackReason, StringComparison.Ordinal);
        Assert.Contains("returned 404", d.RollbackReason, StringComparison.Ordinal);
        Assert.Equal(["v1", "v1", "v1"], await h.GetAsync("/version"));
        Assert.Equal(5, d.HealthChecks.Count(c => !c.Healthy && c.InstanceId == "ssh-1"));
        Assert.DoesNotContain(d.HealthChecks, c => c.InstanceId == "ssh-2");
    }

    [Theory]
    [InlineData("erroring", "errors")]
    [InlineData("slow", "p99")]
    public async Task Canary_Regression_AbortedAndAllTrafficBackOnStable(string kind, string expected)
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh);
        var config = h.Config("canary", "  steps: [25, 100]\n  step_pause: 2s\n  max_error_rate: 1\n  max_p99_ms: 500");
        Assert.Equal(DeploymentStatus.Deployed, (await h.DeployAsync(images.V1, config)).Status);

        await using var load = new LoadGenerator(h.Urls("/cgi-bin/app"), requestsPerSecond: 100);
        var d = await h.DeployAsync(kind == "erroring" ? images.Erroring : images.Slow, config);
        await load.StopAsync();

        Assert.True(d.Status == DeploymentStatus.RolledBack, DockerDeployHarness.Describe(d));
        Assert.StartsWith("canary analysis at 25% failed: ssh-1: the proxy", d.RollbackReason, StringComparison.Ordinal);
        Assert.Contains(expected, d.RollbackReason, StringComparison.Ordinal);
        Assert.Equal(["v1", "v1", "v1"], await h.GetAsync("/version"));
        // After the abort nothing but stable answers.
        Assert.Equal(["v1", "v1", "v1"], await h.GetAsync("/cgi-bin/app"));
        Assert.Equal(3, (await h.ContainersAsync()).Count);
    }

    [Fact]
    public async Task Verify_VersionDiesAfterGoingLive_RolledBackToTheStandby()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh, targets: 1);
        var config = h.Config("blue-green", "  keep_previous_for: 10m", monitorFor: "20s", attempts: 3);
        Assert.Equal(DeploymentStatus.Deployed, (await h.DeployAsync(images.V1, h.Config("blue-green", "  keep_previous_for: 10m"))).Status);

        var d = await h.DeployAsync(images.DiesLater, config);

        Assert.True(d.Status == DeploymentStatus.RolledBack, DockerDeployHarness.Describe(d));
        Assert.Contains("unhealthy while monitored after going live", d.RollbackReason, StringComparison.Ordinal);
        Assert.Equal(["v1"], await h.GetAsync("/version"));
        Assert.Contains(d.Logs, l => l.EventType == "rollback_started" && l.Message.Contains("fatal: out of memory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManualRollback_NewDeploymentReusesThePreviousImageAndLinksToIt()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh);
        var config = h.Config("blue-green", "  keep_previous_for: 0s");
        var v1 = await h.DeployAsync(images.V1, config);
        var v2 = await h.DeployAsync(images.V2, config);
        Assert.Equal(DeploymentStatus.Deployed, v2.Status);
        Assert.Equal(["v2", "v2", "v2"], await h.GetAsync("/version"));
        Assert.Equal(3, (await h.ContainersAsync()).Count);

        var planned = await h.Services.GetRequiredService<RollbackPlanner>().PlanAsync(new RollbackRequest { Application = h.App }, CancellationToken.None);
        var rollback = await h.RunAsync(planned.Queued.Id);

        Assert.Equal(v1.Id, planned.To.Id);
        Assert.Equal(v2.Id, planned.From!.Id);
        Assert.True(rollback.Status == DeploymentStatus.Deployed, DockerDeployHarness.Describe(rollback));
        Assert.Equal(v1.Id, rollback.PreviousDeploymentId);
        Assert.Equal(v1.CommitSha, rollback.CommitSha);
        Assert.Equal(["deploy", "verify"], rollback.AgentExecutions.OrderBy(a => a.Id).Select(a => a.AgentName));
        Assert.Equal(["v1", "v1", "v1"], await h.GetAsync("/version"));
        Assert.Equal(images.V1, (await h.Services.GetRequiredService<RollbackPlanner>().ImageOfAsync(rollback.Id, CancellationToken.None))!.Reference);
    }

    [Fact]
    public async Task LocalTarget_BlueGreenWithoutStandby_OnlyTheNewVersionRemains()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh, targets: 1);
        Assert.Equal(DeploymentStatus.Deployed, (await h.DeployAsync(images.V1, h.LocalConfig())).Status);

        var d = await h.DeployAsync(images.V2, h.LocalConfig());

        Assert.True(d.Status == DeploymentStatus.Deployed, DockerDeployHarness.Describe(d));
        Assert.Equal(["v2"], await h.GetAsync("/version"));
        var container = Assert.Single(await h.ContainersAsync());
        Assert.StartsWith($"{h.App}-local-{d.Id} running", container, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instances_ShowsLiveAndStandbyVersionsWithCpuAndMemory()
    {
        await using var h = await DockerDeployHarness.CreateAsync(ssh, targets: 2);
        var config = h.Config("blue-green", "  keep_previous_for: 10m");
        var v1 = await h.DeployAsync(images.V1, config);
        var v2 = await h.DeployAsync(images.V2, config);

        var targets = await h.Services.GetRequiredService<AppInstances>().ReadAsync(Pipeline.Configuration.AppConfigLoader.Parse(config), null, CancellationToken.None);

        Assert.Equal(["ssh-1", "ssh-2"], targets.Select(t => t.Target));
        Assert.All(targets, t =>
        {
            Assert.True(t.Reachable, t.Error);
            Assert.Equal(2, t.Versions.Count);
            var live = t.Versions[0];
            Assert.Equal("live", live.Role);
            Assert.Equal(100, live.Weight);
            Assert.Equal(v2.Id, live.DeploymentId);
            Assert.Equal(CommitSha.Short(v2.CommitSha), live.Version);
            Assert.True(live.MemoryBytes > 0);
            Assert.NotNull(live.CpuPercent);
            Assert.Equal("standby", t.Versions[1].Role);
            Assert.Equal(v1.Id, t.Versions[1].DeploymentId);
        });
    }
}
