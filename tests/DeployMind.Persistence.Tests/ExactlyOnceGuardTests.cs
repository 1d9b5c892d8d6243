using DeployMind.Domain;
using DeployMind.Persistence.Retention;
using DeployMind.Persistence.RuntimeConfig;
using DeployMind.Persistence.Tokens;
using DeployMind.Persistence.Webhooks;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.Persistence.Tests;

public abstract class ExactlyOnceGuardTests(IDatabaseFactory factory)
{
    private const int Contenders = 20;
    private static readonly DateTime s_now = SeedExamples.At("2026-06-30 12:00:00");

    [Fact]
    public async Task TryRecord_TwentyConcurrentDeliveriesOfOneId_ExactlyOneWins()
    {
        await using var test = await factory.CreateAsync();
        var log = test.Services.GetRequiredService<WebhookDeliveryLog>();
        var id = Guid.NewGuid().ToString();
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, Contenders).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return log.TryRecordAsync(id, "push", "acme/web", CancellationToken.None);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, won => won);
        Assert.False(await log.TryRecordAsync(id, "push", "acme/web", CancellationToken.None));
        Assert.True(await log.TryRecordAsync(Guid.NewGuid().ToString(), "push", "acme/web", CancellationToken.None));
        await using var db = test.Database.CreateContext();
        Assert.Equal(2, await db.WebhookDeliveries.CountAsync());
    }

    [Fact]
    public async Task TryClaim_TwentyConcurrentClaimsFromTwoProcesses_ExactlyOneWins()
    {
        await using var test = await factory.CreateAsync();
        // Two service providers on one database stand for two server processes.
        await using var other = TestDatabase.BuildServices(test.Url);
        var ledgers = new[] { test.Services.GetRequiredService<ScheduleFireLedger>(), other.GetRequiredService<ScheduleFireLedger>() };
        var fireTime = s_now.AddTicks(1234560);
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, Contenders).Select(i => Task.Run(() =>
        {
            start.Wait();
            return ledgers[i % 2].TryClaimAsync("storefront:0 3 * * *", fireTime, $"server-{i % 2}/{i}", CancellationToken.None);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, won => won);
        Assert.False(await ledgers[0].TryClaimAsync("storefront:0 3 * * *", fireTime, "late", CancellationToken.None));
        Assert.True(await ledgers[1].TryClaimAsync("storefront:0 3 * * *", fireTime.AddMinutes(1), "next", CancellationToken.None));
        Assert.True(await ledgers[1].TryClaimAsync("other:0 3 * * *", fireTime, "other schedule", CancellationToken.None));
        var last = await ledgers[0].LastAsync("storefront:0 3 * * *", CancellationToken.None);
        Assert.Equal(fireTime.AddMinutes(1), last!.FireTime);
    }

    [Fact]
    public async Task TryClaim_SameInstantGivenInAnotherKind_IsTheSameFire()
    {
        await using var test = await factory.CreateAsync();
        var ledger = test.Services.GetRequiredService<ScheduleFireLedger>();

        Assert.True(await ledger.TryClaimAsync("k", s_now, "a", CancellationToken.None));
        Assert.False(await ledger.TryClaimAsync("k", DateTime.SpecifyKind(s_now, DateTimeKind.Unspecified), "b", CancellationToken.None));
        Assert.False(await ledger.TryClaimAsync("k", s_now.AddTicks(3), "c", CancellationToken.None));
    }

    [Fact]
    public async Task CompleteReleaseAndForget_LinkDeploymentsOrAllowARetry()
    {
        await using var test = await factory.CreateAsync();
        var log = test.Services.GetRequiredService<WebhookDeliveryLog>();
        var ledger = test.Services.GetRequiredService<ScheduleFireLedger>();
        var deployment = SeedExamples.Deployment();
        await using (var db = test.Database.CreateContext())
        {
            db.Deployments.Add(deployment);
            await db.SaveChangesAsync();
        }

        Assert.True(await log.TryRecordAsync("d-1", "push", "acme/web", CancellationToken.None));
        await log.CompleteAsync("d-1", "queued", deployment.Id, CancellationToken.None);
        Assert.True(await log.TryRecordAsync("d-2", "push", null, CancellationToken.None));
        Assert.True(await log.ForgetAsync("d-2", CancellationToken.None));
        Assert.True(await log.TryRecordAsync("d-2", "push", null, CancellationToken.None));
        Assert.True(await ledger.TryClaimAsync("k", s_now, "a", CancellationToken.None));
        Assert.True(await ledger.ReleaseAsync("k", s_now, CancellationToken.None));
        Assert.True(await ledger.TryClaimAsync("k", s_now, "b", CancellationToken.None));
        await ledger.SetDeploymentAsync("k", s_now, deployment.Id, CancellationToken.None);
        Assert.False(await ledger.ReleaseAsync("k", s_now, CancellationToken.None));

        var delivery = await log.GetAsync("d-1", CancellationToken.None);
        Assert.Equal(("queued", deployment.Id, "acme/web", "push"), (delivery!.Outcome, delivery.DeploymentId, delivery.Repository, delivery.Event));
        await Assert.ThrowsAsync<NotFoundException>(() => log.CompleteAsync("missing", "x", null, CancellationToken.None));

        // Deleting the deployment keeps both guards (their deployment_id becomes null), so nothing fires again.
        await using (var db = test.Database.CreateContext())
        {
            await db.Deployments.ExecuteDeleteAsync();
        }

        Assert.Null((await log.GetAsync("d-1", CancellationToken.None))!.DeploymentId);
        Assert.Null((await ledger.LastAsync("k", CancellationToken.None))!.DeploymentId);
        Assert.False(await log.TryRecordAsync("d-1", "push", "acme/web", CancellationToken.None));
        Assert.False(await ledger.TryClaimAsync("k", s_now, "c", CancellationToken.None));
    }

    [Fact]
    public async Task BadInput_IsRejectedNamingTheField()
    {
        await using var test = await factory.CreateAsync();
        var log = test.Services.GetRequiredService<WebhookDeliveryLog>();
        var ledger = test.Services.GetRequiredService<ScheduleFireLedger>();

        Assert.Equal("X-GitHub-Delivery", (await Assert.ThrowsAsync<InvalidInputException>(() => log.TryRecordAsync("'; DROP TABLE x;--", "push", null, CancellationToken.None))).Field);
        Assert.Equal("X-GitHub-Event", (await Assert.ThrowsAsync<InvalidInputException>(() => log.TryRecordAsync("abc", "Push Event", null, CancellationToken.None))).Field);
        Assert.Equal("schedule_key", (await Assert.ThrowsAsync<InvalidInputException>(() => ledger.TryClaimAsync("", s_now, "a", CancellationToken.None))).Field);
        Assert.Equal("fired_by", (await Assert.ThrowsAsync<InvalidInputException>(() => ledger.TryClaimAsync("k", s_now, "", CancellationToken.None))).Field);
    }

    [Fact]
    public async Task Prune_RemovesOnlyOldGuards_AndRefusesToDropTheRedeliveryWindow()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(s_now));
        await using var test = await factory.CreateAsync(clock);
        var log = test.Services.GetRequiredService<WebhookDeliveryLog>();
        var ledger = test.Services.GetRequiredService<ScheduleFireLedger>();
        await log.TryRecordAsync("old", "push", null, CancellationToken.None);
        await ledger.TryClaimAsync("k", s_now, "a", CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(40));
        await log.TryRecordAsync("new", "push", null, CancellationToken.None);
        await ledger.TryClaimAsync("k", s_now.AddDays(40), "a", CancellationToken.None);

        Assert.Equal(1, await log.PruneAsync(WebhookDeliveryLog.DefaultRetention, CancellationToken.None));
        Assert.Equal(1, await ledger.PruneAsync(ScheduleFireLedger.DefaultRetention, CancellationToken.None));
        Assert.NotNull(await log.GetAsync("new", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => log.PruneAsync(TimeSpan.FromDays(1), CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => ledger.PruneAsync(TimeSpan.FromHours(1), CancellationToken.None));
    }

    [Fact]
    public async Task RetentionPolicy_NeverTouchesVariablesTokensOrGuards()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(s_now));
        await using var test = await factory.CreateAsync(clock, r =>
        {
            r.Deployments = r.SecurityScans = r.BuildResults = r.HealthChecks = r.DeploymentLogs = r.AgentExecutions = TimeSpan.FromDays(1);
        });
        using var keys = new TempDirectory("deploymind-keys");
        await RuntimeConfigTests.Store(test, keys.Combine("secret.key"), clock).SetAsync("storefront", "A", "1", secret: true, CancellationToken.None);
        await new ApiTokenStore(test.Database, clock).CreateAsync("ci", ApiTokenRole.Viewer, null, CancellationToken.None);
        await test.Services.GetRequiredService<WebhookDeliveryLog>().TryRecordAsync("d", "push", null, CancellationToken.None);
        await test.Services.GetRequiredService<ScheduleFireLedger>().TryClaimAsync("k", s_now, "a", CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(3650));

        await test.Services.GetRequiredService<RetentionPolicy>().PruneAsync(false, CancellationToken.None);

        await using var db = test.Database.CreateContext();
        Assert.Equal((1, 1, 1, 1), (await db.AppVariables.CountAsync(), await db.ApiTokens.CountAsync(),
            await db.WebhookDeliveries.CountAsync(), await db.ScheduleFires.CountAsync()));
    }

    [Fact]
    public async Task Migrate_CreatesTheNewTablesWithSnakeCaseColumns()
    {
        await using var test = await factory.CreateAsync();
        await using var db = test.Database.CreateContext();
        var expected = new Dictionary<string, string[]>
        {
            ["app_variables"] = ["id", "application", "name", "value", "encrypted_value", "is_secret", "created_at", "updated_at"],
            ["api_tokens"] = ["id", "name", "role", "token_hash", "token_prefix", "created_at", "last_used_at", "revoked_at", "created_by"],
            ["webhook_deliveries"] = ["delivery_id", "event", "repository", "received_at", "deployment_id", "outcome"],
            ["schedule_fires"] = ["schedule_key", "fire_time", "deployment_id", "fired_by", "fired_at"],
        };
        foreach (var (table, columns) in expected)
        {
            var sql = db.Database.IsNpgsql()
                ? $"SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_name = '{table}'"
                : $"SELECT name AS \"Value\" FROM pragma_table_info('{table}')";
            var actual = await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
            Assert.Equal(columns.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        }
    }
}

public sealed class SqliteExactlyOnceGuardTests() : ExactlyOnceGuardTests(new SqliteFactory());

[Collection(PostgresCollection.Name)]
public sealed class PostgresExactlyOnceGuardTests(PostgresServer server) : ExactlyOnceGuardTests(new PostgresFactory(server));
