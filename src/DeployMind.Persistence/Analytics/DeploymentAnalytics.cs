using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence.Analytics;

/// <summary>
/// The seed's "What Can You Query?" section as library calls. Each query runs in the database;
/// filters restrict the deployments considered (created_at range, repository).
/// </summary>
public sealed class DeploymentAnalytics(DeployMindDatabase database)
{
    /// <summary>SELECT AVG(duration_seconds) FROM deployments WHERE status = 'deployed'.</summary>
    public Task<AverageDeploymentTime> AverageDeploymentTimeAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var deployed = Deployments(db, filter).Where(d => d.Status == DeploymentStatus.Deployed);
            var row = await deployed.GroupBy(_ => 1)
                .Select(g => new { Count = g.Count(), Average = g.Average(d => d.DurationSeconds) })
                .FirstOrDefaultAsync(cancellationToken);
            return new AverageDeploymentTime(row?.Count ?? 0, Round(row?.Average));
        });

    /// <summary>Deployed deployments as a percentage of all deployments.</summary>
    public Task<SuccessRate> SuccessRateAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var row = await Deployments(db, filter).GroupBy(_ => 1)
                .Select(g => new { Total = g.Count(), Deployed = g.Count(d => d.Status == DeploymentStatus.Deployed) })
                .FirstOrDefaultAsync(cancellationToken);
            return new SuccessRate(row?.Total ?? 0, row?.Deployed ?? 0, Percent(row?.Deployed ?? 0, row?.Total ?? 0));
        });

    /// <summary>SELECT DATE(created_at), COUNT(*) FROM deployments GROUP BY DATE(created_at), in day order (UTC days).</summary>
    public Task<IReadOnlyList<DeploymentsOnDay>> DeploymentsPerDayAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var rows = await Deployments(db, filter)
                .GroupBy(d => d.CreatedAt.Date)
                .Select(g => new { Day = g.Key, Count = g.Count() })
                .OrderBy(r => r.Day)
                .ToListAsync(cancellationToken);
            return (IReadOnlyList<DeploymentsOnDay>)rows
                .Select(r => new DeploymentsOnDay(DateOnly.FromDateTime(r.Day), r.Count)).ToList();
        });

    /// <summary>Repositories ordered by the critical and high findings across their scans.</summary>
    public Task<IReadOnlyList<RepositoryVulnerabilities>> MostVulnerableRepositoriesAsync(StatsFilter filter, int limit, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var rows = await (from d in Deployments(db, filter)
                              join s in db.SecurityScans on d.Id equals s.DeploymentId
                              group s by d.Repository into g
                              select new
                              {
                                  Repository = g.Key,
                                  Critical = g.Sum(s => (long)s.CriticalCount),
                                  High = g.Sum(s => (long)s.HighCount),
                              })
                .OrderByDescending(r => r.Critical + r.High).ThenBy(r => r.Repository)
                .Take(limit)
                .ToListAsync(cancellationToken);
            return (IReadOnlyList<RepositoryVulnerabilities>)rows
                .Select(r => new RepositoryVulnerabilities(r.Repository, r.Critical + r.High, r.Critical, r.High)).ToList();
        });

    /// <summary>Passed scans as a percentage of all scans.</summary>
    public Task<ScanPassRate> ScanPassRateAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var row = await Children(db, db.SecurityScans, filter).GroupBy(_ => 1)
                .Select(g => new { Total = g.Count(), Passed = g.Count(s => s.Passed) })
                .FirstOrDefaultAsync(cancellationToken);
            return new ScanPassRate(row?.Total ?? 0, row?.Passed ?? 0, Percent(row?.Passed ?? 0, row?.Total ?? 0));
        });

    /// <summary>SELECT detected_language, AVG(build_duration_seconds) FROM build_results WHERE success GROUP BY detected_language.</summary>
    public Task<IReadOnlyList<LanguageBuildTime>> AverageBuildTimeByLanguageAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var rows = await Children(db, db.BuildResults, filter)
                .Where(b => b.Success)
                .GroupBy(b => b.DetectedLanguage)
                .Select(g => new { Language = g.Key, Builds = g.Count(), Average = g.Average(b => b.BuildDurationSeconds) })
                .ToListAsync(cancellationToken);
            return (IReadOnlyList<LanguageBuildTime>)rows
                .Select(r => new LanguageBuildTime(r.Language ?? "unknown", r.Builds, Round(r.Average)))
                .OrderBy(r => r.Language, StringComparer.Ordinal).ToList();
        });

    /// <summary>SELECT AVG(size_reduction_percent) FROM build_results WHERE optimized_size_bytes IS NOT NULL.</summary>
    public Task<ImageSizeReduction> AverageImageSizeReductionAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var row = await Children(db, db.BuildResults, filter)
                .Where(b => b.OptimizedSizeBytes != null)
                .GroupBy(_ => 1)
                .Select(g => new { Count = g.Count(), Average = g.Average(b => b.SizeReductionPercent) })
                .FirstOrDefaultAsync(cancellationToken);
            return new ImageSizeReduction(row?.Count ?? 0, Round(row?.Average));
        });

    /// <summary>SELECT deployment_id, check_time, error_message FROM health_checks WHERE NOT healthy ORDER BY check_time DESC.</summary>
    public Task<IReadOnlyList<FailedHealthCheck>> FailedHealthChecksAsync(StatsFilter filter, int limit, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var rows = await Children(db, db.HealthChecks, filter)
                .Where(h => !h.Healthy)
                .OrderByDescending(h => h.CheckTime).ThenByDescending(h => h.Id)
                .Take(limit)
                .Select(h => new FailedHealthCheck(h.DeploymentId, h.CheckTime, h.CheckUrl, h.StatusCode, h.ErrorMessage))
                .ToListAsync(cancellationToken);
            return (IReadOnlyList<FailedHealthCheck>)rows;
        });

    /// <summary>SELECT AVG(response_time_ms) FROM health_checks WHERE healthy.</summary>
    public Task<AverageResponseTime> AverageResponseTimeAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var row = await Children(db, db.HealthChecks, filter)
                .Where(h => h.Healthy)
                .GroupBy(_ => 1)
                .Select(g => new { Count = g.Count(), Average = g.Average(h => h.ResponseTimeMs) })
                .FirstOrDefaultAsync(cancellationToken);
            return new AverageResponseTime(row?.Count ?? 0, Round(row?.Average));
        });

    /// <summary>SELECT SUM(llm_cost_usd) FROM agent_executions, exact to the cent's millionth.</summary>
    public Task<LlmCost> TotalLlmCostAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var executions = Children(db, db.AgentExecutions, filter);
            var count = await executions.CountAsync(cancellationToken);
            var total = await executions.SumAsync(a => a.LlmCostUsd, cancellationToken);
            return new LlmCost(count, WithoutTrailingZeros(total));
        });

    /// <summary>SELECT agent_name, SUM(llm_tokens_input + llm_tokens_output) FROM agent_executions GROUP BY agent_name.</summary>
    public Task<IReadOnlyList<AgentTokens>> TokensPerAgentAsync(StatsFilter filter, CancellationToken cancellationToken) =>
        QueryAsync(async db =>
        {
            var rows = await Children(db, db.AgentExecutions, filter)
                .GroupBy(a => a.AgentName)
                .Select(g => new
                {
                    Agent = g.Key,
                    Input = g.Sum(a => (long)a.LlmTokensInput),
                    Output = g.Sum(a => (long)a.LlmTokensOutput),
                })
                .ToListAsync(cancellationToken);
            return (IReadOnlyList<AgentTokens>)rows
                .Select(r => new AgentTokens(r.Agent, r.Input, r.Output, r.Input + r.Output))
                .OrderByDescending(r => r.TotalTokens).ThenBy(r => r.AgentName, StringComparer.Ordinal).ToList();
        });

    private async Task<T> QueryAsync<T>(Func<DeployMindDbContext, Task<T>> query) =>
        await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await query(db);
        });

    private static IQueryable<Deployment> Deployments(DeployMindDbContext db, StatsFilter filter) =>
        db.Deployments.AsNoTracking().Matching(filter.Since, filter.Until, filter.Repository);

    private static IQueryable<T> Children<T>(DeployMindDbContext db, IQueryable<T> rows, StatsFilter filter)
        where T : class, IDeploymentRecord
    {
        var q = rows.AsNoTracking();
        if (filter.IsEmpty)
        {
            return q;
        }

        var ids = Deployments(db, filter).Select(d => d.Id);
        return q.Where(r => ids.Contains(r.DeploymentId));
    }

    // PostgreSQL's numeric keeps its column scale (0.12980040); SQLite's text does not. Show both the same way.
    private static decimal WithoutTrailingZeros(decimal value) => value / 1.0000000000000000000000000000m;

    private static double? Round(double? value) => value is null ? null : Math.Round(value.Value, 2);

    private static double? Percent(int part, int total) => total == 0 ? null : Math.Round(part * 100.0 / total, 2);
}
