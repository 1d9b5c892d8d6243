using DeployMind.Domain;

namespace DeployMind.Persistence;

/// <summary>The deployment filters shared by listing and analytics: created_at in [since, until), one repository.</summary>
internal static class DeploymentFilters
{
    public static IQueryable<Deployment> Matching(this IQueryable<Deployment> q, DateTime? since, DateTime? until, string? repository)
    {
        if (since is { } s)
        {
            var from = UtcTimestamp.Normalize(s);
            q = q.Where(d => d.CreatedAt >= from);
        }

        if (until is { } u)
        {
            var to = UtcTimestamp.Normalize(u);
            q = q.Where(d => d.CreatedAt < to);
        }

        return repository is null ? q : q.Where(d => d.Repository == repository);
    }
}
