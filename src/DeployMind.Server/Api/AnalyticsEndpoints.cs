using System.Globalization;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Persistence.Analytics;
using DeployMind.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Server.Api;

/// <summary>/api/v1/analytics/{name}?days=30[&amp;repository=owner/repo]: every query of `deploymind stats`, plus the dashboard's charts.</summary>
public static class AnalyticsEndpoints
{
    private static readonly DeploymentStatus[] s_failed =
        [DeploymentStatus.Failed, DeploymentStatus.SecurityFailed, DeploymentStatus.BuildFailed, DeploymentStatus.RolledBack, DeploymentStatus.Cancelled];

    private delegate Task<IReadOnlyList<object>> Query(DeploymentAnalytics analytics, DeployMindDatabase database, StatsFilter filter, int limit, CancellationToken cancellationToken);

    private static readonly Dictionary<string, Query> s_queries = new(StringComparer.Ordinal)
    {
        ["success-rate"] = async (a, _, f, _, ct) => [await a.SuccessRateAsync(f, ct)],
        ["deployments-per-day"] = PerDayAsync,
        ["per-day"] = async (a, _, f, _, ct) => [.. await a.DeploymentsPerDayAsync(f, ct)],
        ["durations"] = DurationsAsync,
        ["deploy-time"] = async (a, _, f, _, ct) => [await a.AverageDeploymentTimeAsync(f, ct)],
        ["most-vulnerable-repositories"] = async (a, _, f, limit, ct) => [.. await a.MostVulnerableRepositoriesAsync(f, limit, ct)],
        ["vulnerable-repos"] = async (a, _, f, limit, ct) => [.. await a.MostVulnerableRepositoriesAsync(f, limit, ct)],
        ["scan-pass-rate"] = async (a, _, f, _, ct) => [await a.ScanPassRateAsync(f, ct)],
        ["build-time"] = async (a, _, f, _, ct) => [.. await a.AverageBuildTimeByLanguageAsync(f, ct)],
        ["size-reduction"] = async (a, _, f, _, ct) => [await a.AverageImageSizeReductionAsync(f, ct)],
        ["failed-health-checks"] = async (a, _, f, limit, ct) => [.. await a.FailedHealthChecksAsync(f, limit, ct)],
        ["response-time"] = async (a, _, f, _, ct) => [await a.AverageResponseTimeAsync(f, ct)],
        ["llm-cost"] = async (a, _, f, _, ct) => [await a.TotalLlmCostAsync(f, ct)],
        ["tokens"] = async (a, _, f, _, ct) => [.. await a.TokensPerAgentAsync(f, ct)],
        ["agent-costs"] = AgentCostsAsync,
        ["failure-reasons"] = FailureReasonsAsync,
    };

    public static IReadOnlyCollection<string> Names => s_queries.Keys;

    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/analytics").WithTags("Analytics").RequireAuthorization(Roles.Viewer);
        group.MapGet("/", () => TypedResults.Ok(s_queries.Keys.Order(StringComparer.Ordinal).ToList())).WithSummary("The analytics queries available");
        group.MapGet("/{name}", RunAsync).WithSummary("One analytics query over the last N days");
    }

    public static async Task<Results<Ok<AnalyticsResult>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> RunAsync(string name, HttpContext http,
        DeploymentAnalytics analytics, DeployMindDatabase database, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!s_queries.TryGetValue(name, out var query))
        {
            return TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 404,
                Title = "Unknown analytics query",
                Detail = $"there is no analytics query '{(name.Length > 60 ? name[..60] : name)}'; available: {string.Join(", ", s_queries.Keys.Order(StringComparer.Ordinal))}",
            });
        }

        var q = http.Request.Query;
        DeploymentEndpoints.RejectUnknown(q, "days", "repository", "limit");
        var days = DeploymentEndpoints.Text(q["days"]) is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= 3650 ? d
                : throw new InvalidInputException("days", $"days '{text}' is not a whole number from 1 to 3650")
            : 30;
        var repository = DeploymentEndpoints.Text(q["repository"]) is { } r ? RepositoryName.Validate(r, "repository") : null;
        var limit = DeploymentEndpoints.Limit(q["limit"], 10, max: 1000);
        var filter = new StatsFilter(UtcTimestamp.Now(clock).AddDays(-days), null, repository);
        return TypedResults.Ok(new AnalyticsResult(name, days, await query(analytics, database, filter, limit, cancellationToken)));
    }

    public sealed record DayRow(string Day, int Count, int Deployed, int Failed);

    public sealed record DurationRow(string Day, int Deployments, double? AverageSeconds, double? MaxSeconds);

    public sealed record AgentCostRow(string AgentName, int Executions, long InputTokens, long OutputTokens, long TotalTokens, decimal CostUsd);

    public sealed record FailureRow(string Reason, string Status, int Count);

    private static IQueryable<Deployment> Deployments(DeployMindDbContext db, StatsFilter f)
    {
        var q = db.Deployments.AsNoTracking();
        if (f.Since is { } since) { q = q.Where(d => d.CreatedAt >= since); }
        if (f.Until is { } until) { q = q.Where(d => d.CreatedAt < until); }
        return f.Repository is { } repo ? q.Where(d => d.Repository == repo) : q;
    }

    private static Task<IReadOnlyList<object>> PerDayAsync(DeploymentAnalytics _, DeployMindDatabase database, StatsFilter f, int limit, CancellationToken ct) =>
        database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var rows = await Deployments(db, f).GroupBy(d => d.CreatedAt.Date)
                .Select(g => new
                {
                    Day = g.Key,
                    Count = g.Count(),
                    Deployed = g.Count(d => d.Status == DeploymentStatus.Deployed),
                    Failed = g.Count(d => s_failed.Contains(d.Status)),
                })
                .OrderBy(r => r.Day).ToListAsync(ct);
            return (IReadOnlyList<object>)rows.Select(r => (object)new DayRow(Day(r.Day), r.Count, r.Deployed, r.Failed)).ToList();
        });

    private static Task<IReadOnlyList<object>> DurationsAsync(DeploymentAnalytics _, DeployMindDatabase database, StatsFilter f, int limit, CancellationToken ct) =>
        database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var rows = await Deployments(db, f).Where(d => d.DurationSeconds != null)
                .GroupBy(d => d.CreatedAt.Date)
                .Select(g => new { Day = g.Key, Count = g.Count(), Average = g.Average(d => d.DurationSeconds), Max = g.Max(d => d.DurationSeconds) })
                .OrderBy(r => r.Day).ToListAsync(ct);
            return (IReadOnlyList<object>)rows.Select(r => (object)new DurationRow(Day(r.Day), r.Count, Round(r.Average), Round(r.Max))).ToList();
        });

    private static Task<IReadOnlyList<object>> AgentCostsAsync(DeploymentAnalytics _, DeployMindDatabase database, StatsFilter f, int limit, CancellationToken ct) =>
        database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var ids = Deployments(db, f).Select(d => d.Id);
            var rows = await db.AgentExecutions.AsNoTracking().Where(a => ids.Contains(a.DeploymentId))
                .Select(a => new { a.AgentName, a.LlmTokensInput, a.LlmTokensOutput, a.LlmCostUsd })
                .GroupBy(a => a.AgentName)
                .Select(g => new
                {
                    Agent = g.Key,
                    Executions = g.Count(),
                    Input = g.Sum(a => (long)a.LlmTokensInput),
                    Output = g.Sum(a => (long)a.LlmTokensOutput),
                })
                .ToListAsync(ct);
            // Decimal sums are exact in memory on both providers (SQLite stores decimals as text).
            var costs = (await db.AgentExecutions.AsNoTracking().Where(a => ids.Contains(a.DeploymentId) && a.LlmCostUsd != 0)
                    .Select(a => new { a.AgentName, a.LlmCostUsd }).ToListAsync(ct))
                .GroupBy(a => a.AgentName).ToDictionary(g => g.Key, g => g.Sum(a => a.LlmCostUsd), StringComparer.Ordinal);
            return (IReadOnlyList<object>)rows
                .Select(r => new AgentCostRow(r.Agent, r.Executions, r.Input, r.Output, r.Input + r.Output,
                    costs.GetValueOrDefault(r.Agent) / 1.0000000000000000000000000000m))
                .OrderByDescending(r => r.TotalTokens).ThenBy(r => r.AgentName, StringComparer.Ordinal).Cast<object>().ToList();
        });

    private static Task<IReadOnlyList<object>> FailureReasonsAsync(DeploymentAnalytics _, DeployMindDatabase database, StatsFilter f, int limit, CancellationToken ct) =>
        database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var rows = await Deployments(db, f).Where(d => s_failed.Contains(d.Status))
                .GroupBy(d => new { d.Status, d.RollbackReason })
                .Select(g => new { g.Key.Status, g.Key.RollbackReason, Count = g.Count() })
                .ToListAsync(ct);
            return (IReadOnlyList<object>)rows
                .Select(r => new FailureRow(r.RollbackReason ?? r.Status.ToWire(), r.Status.ToWire(), r.Count))
                .OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).Take(limit).Cast<object>().ToList();
        });

    private static string Day(DateTime day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static double? Round(double? value) => value is null ? null : Math.Round(value.Value, 2);
}
