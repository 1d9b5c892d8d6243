using DeployMind.Domain;
using DeployMind.Persistence.Retention;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.Persistence.Tests;

public abstract class RetentionTests(IDatabaseFactory factory)
{
    private static readonly DateTime s_now = SeedExamples.At("2026-06-30 12:00:00");

    [Fact]
    public async Task Prune_SeedDefaults_RemovesOnlyRowsPastEachTablesAge()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(s_now));
        await using var test = await factory.CreateAsync(clock, r => r.BatchSize = 7);
        await WriteAsync(test, daysAgo: [1, 8, 31, 91, 200]);
        var policy = test.Services.GetRequiredService<RetentionPolicy>();

        var pruned = (await policy.PruneAsync(dryRun: false, CancellationToken.None)).ToDictionary(p => p.Table, p => p.Rows);

        // Ages 1, 8, 31, 91, 200 days: health checks (7 d) lose 4 deployments' worth, logs/builds/executions (30 d) 3, scans (90 d) 2.
        Assert.Equal(4 * 5, pruned["health_checks"]);
        Assert.Equal(3 * 30, pruned["deployment_logs"]);
        Assert.Equal(3 * 1, pruned["build_results"]);
        Assert.Equal(3 * 4, pruned["agent_executions"]);
        Assert.Equal(2 * 3, pruned["security_scans"]);
        Assert.Equal(0, pruned["deployments"]);

        await using var db = test.Database.CreateContext();
        Assert.Equal(5, await db.Deployments.CountAsync());
        Assert.Equal(5, await db.HealthChecks.CountAsync());
        Assert.Equal(60, await db.DeploymentLogs.CountAsync());
        Assert.Equal(9, await db.SecurityScans.CountAsync());
        Assert.True(await db.HealthChecks.AllAsync(h => h.CheckTime >= s_now.AddDays(-7)));
    }

    [Fact]
    public async Task Prune_DryRun_CountsWithoutDeleting()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(s_now));
        await using var test = await factory.CreateAsync(clock);
        await WriteAsync(test, daysAgo: [1, 40]);
        var policy = test.Services.GetRequiredService<RetentionPolicy>();

        var planned = (await policy.PruneAsync(dryRun: true, CancellationToken.None)).ToDictionary(p => p.Table, p => p.Rows);

        Assert.Equal(30, planned["deployment_logs"]);
        Assert.Equal(5, planned["health_checks"]);
        await using var db = test.Database.CreateContext();
        Assert.Equal(60, await db.DeploymentLogs.CountAsync());
        Assert.Equal(10, await db.HealthChecks.CountAsync());
    }

    [Fact]
    public async Task Prune_ClockMovesForward_OlderRowsBecomeDueLater()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(s_now));
        await using var test = await factory.CreateAsync(clock);
        await WriteAsync(test, daysAgo: [3]);
        var policy = test.Services.GetRequiredService<RetentionPolicy>();

        Assert.Equal(0, (await policy.PruneAsync(false, CancellationToken.None)).Single(p => p.Table == "health_checks").Rows);
        clock.Advance(TimeSpan.FromDays(5));
        Assert.Equal(5, (await policy.PruneAsync(false, CancellationToken.None)).Single(p => p.Table == "health_checks").Rows);
    }

    [Fact]
    public async Task Prune_DeploymentRetentionSet_RemovesFinishedDeploymentsWithTheirRowsAndUnlinksNewerOnes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(s_now));
        await using var test = await factory.CreateAsync(clock, r =>
        {
            r.Deployments = TimeSpan.FromDays(365);
            r.SecurityScans = r.BuildResults = r.HealthChecks = r.DeploymentLogs = r.AgentExecutions = null;
            r.BatchSize = 1;
        });
        var written = await WriteAsync(test, daysAgo: [400, 500, 10]);
        await using (var db = test.Database.CreateContext())
        {
            var newest = await db.Deployments.SingleAsync(d => d.Id == written[2].Id);
            newest.PreviousDeploymentId = written[0].Id;
            await db.SaveChangesAsync();
        }

        var pruned = await test.Services.GetRequiredService<RetentionPolicy>().PruneAsync(false, CancellationToken.None);

        Assert.Equal(2, pruned.Single(p => p.Table == "deployments").Rows);
        await using var check = test.Database.CreateContext();
        var left = await check.Deployments.SingleAsync();
        Assert.Equal(written[2].Id, left.Id);
        Assert.Null(left.PreviousDeploymentId);
        Assert.Equal(30, await check.DeploymentLogs.CountAsync());
    }

    [Fact]
    public async Task Prune_InvalidOptions_ListsEveryProblem()
    {
        await using var test = await factory.CreateAsync(retention: r =>
        {
            r.BatchSize = 0;
            r.HealthChecks = TimeSpan.FromDays(-1);
        });
        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            test.Services.GetRequiredService<RetentionPolicy>().PruneAsync(false, CancellationToken.None));
        Assert.Contains("batch size 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("health_checks", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<Deployment>> WriteAsync(TestDatabase test, int[] daysAgo)
    {
        var deployments = new List<Deployment>();
        var generator = new Seeding.SampleDataGenerator(daysAgo.Length);
        foreach (var days in daysAgo)
        {
            // A one-day window ending `days` ago; every child row falls within an hour of the deployment.
            var end = s_now.AddDays(-days);
            var deployment = generator.Generate(1, end, days: 1).Single();
            Shift(deployment, end.AddMinutes(-30) - deployment.CreatedAt);
            deployments.Add(deployment);
        }

        await using var writer = test.Database.CreateBulkWriter();
        await writer.WriteAsync(deployments, CancellationToken.None);
        return deployments;
    }

    private static void Shift(Deployment d, TimeSpan by)
    {
        d.CreatedAt += by;
        d.UpdatedAt += by;
        d.StartedAt += by;
        d.CompletedAt += by;
        d.SecurityScans.ForEach(s => s.CreatedAt += by);
        d.BuildResults.ForEach(b => b.CreatedAt += by);
        d.HealthChecks.ForEach(h => h.CheckTime += by);
        d.Logs.ForEach(l => l.Timestamp += by);
        d.AgentExecutions.ForEach(a => a.StartedAt += by);
    }
}

public sealed class SqliteRetentionTests() : RetentionTests(new SqliteFactory());

[Collection(PostgresCollection.Name)]
public sealed class PostgresRetentionTests(PostgresServer server) : RetentionTests(new PostgresFactory(server));
