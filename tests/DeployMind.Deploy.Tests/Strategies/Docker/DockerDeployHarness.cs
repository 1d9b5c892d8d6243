using System.Text.Json.Nodes;
using DeployMind.Deploy.Agent;
using DeployMind.Deploy.Strategies;
using DeployMind.Deploy.Tests.Health.Support;
using DeployMind.Deploy.Tests.Targets;
using DeployMind.Domain;
using DeployMind.Pipeline;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Queue;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Deploy.Tests.Strategies.Docker;

/// <summary>
/// One application deployed for real: the queue and orchestrator on a SQLite database, the deploy and verify stages over
/// Docker app hosts on the SSH instances (all sharing the test engine), each target with its own edge proxy container on
/// its own app port. Deployments skip source, security and build (plan deploy+verify) and name a prepared image. Every
/// container and proxy volume of the application is removed at the end.
/// </summary>
public sealed class DockerDeployHarness : IAsyncDisposable
{
    private readonly SshInstances _ssh;
    private readonly TestDatabase _database;
    private readonly ServiceProvider _services;

    private DockerDeployHarness(SshInstances ssh, TestDatabase database, ServiceProvider services, string app, IReadOnlyList<int> appPorts)
    {
        _ssh = ssh;
        _database = database;
        _services = services;
        App = app;
        AppPorts = appPorts;
    }

    public string App { get; }

    public IReadOnlyList<int> AppPorts { get; }

    public IServiceProvider Services => _services;

    public IReadOnlyList<string> Urls(string path) => AppPorts.Select(p => $"http://127.0.0.1:{p}{path}").ToList();

    public static async Task<DockerDeployHarness> CreateAsync(SshInstances ssh, int targets = 3)
    {
        var database = await TestDatabase.SqliteAsync();
        var services = new ServiceCollection();
        services.AddSingleton(database.Database);
        services.AddDeployMindPipeline();
        services.AddDeployMindDeployStage(o => o.FailedLogLines = 20);
        services.Configure<QueueOptions>(o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        var app = $"dt-{Guid.NewGuid():N}"[..11];
        var ports = Enumerable.Range(0, targets).Select(_ => FreePort.Next()).ToList();
        return new DockerDeployHarness(ssh, database, services.BuildServiceProvider(), app, ports);
    }

    /// <summary>deploymind.yml for the application over the first N SSH instances, with the given strategy and health settings.</summary>
    public string Config(string strategy, string strategyExtra = "", string monitorFor = "0s", int attempts = 10)
    {
        var targets = string.Join("", AppPorts.Select((port, i) => $$"""

              - name: ssh-{{i + 1}}
                type: ssh
                host: {{_ssh.Host}}
                port: {{_ssh.Ports[i]}}
                user: {{_ssh.User}}
                key: { file: {{_ssh.KeyPath}} }
                known_hosts: {{_ssh.KnownHostsPath}}
                app_port: {{port}}
            """));
        return $"""
            name: {App}
            repository: acme/{App}
            targets:{targets}
            strategy:
              type: {strategy}
              drain_timeout: 5s
            {strategyExtra}
            health_check:
              path: /health
              initial_delay: 0s
              interval: 200ms
              timeout: 2s
              attempts: {attempts}
              backoff: 1
              monitor_for: {monitorFor}
            """;
    }

    /// <summary>deploymind.yml for the application on the local engine (one target), blue-green.</summary>
    public string LocalConfig() => $$"""
        name: {{App}}
        repository: acme/{{App}}
        targets:
          - name: local
            type: local
            app_port: {{AppPorts[0]}}
        strategy:
          type: blue-green
          keep_previous_for: 0s
          drain_timeout: 5s
        health_check:
          path: /health
          initial_delay: 0s
          interval: 200ms
          timeout: 2s
          attempts: 10
          backoff: 1
        """;

    public async Task<Deployment> EnqueueAsync(string image, string config, string? commit = null)
    {
        var app = AppConfigLoader.Parse(config);
        var metadata = new JsonObject
        {
            ["app"] = App,
            ["config"] = app.ToSafeJson(),
            ["plan"] = new JsonArray("deploy", "verify"),
            ["image"] = DeploymentImage.ToJson(new DeployImage(image, null, false)),
        };
        return await _services.GetRequiredService<DeploymentQueue>().EnqueueAsync(new DeploymentRequest
        {
            Repository = $"acme/{App}",
            CommitSha = commit ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)),
            Targets = app.Targets.Select(t => t.Name).ToList(),
            Strategy = app.Strategy.Type,
            Metadata = metadata,
        }, CancellationToken.None);
    }

    /// <summary>Runs queued deployments (one, normally) until the queue is empty, and returns the given one as stored.</summary>
    public async Task<Deployment> RunAsync(string id)
    {
        var worker = _services.GetRequiredService<DeploymentWorker>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (await worker.RunNextAsync(timeout.Token))
        {
        }

        return await LoadAsync(id);
    }

    public async Task<Deployment> DeployAsync(string image, string config) => await RunAsync((await EnqueueAsync(image, config)).Id);

    public async Task<Deployment> LoadAsync(string id)
    {
        await using var db = _database.Database.CreateContext();
        return await db.Deployments.AsNoTracking().AsSplitQuery().Include(d => d.Logs.OrderBy(l => l.Id)).Include(d => d.AgentExecutions)
            .Include(d => d.HealthChecks).SingleAsync(d => d.Id == id);
    }

    /// <summary>What each target's proxy answers on a path right now.</summary>
    public async Task<IReadOnlyList<string>> GetAsync(string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var bodies = new List<string>();
        foreach (var url in Urls(path))
        {
            bodies.Add((await client.GetStringAsync(url)).Trim());
        }

        return bodies;
    }

    /// <summary>The application's containers on the shared engine (name, state), app and proxy.</summary>
    public async Task<IReadOnlyList<string>> ContainersAsync(string role = "app")
    {
        var result = await ProcessRunner.RunAsync("docker",
            ["ps", "--all", "--filter", $"label=deploymind.app={App}", "--filter", $"label=deploymind.role={role}", "--format", "{{.Names}} {{.State}}"],
            TimeSpan.FromSeconds(30));
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList();
    }

    public static string Describe(Deployment d) =>
        $"{d.Id} {d.Status.ToWire()} ({d.RollbackReason})\n" + string.Join("\n", d.Logs.Select(l => $"  {l.Agent} {l.EventType}: {l.Message}"));

    public async ValueTask DisposeAsync()
    {
        var ids = await ProcessRunner.RunAsync("docker", ["ps", "--all", "--quiet", "--filter", $"label=deploymind.app={App}"], TimeSpan.FromSeconds(30));
        var containers = ids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (containers.Length > 0)
        {
            await ProcessRunner.RunAsync("docker", ["rm", "--force", .. containers], TimeSpan.FromSeconds(60));
        }

        var volumes = await ProcessRunner.RunAsync("docker", ["volume", "ls", "--quiet", "--filter", $"name={App}-"], TimeSpan.FromSeconds(30));
        var names = volumes.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length > 0)
        {
            await ProcessRunner.RunAsync("docker", ["volume", "rm", "--force", .. names], TimeSpan.FromSeconds(60));
        }

        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }
}
