using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;
using DeployMind.Pipeline.Queue;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Pipeline.Tests.Orchestration;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>What the scripted agents did, in order, across every deployment of a test.</summary>
public sealed class AgentCalls
{
    private readonly ConcurrentQueue<string> _calls = new();

    public void Add(string call) => _calls.Enqueue(call);

    public IReadOnlyList<string> All => _calls.ToList();

    public IReadOnlyList<string> For(string deploymentId) =>
        _calls.Where(c => c.StartsWith(deploymentId + ":", StringComparison.Ordinal)).Select(c => c[(deploymentId.Length + 1)..]).ToList();
}

/// <summary>A test agent whose behaviour is set per test: succeed, fail, reject, throw, or block until cancelled.</summary>
public sealed class ScriptedAgent(PipelineStage stage, AgentCalls calls) : IDeploymentAgent
{
    public Func<DeploymentContext, CancellationToken, Task<AgentResult>> Behaviour { get; set; } = (_, _) => Task.FromResult(AgentResult.Success());

    public RollbackOutcome Undo { get; set; } = new(true, false, "undone");

    public string Name => stage.ToString().ToLowerInvariant();

    public string Version => "9.9.9";

    public PipelineStage Stage => stage;

    public async Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        calls.Add($"{context.DeploymentId}:run {Name}");
        return await Behaviour(context, cancellationToken);
    }

    public Task<RollbackOutcome> RollbackAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        calls.Add($"{context.DeploymentId}:undo {Name}");
        return Task.FromResult(Undo);
    }
}

public sealed class FakeAnalyst : IRootCauseAnalyst
{
    public Task<RootCauseAnalysis> AnalyzeAsync(string deploymentId, CancellationToken cancellationToken) =>
        Task.FromResult(new RootCauseAnalysis("The build failed because package-lock.json is missing.", "build",
            ["npm ERR! missing lockfile"], ["Commit package-lock.json"], new LlmUsage { Model = "test-model", TokensInput = 300, TokensOutput = 80, CostUsd = 0.0012m }));
}

/// <summary>A database, the pipeline services and one scripted agent per stage.</summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly ServiceProvider _services;

    private PipelineHarness(TestDatabase database, ServiceProvider services, AgentCalls calls, Dictionary<PipelineStage, ScriptedAgent> agents)
    {
        _database = database;
        _services = services;
        Calls = calls;
        Agents = agents;
    }

    public AgentCalls Calls { get; }

    public Dictionary<PipelineStage, ScriptedAgent> Agents { get; }

    public DeploymentQueue Queue => _services.GetRequiredService<DeploymentQueue>();

    public DeploymentWorker Worker => _services.GetRequiredService<DeploymentWorker>();

    public DeployMindDatabase Database => _database.Database;

    public static async Task<PipelineHarness> CreateAsync(TestDatabase database, bool withAnalyst = false,
        IEnumerable<PipelineStage>? stages = null, AgentCalls? sharedCalls = null)
    {
        var calls = sharedCalls ?? new AgentCalls();
        var agents = (stages ?? Enum.GetValues<PipelineStage>()).ToDictionary(s => s, s => new ScriptedAgent(s, calls));
        var services = new ServiceCollection();
        services.AddSingleton(database.Database);
        services.AddDeployMindPipeline();
        services.Configure<QueueOptions>(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(50);
            o.PollInterval = TimeSpan.FromMilliseconds(20);
            o.LeaseDuration = TimeSpan.FromSeconds(10);
        });
        foreach (var agent in agents.Values)
        {
            services.AddSingleton<IDeploymentAgent>(agent);
        }

        if (withAnalyst)
        {
            services.AddSingleton<IRootCauseAnalyst, FakeAnalyst>();
        }

        await Task.CompletedTask;
        return new PipelineHarness(database, services.BuildServiceProvider(), calls, agents);
    }

    public Task<Deployment> EnqueueAsync(string target = "web-1", JsonObject? metadata = null) =>
        Queue.EnqueueAsync(new DeploymentRequest
        {
            Repository = "acme/storefront",
            CommitSha = "0123456789abcdef0123456789abcdef01234567",
            Branch = "main",
            Targets = [target],
            TriggeredBy = "alice",
            Metadata = metadata,
        }, CancellationToken.None);

    /// <summary>Enqueues one deployment, runs it through the worker, and returns it as stored.</summary>
    public async Task<Deployment> DeployAsync()
    {
        var queued = await EnqueueAsync();
        Assert.True(await Worker.RunNextAsync(CancellationToken.None));
        return await LoadAsync(queued.Id);
    }

    public async Task<Deployment> LoadAsync(string id)
    {
        await using var db = Database.CreateContext();
        return await db.Deployments.AsNoTracking()
            .Include(d => d.Logs).Include(d => d.AgentExecutions)
            .SingleAsync(d => d.Id == id);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }
}
