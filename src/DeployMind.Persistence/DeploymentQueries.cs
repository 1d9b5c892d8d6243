using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence;

/// <summary>Filters for listing deployments; all optional.</summary>
public sealed record DeploymentListFilter(
    string? Repository = null,
    DeploymentStatus? Status = null,
    DeploymentEnvironment? Environment = null,
    DateTime? Since = null,
    DateTime? Until = null,
    string? Before = null,
    int Limit = 20);

/// <summary>Reads deployments and their trail for the CLI, the API and the dashboard.</summary>
public sealed class DeploymentQueries(DeployMindDatabase database)
{
    /// <summary>One deployment with every row that belongs to it, or a NotFoundException.</summary>
    public Task<Deployment> GetAsync(string id, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        DeploymentId.Validate(id);
        await using var db = database.CreateContext();
        return await db.Deployments.AsNoTracking().AsSplitQuery()
                   .Include(d => d.SecurityScans.OrderBy(s => s.Id))
                   .Include(d => d.BuildResults.OrderBy(b => b.Id))
                   .Include(d => d.HealthChecks.OrderBy(h => h.Id))
                   .Include(d => d.AgentExecutions.OrderBy(a => a.Id))
                   .SingleOrDefaultAsync(d => d.Id == id, cancellationToken)
               ?? throw new NotFoundException("deployment", id);
    });

    /// <summary>Newest first. <see cref="DeploymentListFilter.Before"/> is a cursor: the id of the last row of the previous page.</summary>
    public Task<IReadOnlyList<Deployment>> ListAsync(DeploymentListFilter filter, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        if (filter.Limit is < 1 or > 1000)
        {
            throw new InvalidInputException("limit", $"limit {filter.Limit} is out of range; use 1 to 1000");
        }

        await using var db = database.CreateContext();
        var q = db.Deployments.AsNoTracking().Matching(filter.Since, filter.Until, filter.Repository);
        if (filter.Status is { } status)
        {
            q = q.Where(d => d.Status == status);
        }

        if (filter.Environment is { } environment)
        {
            q = q.Where(d => d.Environment == environment);
        }

        if (filter.Before is { } before)
        {
            DeploymentId.Validate(before, "before");
            var anchor = await db.Deployments.AsNoTracking().Where(d => d.Id == before).Select(d => new { d.CreatedAt, d.Id })
                .SingleOrDefaultAsync(cancellationToken) ?? throw new NotFoundException("deployment", before);
            q = q.Where(d => d.CreatedAt < anchor.CreatedAt || (d.CreatedAt == anchor.CreatedAt && string.Compare(d.Id, anchor.Id) < 0));
        }

        return (IReadOnlyList<Deployment>)await q.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(filter.Limit).ToListAsync(cancellationToken);
    });

    /// <summary>Log entries after <paramref name="afterId"/> (0 for all), oldest first: the tail for `logs --follow` and live streams.</summary>
    public Task<IReadOnlyList<DeploymentLog>> LogsAsync(string id, long afterId, int limit, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        DeploymentId.Validate(id);
        await using var db = database.CreateContext();
        if (afterId == 0 && !await db.Deployments.AnyAsync(d => d.Id == id, cancellationToken))
        {
            throw new NotFoundException("deployment", id);
        }

        return (IReadOnlyList<DeploymentLog>)await db.DeploymentLogs.AsNoTracking()
            .Where(l => l.DeploymentId == id && l.Id > afterId)
            .OrderBy(l => l.Id).Take(limit).ToListAsync(cancellationToken);
    });

    public Task<DeploymentStatus> StatusAsync(string id, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        var status = await db.Deployments.AsNoTracking().Where(d => d.Id == id).Select(d => (DeploymentStatus?)d.Status).SingleOrDefaultAsync(cancellationToken);
        return status ?? throw new NotFoundException("deployment", id);
    });
}
