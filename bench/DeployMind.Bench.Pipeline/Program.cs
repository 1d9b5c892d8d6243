using System.Diagnostics;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Persistence.PostgreSql;
using DeployMind.Persistence.Sqlite;
using DeployMind.Pipeline;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Queue;
using Microsoft.Extensions.DependencyInjection;

// Orchestration overhead with no-op agents.
//   overhead <database-url> [deployments=200]        one worker: wall time per deployment, queued to finished
//   throughput <database-url> [deployments=400] [workers=4]
// Baseline (same run): writing the same rows a deployment leaves (1 deployment, 5 executions, ~14 logs) with plain EF Core.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: DeployMind.Bench.Pipeline overhead|throughput <database-url> [deployments] [workers]");
    return 2;
}

var mode = args[0];
var url = args[1];
var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : mode == "overhead" ? 200 : 400;
var workers = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 4;

ServiceProvider Build() => new ServiceCollection()
    .AddDeployMindSqlite().AddDeployMindPostgreSql()
    .AddDeployMindPersistence(o => o.Url = url)
    .AddDeployMindPipeline()
    .Configure<QueueOptions>(o => o.PollInterval = TimeSpan.FromMilliseconds(5))
    .AddSingleton<IDeploymentAgent>(new NoOpAgent(PipelineStage.Source))
    .AddSingleton<IDeploymentAgent>(new NoOpAgent(PipelineStage.Security))
    .AddSingleton<IDeploymentAgent>(new NoOpAgent(PipelineStage.Build))
    .AddSingleton<IDeploymentAgent>(new NoOpAgent(PipelineStage.Deploy))
    .AddSingleton<IDeploymentAgent>(new NoOpAgent(PipelineStage.Verify))
    .BuildServiceProvider();

await using var main = Build();
var database = main.GetRequiredService<DeployMindDatabase>();
await database.MigrateAsync(CancellationToken.None);
var queue = main.GetRequiredService<DeploymentQueue>();
DeploymentRequest Request(int i) => new()
{
    Repository = "bench/app",
    CommitSha = "0123456789abcdef0123456789abcdef01234567",
    Targets = [$"host-{i}"],
};

var baseline = await BaselineAsync(database, 50);
Console.WriteLine($"provider: {database.Location.ProviderName}");
Console.WriteLine($"baseline: plain EF Core writes of one deployment's rows: {baseline:0.00} ms per deployment");

if (mode == "overhead")
{
    var worker = main.GetRequiredService<DeploymentWorker>();
    for (var i = 0; i < 10; i++)
    {
        await queue.EnqueueAsync(Request(i), CancellationToken.None);
        await worker.RunNextAsync(CancellationToken.None);
    }

    var times = new List<double>();
    for (var i = 0; i < count; i++)
    {
        var sw = Stopwatch.StartNew();
        await queue.EnqueueAsync(Request(i), CancellationToken.None);
        await worker.RunNextAsync(CancellationToken.None);
        times.Add(sw.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine($"orchestration with no-op agents, {count} deployments: median {times[count / 2]:0.00} ms, p95 {times[(int)(count * 0.95)]:0.00} ms, " +
                      $"max {times[^1]:0.00} ms per deployment; ratio to baseline {times[count / 2] / baseline:0.0}x");
}
else
{
    for (var i = 0; i < count; i++)
    {
        await queue.EnqueueAsync(Request(i), CancellationToken.None);
    }

    var pools = Enumerable.Range(0, workers).Select(_ => Build()).ToList();
    var done = 0;
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(pools.Select(async services =>
    {
        var worker = services.GetRequiredService<DeploymentWorker>();
        while (await worker.RunNextAsync(CancellationToken.None))
        {
            Interlocked.Increment(ref done);
        }
    }));
    sw.Stop();
    foreach (var p in pools)
    {
        await p.DisposeAsync();
    }

    await using var db = database.CreateContext();
    var deployed = db.Deployments.Count(d => d.Repository == "bench/app" && d.Status == DeploymentStatus.Deployed);
    Console.WriteLine($"queue throughput, {workers} workers: {done} deployments in {sw.Elapsed.TotalSeconds:0.00} s = {done / sw.Elapsed.TotalSeconds:0.0} deployments/s " +
                      $"({deployed} deployed; every deployment ran once: {deployed == done})");
}

return 0;

static async Task<double> BaselineAsync(DeployMindDatabase database, int n)
{
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < n; i++)
    {
        await using var db = database.CreateContext();
        var now = DateTime.UtcNow;
        var d = new Deployment { Id = DeploymentId.New(now.AddYears(-5).AddDays(-i)), Repository = "bench/baseline", CommitSha = "0123456", CreatedAt = now, UpdatedAt = now, Status = DeploymentStatus.Deployed };
        for (var a = 0; a < 5; a++)
        {
            d.AgentExecutions.Add(new AgentExecution { DeploymentId = d.Id, AgentName = "noop", StartedAt = now, CompletedAt = now, Success = true });
        }

        for (var l = 0; l < 14; l++)
        {
            d.Logs.Add(new DeploymentLog { DeploymentId = d.Id, Agent = "noop", Message = "step", Timestamp = now });
        }

        db.Deployments.Add(d);
        await db.SaveChangesAsync();
    }

    return sw.Elapsed.TotalMilliseconds / n;
}

internal sealed class NoOpAgent(PipelineStage stage) : IDeploymentAgent
{
    public string Name => stage.ToString().ToLowerInvariant();

    public string Version => "0";

    public PipelineStage Stage => stage;

    public Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken) => Task.FromResult(AgentResult.Success());
}
