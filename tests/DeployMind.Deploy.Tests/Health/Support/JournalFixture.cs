using DeployMind.Domain;
using DeployMind.Pipeline.Execution;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Deploy.Tests.Health.Support;

/// <summary>A migrated SQLite database with one deployment row and its journal, for code that records rows.</summary>
public sealed class JournalFixture : IAsyncDisposable
{
    private JournalFixture(TestDatabase database, Deployment deployment, SecretMask mask, DeploymentJournal journal)
    {
        Database = database;
        Deployment = deployment;
        Mask = mask;
        Journal = journal;
    }

    public TestDatabase Database { get; }

    public Deployment Deployment { get; }

    public string DeploymentId => Deployment.Id;

    public SecretMask Mask { get; }

    public DeploymentJournal Journal { get; }

    public static async Task<JournalFixture> CreateAsync(TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var database = await TestDatabase.SqliteAsync(clock);
        var now = UtcTimestamp.Now(TimeProvider.System);
        var deployment = new Deployment
        {
            Id = Domain.DeploymentId.New(now),
            Repository = "acme/web",
            CommitSha = "0123456789abcdef0123456789abcdef01234567",
            Status = DeploymentStatus.Deploying,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using (var db = database.Database.CreateContext())
        {
            db.Deployments.Add(deployment);
            await db.SaveChangesAsync();
        }

        var mask = new SecretMask();
        return new JournalFixture(database, deployment, mask, new DeploymentJournal(database.Database, deployment.Id, mask, clock));
    }

    public async Task<List<HealthCheck>> HealthChecksAsync()
    {
        await using var db = Database.Database.CreateContext();
        return await db.HealthChecks.AsNoTracking().Where(h => h.DeploymentId == DeploymentId).OrderBy(h => h.Id).ToListAsync();
    }

    public async Task<List<DeploymentLog>> LogsAsync()
    {
        await using var db = Database.Database.CreateContext();
        return await db.DeploymentLogs.AsNoTracking().Where(l => l.DeploymentId == DeploymentId).OrderBy(l => l.Id).ToListAsync();
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
