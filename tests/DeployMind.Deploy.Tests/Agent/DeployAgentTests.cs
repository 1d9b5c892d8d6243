using System.Text.Json.Nodes;
using DeployMind.Deploy.Agent;
using DeployMind.Deploy.Strategies;
using DeployMind.Deploy.Tests.Strategies;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Queue;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Deploy.Tests.Agent;

/// <summary>The deploy and verify stages run by the real orchestrator and queue, over fake app hosts.</summary>
public sealed class DeployAgentTests : IAsyncLifetime
{
    private static readonly Dictionary<string, FakeImage> s_images = new()
    {
        ["app:v1"] = FakeImage.Healthy,
        ["app:v2"] = FakeImage.Healthy,
        ["app:bad"] = FakeImage.Unhealthy,
        ["app:crash"] = FakeImage.ExitsAtStart,
    };

    private readonly Dictionary<string, FakeAppHost> _hosts = new(StringComparer.Ordinal);
    private TestDatabase _database = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.SqliteAsync();
        var services = new ServiceCollection();
        services.AddSingleton(_database.Database);
        services.AddDeployMindPipeline();
        services.AddSingleton<IAppHostFactory>(new Factory(this));
        services.AddSingleton<IAppEnvironmentSource>(new Variables());
        services.AddDeployMindDeployStage(o => o.Environment = new Dictionary<string, string?> { ["APP_DB"] = "postgres://u:hunter2@db/app" });
        services.Configure<QueueOptions>(o => o.PollInterval = TimeSpan.FromMilliseconds(20));
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.Values)
        {
            await host.ShutdownAsync();
        }

        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Deploy_BlueGreenHealthy_DeployedWithStandbyAndSecretsOnlyInTheContainer()
    {
        var old = await Host("web-1").SeedAsync("deploy-20260101-000001", "v1", "app:v1");

        var d = await RunAsync("app:v2", "blue-green");

        Assert.Equal(DeploymentStatus.Deployed, d.Status);
        var host = _hosts["web-1"];
        Assert.Equal($"{old.Container}=0,app-web-1-{d.Id}=100", host.Weights);
        var deploy = d.AgentExecutions.Single(a => a.AgentName == "deploy");
        Assert.True(deploy.Success);
        Assert.Equal("app:v2", deploy.Output!["image"]!["reference"]!.GetValue<string>());
        Assert.Equal("0123456", deploy.Output!["version"]!.GetValue<string>()[..7]);
        var verify = d.AgentExecutions.Single(a => a.AgentName == "verify");
        Assert.NotNull(verify.Output!["standby_until"]);
        Assert.Equal(2, host.Containers.Count);
        Assert.DoesNotContain(d.Logs, l => l.Message.Contains("hunter2", StringComparison.Ordinal) || l.Message.Contains("s3cret", StringComparison.Ordinal));
        var launch = Assert.Single(LaunchesOf(host));
        Assert.Equal("postgres://u:hunter2@db/app", launch.SecretEnvironment["DATABASE_URL"]);
        Assert.Equal("s3cret", launch.SecretEnvironment["API_TOKEN"]);
        Assert.Equal("info", launch.Environment["LOG_LEVEL"]);
        Assert.Equal("from-file", launch.Environment["FEATURE"]);
        Assert.Equal(0.5, launch.Cpus);
        Assert.Equal(128L * 1024 * 1024, launch.MemoryBytes);
    }

    [Fact]
    public async Task Deploy_Unhealthy_RolledBackWithReasonAndTheOldVersionServing()
    {
        var old = await Host("web-1").SeedAsync("deploy-20260101-000001", "v1", "app:v1");

        var d = await RunAsync("app:bad", "blue-green");

        Assert.Equal(DeploymentStatus.RolledBack, d.Status);
        Assert.Contains("returned 500", d.RollbackReason, StringComparison.Ordinal);
        Assert.Equal($"{old.Container}=100", _hosts["web-1"].Weights);
        Assert.Contains(d.Logs, l => l.EventType == "rollback_completed" && l.Message.Contains("previous version was serving again", StringComparison.Ordinal));
        Assert.Contains(d.Logs, l => l.EventType == "rollback_started" && l.Message.Contains("log lines of", StringComparison.Ordinal));
        Assert.NotNull(d.AgentExecutions.Single(a => a.AgentName == "deploy").Output!["rollback_seconds"]);
        Assert.Equal(3, d.HealthChecks.Count(h => !h.Healthy));
    }

    [Fact]
    public async Task Deploy_FirstVersionCrashes_FailedNotRolledBack()
    {
        Host("web-1");

        var d = await RunAsync("app:crash", "rolling");

        Assert.Equal(DeploymentStatus.Failed, d.Status);
        Assert.Empty(_hosts["web-1"].Containers);
    }

    [Fact]
    public async Task Verify_NewVersionDiesWhileMonitored_RolledBackToTheStandby()
    {
        var old = await Host("web-1").SeedAsync("deploy-20260101-000001", "v1", "app:v1");
        var host = _hosts["web-1"];
        host.Events.Clear();
        var queued = await EnqueueAsync("app:v2", "blue-green", monitorFor: "5s");
        var run = _services.GetRequiredService<DeploymentWorker>().RunNextAsync(CancellationToken.None);
        var container = $"app-web-1-{queued.Id}";
        while (!host.Weights.Contains($"{container}=100", StringComparison.Ordinal))
        {
            await Task.Delay(20);
        }

        await host.CrashAsync(container);
        Assert.True(await run);
        var d = await LoadAsync(queued.Id);

        Assert.Equal(DeploymentStatus.RolledBack, d.Status);
        Assert.Contains("unhealthy while monitored after going live", d.RollbackReason, StringComparison.Ordinal);
        Assert.Equal($"{old.Container}=100", host.Weights);
        Assert.Contains(d.Logs, l => l.EventType == "rollback_completed" && l.Message.Contains("traffic is back on the previous version", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_RollingHealthy_OldVersionRemoved()
    {
        var old = await Host("web-1").SeedAsync("deploy-20260101-000001", "v1", "app:v1");

        var d = await RunAsync("app:v2", "rolling");

        Assert.Equal(DeploymentStatus.Deployed, d.Status);
        Assert.Equal([$"app-web-1-{d.Id}"], _hosts["web-1"].Containers.Select(c => c.Container));
        Assert.DoesNotContain(old.Container, _hosts["web-1"].Weights, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandbyRetirement_AfterKeepPreviousFor_RemovesTheStandbyOnceAndLogsIt()
    {
        var old = await Host("web-1").SeedAsync("deploy-20260101-000001", "v1", "app:v1");
        var d = await RunAsync("app:v2", "blue-green");
        var host = _hosts["web-1"];
        var live = $"app-web-1-{d.Id}";

        var early = await Retirement(TimeSpan.Zero).RunAsync(CancellationToken.None);

        Assert.Empty(early.Retired);
        Assert.Equal($"{old.Container}=0,{live}=100", host.Weights);

        var sweep = await Retirement(TimeSpan.FromMinutes(2)).RunAsync(CancellationToken.None);

        var retired = Assert.Single(sweep.Retired);
        Assert.Equal((old.Container, "web-1", d.Id), (retired.Container, retired.Target, retired.DeploymentId));
        Assert.Empty(sweep.Problems);
        Assert.Equal($"{live}=100", host.Weights);
        Assert.Equal([live], host.Containers.Select(c => c.Container));
        var logs = (await LoadAsync(d.Id)).Logs;
        Assert.Contains(logs, l => l.EventType == StandbyRetirement.RetiredEvent && l.Message.Contains(old.Container, StringComparison.Ordinal)
            && l.Message.Contains("keep_previous_for 1m", StringComparison.Ordinal));

        var again = await Retirement(TimeSpan.FromMinutes(3)).RunAsync(CancellationToken.None);

        Assert.Empty(again.Retired);
        Assert.Equal($"{live}=100", host.Weights);
    }

    [Fact]
    public async Task StandbyRetirement_WhileANewerDeploymentIsQueued_LeavesTheAppAlone()
    {
        var old = await Host("web-1").SeedAsync("deploy-20260101-000001", "v1", "app:v1");
        var d = await RunAsync("app:v2", "blue-green");
        await EnqueueAsync("app:v1", "blue-green");

        var sweep = await Retirement(TimeSpan.FromMinutes(2)).RunAsync(CancellationToken.None);

        Assert.Empty(sweep.Retired);
        Assert.Equal($"{old.Container}=0,app-web-1-{d.Id}=100", _hosts["web-1"].Weights);
    }

    [Fact]
    public async Task StandbyRetirement_RollingDeployment_HasNoStandbyToRetire()
    {
        await Host("web-1").SeedAsync("deploy-20260101-000001", "v1", "app:v1");
        var d = await RunAsync("app:v2", "rolling");

        var sweep = await Retirement(TimeSpan.FromMinutes(2)).RunAsync(CancellationToken.None);

        Assert.Empty(sweep.Retired);
        Assert.Equal($"app-web-1-{d.Id}=100", _hosts["web-1"].Weights);
        Assert.DoesNotContain((await LoadAsync(d.Id)).Logs, l => l.EventType == StandbyRetirement.RetiredEvent);
    }

    /// <summary>The sweep as the server runs it, with a clock <paramref name="later"/> ahead of now.</summary>
    private StandbyRetirement Retirement(TimeSpan later) => new(_database.Database, _services.GetRequiredService<IAppHostFactory>(),
        _services.GetRequiredService<DeployOptions>(), new Later(later));

    private sealed class Later(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
    }

    [Fact]
    public async Task Deploy_NoImage_FailsClearly()
    {
        Host("web-1");

        var d = await RunAsync(null, "rolling");

        Assert.Equal(DeploymentStatus.Failed, d.Status);
        Assert.Contains("there is no image to deploy", d.AgentExecutions.Single(a => a.AgentName == "deploy").ErrorMessage, StringComparison.Ordinal);
    }

    private static IEnumerable<VersionLaunch> LaunchesOf(FakeAppHost host) => host.Launches;

    private FakeAppHost Host(string name)
    {
        var host = new FakeAppHost(name, s_images) { Shared = true };
        _hosts[name] = host;
        return host;
    }

    private async Task<Deployment> RunAsync(string? image, string strategy)
    {
        var queued = await EnqueueAsync(image, strategy);
        Assert.True(await _services.GetRequiredService<DeploymentWorker>().RunNextAsync(CancellationToken.None));
        return await LoadAsync(queued.Id);
    }

    private Task<Deployment> EnqueueAsync(string? image, string strategy, string monitorFor = "0s")
    {
        var extra = strategy == "blue-green" ? "  keep_previous_for: 1m\n" : "";
        var yaml = $$"""
            name: app
            repository: acme/app
            targets:
              - name: web-1
            strategy:
              type: {{strategy}}
            {{extra}}  drain_timeout: 1s
            health_check:
              path: /health
              initial_delay: 0s
              interval: 100ms
              timeout: 2s
              attempts: 3
              backoff: 1
              monitor_for: {{monitorFor}}
            env:
              LOG_LEVEL: info
            secrets:
              DATABASE_URL: { env: APP_DB }
            resources:
              cpus: 0.5
              memory: 128m
            """;
        var config = AppConfigLoader.Parse(yaml);
        var metadata = new JsonObject { ["app"] = "app", ["config"] = config.ToSafeJson(), ["plan"] = new JsonArray("deploy", "verify") };
        if (image is not null)
        {
            metadata["image"] = DeploymentImage.ToJson(new DeployImage(image, null, false));
        }

        return _services.GetRequiredService<DeploymentQueue>().EnqueueAsync(new DeploymentRequest
        {
            Repository = "acme/app",
            CommitSha = "0123456789abcdef0123456789abcdef01234567",
            Targets = ["web-1"],
            Strategy = WireValues.Parse<DeploymentStrategy>(strategy, "strategy"),
            Metadata = metadata,
        }, CancellationToken.None);
    }

    private async Task<Deployment> LoadAsync(string id)
    {
        await using var db = _database.Database.CreateContext();
        return await db.Deployments.AsNoTracking().Include(d => d.Logs).Include(d => d.AgentExecutions).Include(d => d.HealthChecks).SingleAsync(d => d.Id == id);
    }

    private sealed class Factory(DeployAgentTests owner) : IAppHostFactory
    {
        public Task<IAppHost> CreateAsync(AppHostRequest request, CancellationToken cancellationToken) =>
            Task.FromResult<IAppHost>(owner._hosts[request.Target.Name]);
    }

    private sealed class Variables : IAppEnvironmentSource
    {
        public Task<AppEnvironment> ResolveAsync(string application, CancellationToken cancellationToken) => Task.FromResult(new AppEnvironment(
            new Dictionary<string, string> { ["FEATURE"] = "from-file", ["LOG_LEVEL"] = "debug" },
            new Dictionary<string, string> { ["API_TOKEN"] = "s3cret" }));
    }
}
