using System.Linq.Expressions;
using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DeployMind.Persistence.Retention;

/// <summary>Rows removed (or that would be removed, on a dry run) from one table.</summary>
public sealed record PrunedTable(string Table, TimeSpan? KeptFor, DateTime? Cutoff, long Rows);

/// <summary>
/// Deletes rows older than each table's retention, in bounded batches. Deployments are kept forever
/// by default; when a deployment retention is set, old deployments go with all their rows.
/// </summary>
public sealed class RetentionPolicy(DeployMindDatabase database, IOptions<RetentionOptions> options, TimeProvider clock)
{
    private readonly RetentionOptions _options = options.Value;

    public Task<IReadOnlyList<PrunedTable>> PruneAsync(bool dryRun, CancellationToken cancellationToken) =>
        database.GuardAsync(async () =>
        {
            var problems = _options.Validate();
            if (problems.Count > 0)
            {
                throw new InvalidInputException("retention", string.Join("; ", problems));
            }

            var now = UtcTimestamp.Now(clock);
            var results = new List<PrunedTable>
            {
                await PruneAsync("security_scans", _options.SecurityScans, now, dryRun, db => db.SecurityScans, s => s.CreatedAt, cancellationToken),
                await PruneAsync("build_results", _options.BuildResults, now, dryRun, db => db.BuildResults, b => b.CreatedAt, cancellationToken),
                await PruneAsync("health_checks", _options.HealthChecks, now, dryRun, db => db.HealthChecks, h => h.CheckTime, cancellationToken),
                await PruneAsync("deployment_logs", _options.DeploymentLogs, now, dryRun, db => db.DeploymentLogs, l => l.Timestamp, cancellationToken),
                await PruneAsync("agent_executions", _options.AgentExecutions, now, dryRun, db => db.AgentExecutions, a => a.StartedAt, cancellationToken),
                await PruneDeploymentsAsync(now, dryRun, cancellationToken),
            };
            return (IReadOnlyList<PrunedTable>)results;
        });

    private async Task<PrunedTable> PruneAsync<T>(string table, TimeSpan? keep, DateTime now, bool dryRun,
        Func<DeployMindDbContext, DbSet<T>> set, Expression<Func<T, DateTime>> timestamp, CancellationToken cancellationToken)
        where T : class
    {
        if (keep is null)
        {
            return new PrunedTable(table, null, null, 0);
        }

        var cutoff = now - keep.Value;
        var old = OlderThan(timestamp, cutoff);
        await using var db = database.CreateContext();
        if (dryRun)
        {
            return new PrunedTable(table, keep, cutoff, await set(db).LongCountAsync(old, cancellationToken));
        }

        long total = 0;
        while (true)
        {
            // One bounded statement per batch: DELETE ... WHERE id IN (SELECT id ... LIMIT n).
            var deleted = await set(db).Where(old).Take(_options.BatchSize).ExecuteDeleteAsync(cancellationToken);
            total += deleted;
            if (deleted < _options.BatchSize)
            {
                return new PrunedTable(table, keep, cutoff, total);
            }
        }
    }

    private async Task<PrunedTable> PruneDeploymentsAsync(DateTime now, bool dryRun, CancellationToken cancellationToken)
    {
        if (_options.Deployments is not { } keep)
        {
            return new PrunedTable("deployments", null, null, 0);
        }

        var cutoff = now - keep;
        await using var db = database.CreateContext();
        // Only finished deployments age out; a queued or running one is never pulled from under its worker.
        var finished = new[]
        {
            DeploymentStatus.Deployed, DeploymentStatus.Failed, DeploymentStatus.SecurityFailed,
            DeploymentStatus.BuildFailed, DeploymentStatus.RolledBack, DeploymentStatus.Cancelled,
        };
        var old = db.Deployments.Where(d => d.CreatedAt < cutoff && finished.Contains(d.Status));
        if (dryRun)
        {
            return new PrunedTable("deployments", keep, cutoff, await old.LongCountAsync(cancellationToken));
        }

        long total = 0;
        while (true)
        {
            var batch = await old.OrderBy(d => d.CreatedAt).Select(d => d.Id).Take(_options.BatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return new PrunedTable("deployments", keep, cutoff, total);
            }

            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            // Newer deployments may point at these as their previous one; keep the link target out of the way first.
            await db.Deployments.Where(d => d.PreviousDeploymentId != null && batch.Contains(d.PreviousDeploymentId))
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.PreviousDeploymentId, (string?)null), cancellationToken);
            await DeleteChildrenAsync(db, batch, cancellationToken);
            total += await db.Deployments.Where(d => batch.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
    }

    private static async Task DeleteChildrenAsync(DeployMindDbContext db, List<string> ids, CancellationToken cancellationToken)
    {
        await db.SecurityScans.Where(r => ids.Contains(r.DeploymentId)).ExecuteDeleteAsync(cancellationToken);
        await db.BuildResults.Where(r => ids.Contains(r.DeploymentId)).ExecuteDeleteAsync(cancellationToken);
        await db.HealthChecks.Where(r => ids.Contains(r.DeploymentId)).ExecuteDeleteAsync(cancellationToken);
        await db.DeploymentLogs.Where(r => ids.Contains(r.DeploymentId)).ExecuteDeleteAsync(cancellationToken);
        await db.AgentExecutions.Where(r => ids.Contains(r.DeploymentId)).ExecuteDeleteAsync(cancellationToken);
    }

    private static Expression<Func<T, bool>> OlderThan<T>(Expression<Func<T, DateTime>> timestamp, DateTime cutoff)
    {
        // A closure, not a constant, so the cutoff is sent as a parameter.
        Expression<Func<DateTime>> parameter = () => cutoff;
        var body = Expression.LessThan(timestamp.Body, parameter.Body);
        return Expression.Lambda<Func<T, bool>>(body, timestamp.Parameters);
    }
}
