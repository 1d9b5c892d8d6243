using System.CommandLine;
using DeployMind.Domain;
using DeployMind.Persistence.Analytics;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind stats [query]`: the seed's analytics, as a table or JSON, with date and repository filters.</summary>
internal static class StatsCommands
{
    private static readonly Option<bool> s_json = new("--json") { Description = "Print JSON instead of a table", Recursive = true };
    private static readonly Option<string?> s_since = new("--since") { Description = "Only deployments created at or after this time (YYYY-MM-DD, ISO 8601, or 7d/12h/30m ago)", Recursive = true };
    private static readonly Option<string?> s_until = new("--until") { Description = "Only deployments created before this time", Recursive = true };
    private static readonly Option<string?> s_repository = new("--repository") { Description = "Only this repository (owner/repo)", Recursive = true };
    private static readonly Option<int> s_limit = new("--limit") { Description = "Rows to show for lists", DefaultValueFactory = _ => 10, Recursive = true };

    private sealed record Query(string Name, string Description, Func<DeploymentAnalytics, StatsFilter, int, CancellationToken, Task<object>> Run, Action<object, TextWriter> Print);

    private static readonly Query[] s_queries =
    [
        new("deploy-time", "Average duration of successful deployments",
            async (a, f, _, ct) => await a.AverageDeploymentTimeAsync(f, ct),
            (r, w) => { var v = (AverageDeploymentTime)r; new TextTable("deployed", "average seconds").Add(v.DeployedCount, v.AverageSeconds).WriteTo(w); }),
        new("success-rate", "Deployed as a percentage of all deployments",
            async (a, f, _, ct) => await a.SuccessRateAsync(f, ct),
            (r, w) => { var v = (SuccessRate)r; new TextTable("deployments", "deployed", "success %").Add(v.Total, v.Deployed, v.Percent).WriteTo(w); }),
        new("per-day", "Deployments per UTC day",
            async (a, f, _, ct) => await a.DeploymentsPerDayAsync(f, ct),
            (r, w) => Rows(new TextTable("day", "deployments"), (IReadOnlyList<DeploymentsOnDay>)r, v => [v.Day, v.Count]).WriteTo(w)),
        new("vulnerable-repos", "Repositories with the most critical and high findings",
            async (a, f, limit, ct) => await a.MostVulnerableRepositoriesAsync(f, limit, ct),
            (r, w) => Rows(new TextTable("repository", "critical+high", "critical", "high"), (IReadOnlyList<RepositoryVulnerabilities>)r, v => [v.Repository, v.CriticalAndHigh, v.Critical, v.High]).WriteTo(w)),
        new("scan-pass-rate", "Security scans that passed",
            async (a, f, _, ct) => await a.ScanPassRateAsync(f, ct),
            (r, w) => { var v = (ScanPassRate)r; new TextTable("scans", "passed", "pass %").Add(v.Total, v.Passed, v.Percent).WriteTo(w); }),
        new("build-time", "Average successful build time by language",
            async (a, f, _, ct) => await a.AverageBuildTimeByLanguageAsync(f, ct),
            (r, w) => Rows(new TextTable("language", "builds", "average seconds"), (IReadOnlyList<LanguageBuildTime>)r, v => [v.Language, v.Builds, v.AverageSeconds]).WriteTo(w)),
        new("size-reduction", "Average image size reduction of optimized builds",
            async (a, f, _, ct) => await a.AverageImageSizeReductionAsync(f, ct),
            (r, w) => { var v = (ImageSizeReduction)r; new TextTable("optimized builds", "average reduction %").Add(v.OptimizedBuilds, v.AveragePercent).WriteTo(w); }),
        new("failed-health-checks", "Most recent failed health checks",
            async (a, f, limit, ct) => await a.FailedHealthChecksAsync(f, limit, ct),
            (r, w) => Rows(new TextTable("deployment", "check time", "url", "status", "error"), (IReadOnlyList<FailedHealthCheck>)r, v => [v.DeploymentId, v.CheckTime, v.CheckUrl, v.StatusCode, v.ErrorMessage]).WriteTo(w)),
        new("response-time", "Average response time of healthy checks",
            async (a, f, _, ct) => await a.AverageResponseTimeAsync(f, ct),
            (r, w) => { var v = (AverageResponseTime)r; new TextTable("healthy checks", "average ms").Add(v.HealthyChecks, v.AverageMs).WriteTo(w); }),
        new("llm-cost", "Total LLM cost of agent executions",
            async (a, f, _, ct) => await a.TotalLlmCostAsync(f, ct),
            (r, w) => { var v = (LlmCost)r; new TextTable("agent executions", "total USD").Add(v.Executions, v.TotalUsd).WriteTo(w); }),
        new("tokens", "LLM tokens used per agent",
            async (a, f, _, ct) => await a.TokensPerAgentAsync(f, ct),
            (r, w) => Rows(new TextTable("agent", "input", "output", "total"), (IReadOnlyList<AgentTokens>)r, v => [v.AgentName, v.InputTokens, v.OutputTokens, v.TotalTokens]).WriteTo(w)),
    ];

    public static Command Create(CliContext context)
    {
        var stats = new Command("stats", "Deployment analytics: every query of the data model (without a query name, all of them)");
        foreach (var option in new Option[] { s_json, s_since, s_until, s_repository, s_limit })
        {
            stats.Options.Add(option);
        }

        stats.SetWork(context, (parse, services, ct) => RunAsync(context, parse, services, s_queries, ct));
        foreach (var query in s_queries)
        {
            var command = new Command(query.Name, query.Description);
            command.SetWork(context, (parse, services, ct) => RunAsync(context, parse, services, [query], ct));
            stats.Subcommands.Add(command);
        }

        return stats;
    }

    private static async Task<int> RunAsync(CliContext context, ParseResult parse, IServiceProvider services, IReadOnlyList<Query> queries, CancellationToken cancellationToken)
    {
        var filter = Filter(parse, context);
        var limit = parse.GetValue(s_limit);
        if (limit is < 1 or > 10_000)
        {
            throw new InvalidInputException("--limit", $"--limit {limit} is out of range; use 1 to 10000");
        }

        await services.Database().EnsureReadyAsync(cancellationToken);
        var analytics = services.GetRequiredService<DeploymentAnalytics>();
        var results = new List<(Query Query, object Result)>();
        foreach (var query in queries)
        {
            results.Add((query, await query.Run(analytics, filter, limit, cancellationToken)));
        }

        if (parse.GetValue(s_json))
        {
            CliJson.Write(context.Output, results.Count == 1
                ? results[0].Result
                : results.ToDictionary(r => r.Query.Name.Replace('-', '_'), r => r.Result));
            return ExitCodes.Success;
        }

        foreach (var (query, result) in results)
        {
            if (results.Count > 1)
            {
                await context.Output.WriteLineAsync($"== {query.Description}");
            }

            query.Print(result, context.Output);
            if (results.Count > 1)
            {
                await context.Output.WriteLineAsync();
            }
        }

        return ExitCodes.Success;
    }

    private static StatsFilter Filter(ParseResult parse, CliContext context)
    {
        var now = UtcTimestamp.Now(context.Clock);
        var since = InputParsing.ParseTime(parse.GetValue(s_since), "--since", now);
        var until = InputParsing.ParseTime(parse.GetValue(s_until), "--until", now);
        if (since is not null && until is not null && since >= until)
        {
            throw new InvalidInputException("--since", $"--since ({since:yyyy-MM-dd HH:mm:ss}Z) must be before --until ({until:yyyy-MM-dd HH:mm:ss}Z)");
        }

        var repository = parse.GetValue(s_repository) is { } r ? RepositoryName.Validate(r, "--repository") : null;
        return new StatsFilter(since, until, repository);
    }

    private static TextTable Rows<T>(TextTable table, IReadOnlyList<T> rows, Func<T, object?[]> cells)
    {
        foreach (var row in rows)
        {
            table.Add(cells(row));
        }

        return table;
    }
}
