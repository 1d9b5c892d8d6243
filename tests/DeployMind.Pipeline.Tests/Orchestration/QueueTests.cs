using System.Collections.Concurrent;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;
using DeployMind.Pipeline.Queue;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Pipeline.Tests.Orchestration;

public abstract class QueueTests
{
    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task Cancel_QueuedDeployment_CancelledWithoutRunningAnyStage()
    {
        await using var h = await PipelineHarness.CreateAsync(await CreateDatabaseAsync());
        var queued = await h.EnqueueAsync();

        Assert.Equal(CancelResult.CancelledWhileQueued, await h.Queue.RequestCancelAsync(queued.Id, "bob", CancellationToken.None));
        Assert.False(await h.Worker.RunNextAsync(CancellationToken.None));

        var d = await h.LoadAsync(queued.Id);
        Assert.Equal(DeploymentStatus.Cancelled, d.Status);
        Assert.Empty(h.Calls.All);
        Assert.Contains(d.Logs, l => l.EventType == DeploymentEvents.DeploymentCancelled && l.Message.Contains("by bob", StringComparison.Ordinal));
        Assert.Equal(CancelResult.AlreadyFinished, await h.Queue.RequestCancelAsync(queued.Id, null, CancellationToken.None));
    }

    [Fact]
    public async Task Cancel_RunningDeployment_StopsAtTheNextHeartbeatAndUndoesCompletedStages()
    {
        await using var h = await PipelineHarness.CreateAsync(await CreateDatabaseAsync());
        var building = new TaskCompletionSource();
        h.Agents[PipelineStage.Build].Behaviour = async (_, ct) =>
        {
            building.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return AgentResult.Success();
        };
        var queued = await h.EnqueueAsync();

        var running = h.Worker.RunNextAsync(CancellationToken.None);
        await building.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(CancelResult.Requested, await h.Queue.RequestCancelAsync(queued.Id, "bob", CancellationToken.None));
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        var d = await h.LoadAsync(queued.Id);
        Assert.Equal(DeploymentStatus.Cancelled, d.Status);
        Assert.Equal(["run source", "run security", "run build", "undo security", "undo source"], h.Calls.For(d.Id));
        Assert.False(d.AgentExecutions.Single(a => a.AgentName == "build").Success);
        Assert.Null(d.WorkerId);
        await using var db = h.Database.CreateContext();
        Assert.Empty(await db.TargetLocks.ToListAsync());
    }

    [Fact]
    public async Task Recover_WorkerDiedMidDeployment_MarkedFailedInterruptedAndTargetFreed()
    {
        await using var h = await PipelineHarness.CreateAsync(await CreateDatabaseAsync());
        var queued = await h.EnqueueAsync();
        // A worker claims it, starts building, then the process dies: no heartbeat ever renews the lease.
        var claimed = await h.Queue.ClaimNextAsync("dead-worker", CancellationToken.None);
        Assert.NotNull(claimed);
        await using (var db = h.Database.CreateContext())
        {
            await db.Deployments.Where(d => d.Id == queued.Id).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.Status, DeploymentStatus.Building)
                .SetProperty(d => d.LeaseExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        var recovered = await h.Queue.RecoverAbandonedAsync(CancellationToken.None);

        Assert.Equal([queued.Id], recovered);
        var d2 = await h.LoadAsync(queued.Id);
        Assert.Equal(DeploymentStatus.Failed, d2.Status);
        Assert.Equal("interrupted", d2.Metadata!["failure"]!["reason"]!.GetValue<string>());
        Assert.NotNull(d2.CompletedAt);
        Assert.Contains(d2.Logs, l => l.EventType == DeploymentEvents.DeploymentInterrupted && l.Message.Contains("dead-worker", StringComparison.Ordinal));
        // The target is free again: a new deployment to it runs.
        var next = await h.EnqueueAsync();
        Assert.True(await h.Worker.RunNextAsync(CancellationToken.None));
        Assert.Equal(DeploymentStatus.Deployed, (await h.LoadAsync(next.Id)).Status);
    }

    [Fact]
    public async Task Recover_LiveLease_LeavesTheDeploymentAlone()
    {
        await using var h = await PipelineHarness.CreateAsync(await CreateDatabaseAsync());
        await h.EnqueueAsync();
        await h.Queue.ClaimNextAsync("live-worker", CancellationToken.None);

        Assert.Empty(await h.Queue.RecoverAbandonedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Claim_SameTargetBusy_SecondDeploymentWaitsWhileOtherTargetsProceed()
    {
        await using var h = await PipelineHarness.CreateAsync(await CreateDatabaseAsync());
        var first = await h.EnqueueAsync("web-1");
        var second = await h.EnqueueAsync("web-1");
        var other = await h.EnqueueAsync("web-2");

        var a = await h.Queue.ClaimNextAsync("worker-a", CancellationToken.None);
        var b = await h.Queue.ClaimNextAsync("worker-b", CancellationToken.None);
        var c = await h.Queue.ClaimNextAsync("worker-c", CancellationToken.None);

        Assert.Equal(first.Id, a!.Id);
        Assert.Equal(other.Id, b!.Id);
        Assert.Null(c);
        await using (var db = h.Database.CreateContext())
        {
            // The first deployment finishes; its worker lets go of web-1.
            await db.Deployments.Where(d => d.Id == first.Id).ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, DeploymentStatus.Deployed));
        }

        await h.Queue.ReleaseAsync(first.Id, "worker-a", CancellationToken.None);
        Assert.Equal(second.Id, (await h.Queue.ClaimNextAsync("worker-c", CancellationToken.None))!.Id);
    }

    [Fact]
    public async Task Enqueue_MalformedRequest_RejectedNamingTheFieldAndNothingWritten()
    {
        await using var h = await PipelineHarness.CreateAsync(await CreateDatabaseAsync());

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => h.Queue.EnqueueAsync(new DeploymentRequest
        {
            Repository = "acme/storefront",
            CommitSha = "not-a-sha",
            Targets = ["web-1"],
        }, CancellationToken.None));

        Assert.Equal("commit_sha", error.Field);
        await using var db = h.Database.CreateContext();
        Assert.Equal(0, await db.Deployments.CountAsync());
    }
}

public sealed class SqliteQueueTests : QueueTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.SqliteAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresQueueTests(PostgresServer server) : QueueTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.PostgresAsync(server);

    [Fact]
    public async Task Workers_TwoRacingOnOneQueue_RunEveryDeploymentExactlyOnce()
    {
        await using var database = await TestDatabase.PostgresAsync(server);
        var calls = new AgentCalls();
        // Two independent workers (own services, own connection pools) on the same database.
        await using var one = await PipelineHarness.CreateAsync(database, sharedCalls: calls);
        await using var two = await PipelineHarness.CreateAsync(database, sharedCalls: calls);
        var ids = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            ids.Add((await one.EnqueueAsync($"web-{i % 6}")).Id);
        }

        var runs = new ConcurrentBag<string>();
        async Task DrainAsync(PipelineHarness h)
        {
            var idle = 0;
            while (idle < 20)
            {
                if (await h.Worker.RunNextAsync(CancellationToken.None))
                {
                    runs.Add(h.Worker.WorkerId);
                    idle = 0;
                }
                else
                {
                    idle++;
                    await Task.Delay(10);
                }
            }
        }

        await Task.WhenAll(DrainAsync(one), DrainAsync(two));

        Assert.Equal(24, runs.Count);
        foreach (var id in ids)
        {
            Assert.Equal(["run source", "run security", "run build", "run deploy", "run verify"], calls.For(id));
            Assert.Equal(DeploymentStatus.Deployed, (await one.LoadAsync(id)).Status);
        }

        Assert.Equal(2, runs.Distinct().Count());
    }
}
