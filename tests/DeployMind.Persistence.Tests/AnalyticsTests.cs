using System.Text.Json;
using DeployMind.Domain;
using DeployMind.Persistence.Analytics;
using DeployMind.Persistence.Seeding;
using DeployMind.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Persistence.Tests;

/// <summary>Every seed query against a small history whose answers were worked out by hand.</summary>
public abstract class AnalyticsTests(IDatabaseFactory factory)
{
    private protected static readonly CancellationToken s_none = CancellationToken.None;

    [Fact]
    public async Task DeploymentQueries_HandComputedHistory_MatchExpectations()
    {
        await using var test = await CreateAsync();
        var analytics = test.Services.GetRequiredService<DeploymentAnalytics>();

        Assert.Equal(new AverageDeploymentTime(3, 210.0), await analytics.AverageDeploymentTimeAsync(StatsFilter.None, s_none));
        Assert.Equal(new SuccessRate(6, 3, 50.0), await analytics.SuccessRateAsync(StatsFilter.None, s_none));
        Assert.Equal(
            [new(new DateOnly(2026, 3, 1), 2), new(new DateOnly(2026, 3, 2), 1), new(new DateOnly(2026, 3, 3), 2), new DeploymentsOnDay(new DateOnly(2026, 3, 4), 1)],
            await analytics.DeploymentsPerDayAsync(StatsFilter.None, s_none));
    }

    [Fact]
    public async Task SecurityQueries_HandComputedHistory_MatchExpectations()
    {
        await using var test = await CreateAsync();
        var analytics = test.Services.GetRequiredService<DeploymentAnalytics>();

        Assert.Equal(
            [new("acme/b", 5, 2, 3), new("acme/a", 3, 1, 2), new RepositoryVulnerabilities("acme/c", 1, 0, 1)],
            await analytics.MostVulnerableRepositoriesAsync(StatsFilter.None, 10, s_none));
        Assert.Equal(new ScanPassRate(5, 3, 60.0), await analytics.ScanPassRateAsync(StatsFilter.None, s_none));
    }

    [Fact]
    public async Task BuildQueries_HandComputedHistory_MatchExpectations()
    {
        await using var test = await CreateAsync();
        var analytics = test.Services.GetRequiredService<DeploymentAnalytics>();

        Assert.Equal(
            [new("go", 1, 12.5), new("nodejs", 2, 75.0), new LanguageBuildTime("python", 1, 30.0)],
            await analytics.AverageBuildTimeByLanguageAsync(StatsFilter.None, s_none));
        Assert.Equal(new ImageSizeReduction(2, 30.0), await analytics.AverageImageSizeReductionAsync(StatsFilter.None, s_none));
    }

    [Fact]
    public async Task HealthQueries_HandComputedHistory_MatchExpectations()
    {
        await using var test = await CreateAsync();
        var analytics = test.Services.GetRequiredService<DeploymentAnalytics>();

        var failed = await analytics.FailedHealthChecksAsync(StatsFilter.None, 10, s_none);
        Assert.Equal(["timeout after 5s", "HTTP 503"], failed.Select(f => f.ErrorMessage));
        Assert.All(failed, f => Assert.Equal("deploy-20260303-0000d4", f.DeploymentId));
        Assert.Equal(SeedExamples.At("2026-03-03 12:05:10"), failed[0].CheckTime);
        Assert.Equal(new AverageResponseTime(3, 30.0), await analytics.AverageResponseTimeAsync(StatsFilter.None, s_none));
    }

    [Fact]
    public async Task CostQueries_HandComputedHistory_MatchExpectationsExactly()
    {
        await using var test = await CreateAsync();
        var analytics = test.Services.GetRequiredService<DeploymentAnalytics>();

        Assert.Equal(new LlmCost(4, 0.000810m), await analytics.TotalLlmCostAsync(StatsFilter.None, s_none));
        Assert.Equal(
            [new("deploy", 2000, 100, 2100), new("build", 1000, 500, 1500), new AgentTokens("security", 450, 120, 570)],
            await analytics.TokensPerAgentAsync(StatsFilter.None, s_none));
    }

    [Fact]
    public async Task Queries_RepositoryAndDateFilters_RestrictToMatchingDeployments()
    {
        await using var test = await CreateAsync();
        var analytics = test.Services.GetRequiredService<DeploymentAnalytics>();
        var repoA = new StatsFilter(Repository: "acme/a");
        var middle = new StatsFilter(Since: SeedExamples.At("2026-03-02 00:00:00"), Until: SeedExamples.At("2026-03-04 00:00:00"));

        Assert.Equal(new AverageDeploymentTime(2, 150.0), await analytics.AverageDeploymentTimeAsync(repoA, s_none));
        Assert.Equal(new SuccessRate(2, 2, 100.0), await analytics.SuccessRateAsync(repoA, s_none));
        Assert.Equal(new SuccessRate(3, 1, 33.33), await analytics.SuccessRateAsync(middle, s_none));
        Assert.Equal(new ScanPassRate(3, 2, 66.67), await analytics.ScanPassRateAsync(middle, s_none));
        Assert.Equal(new LlmCost(2, 0.000450m), await analytics.TotalLlmCostAsync(repoA, s_none));
        Assert.Empty(await analytics.FailedHealthChecksAsync(repoA, 10, s_none));
        Assert.Equal(new AverageDeploymentTime(0, null), await analytics.AverageDeploymentTimeAsync(new StatsFilter(Repository: "nobody/none"), s_none));
    }

    [Fact]
    public async Task Queries_EmptyDatabase_ReturnZeroCountsAndNoAverages()
    {
        await using var test = await factory.CreateAsync();
        var analytics = test.Services.GetRequiredService<DeploymentAnalytics>();

        Assert.Equal(new SuccessRate(0, 0, null), await analytics.SuccessRateAsync(StatsFilter.None, s_none));
        Assert.Equal(new LlmCost(0, 0m), await analytics.TotalLlmCostAsync(StatsFilter.None, s_none));
        Assert.Empty(await analytics.TokensPerAgentAsync(StatsFilter.None, s_none));
    }

    internal static async Task<string> AllQueriesAsJsonAsync(DeploymentAnalytics analytics, StatsFilter filter) =>
        JsonSerializer.Serialize(new object[]
        {
            await analytics.AverageDeploymentTimeAsync(filter, s_none),
            await analytics.SuccessRateAsync(filter, s_none),
            await analytics.DeploymentsPerDayAsync(filter, s_none),
            await analytics.MostVulnerableRepositoriesAsync(filter, 20, s_none),
            await analytics.ScanPassRateAsync(filter, s_none),
            await analytics.AverageBuildTimeByLanguageAsync(filter, s_none),
            await analytics.AverageImageSizeReductionAsync(filter, s_none),
            await analytics.FailedHealthChecksAsync(filter, 25, s_none),
            await analytics.AverageResponseTimeAsync(filter, s_none),
            await analytics.TotalLlmCostAsync(filter, s_none),
            await analytics.TokensPerAgentAsync(filter, s_none),
        });

    private async Task<TestDatabase> CreateAsync()
    {
        var test = await factory.CreateAsync();
        await using var db = test.Database.CreateContext();
        db.Deployments.AddRange(HandHistory.Deployments());
        await db.SaveChangesAsync();
        return test;
    }
}

public sealed class SqliteAnalyticsTests() : AnalyticsTests(new SqliteFactory());

[Collection(PostgresCollection.Name)]
public sealed class PostgresAnalyticsTests(PostgresServer server) : AnalyticsTests(new PostgresFactory(server))
{
    [Fact]
    public async Task AllQueries_SameGeneratedHistory_GiveTheSameNumbersOnSqliteAndPostgres()
    {
        var history = new SampleDataGenerator(11).Generate(300, SeedExamples.At("2026-06-01 00:00:00"), days: 20).ToList();
        await using var sqlite = await TestDatabase.SqliteAsync();
        await using var postgres = await TestDatabase.PostgresAsync(server);
        foreach (var test in new[] { sqlite, postgres })
        {
            await using var writer = test.Database.CreateBulkWriter();
            await writer.WriteAsync(history, s_none);
        }

        var filters = new[]
        {
            StatsFilter.None,
            new StatsFilter(Repository: "acme/gateway"),
            new StatsFilter(Since: SeedExamples.At("2026-05-20 00:00:00"), Until: SeedExamples.At("2026-05-25 12:00:00")),
        };
        foreach (var filter in filters)
        {
            var onSqlite = await AllQueriesAsJsonAsync(sqlite.Services.GetRequiredService<DeploymentAnalytics>(), filter);
            var onPostgres = await AllQueriesAsJsonAsync(postgres.Services.GetRequiredService<DeploymentAnalytics>(), filter);
            Assert.Equal(onSqlite, onPostgres);
            Assert.Contains("\"Total\":", onSqlite, StringComparison.Ordinal);
        }
    }
}

/// <summary>Six deployments whose statistics are computed by hand in the tests above.</summary>
internal static class HandHistory
{
    public static List<Deployment> Deployments()
    {
        var d1 = Make("deploy-20260301-0000d1", "acme/a", DeploymentStatus.Deployed, 100, "2026-03-01 10:00:00");
        var d2 = Make("deploy-20260301-0000d2", "acme/a", DeploymentStatus.Deployed, 200, "2026-03-01 23:59:59.5");
        var d3 = Make("deploy-20260302-0000d3", "acme/b", DeploymentStatus.Failed, 50, "2026-03-02 00:00:00");
        var d4 = Make("deploy-20260303-0000d4", "acme/b", DeploymentStatus.RolledBack, 400, "2026-03-03 12:00:00");
        var d5 = Make("deploy-20260303-0000d5", "acme/c", DeploymentStatus.Deployed, 330, "2026-03-03 13:00:00");
        var d6 = Make("deploy-20260304-0000d6", "acme/c", DeploymentStatus.Pending, null, "2026-03-04 09:00:00");

        Scan(d1, critical: 1, high: 2, passed: false);
        Scan(d1, critical: 0, high: 0, passed: true);
        Scan(d3, critical: 0, high: 3, passed: true);
        Scan(d4, critical: 2, high: 0, passed: false);
        Scan(d5, critical: 0, high: 1, passed: true);

        Build(d1, "nodejs", true, 100, reduction: 40.0);
        Build(d2, "nodejs", true, 50, reduction: 20.0);
        Build(d3, "python", false, 999, reduction: null);
        Build(d4, "python", true, 30, reduction: null);
        Build(d5, "go", true, 12.5, reduction: null);

        Check(d1, true, 10, "2026-03-01 10:05:00", null);
        Check(d1, true, 20, "2026-03-01 10:05:10", null);
        Check(d4, false, 900, "2026-03-03 12:05:00", "HTTP 503");
        Check(d4, false, 5000, "2026-03-03 12:05:10", "timeout after 5s");
        Check(d5, true, 60, "2026-03-03 13:05:00", null);

        Execution(d1, "security", "llama-3.1-70b-versatile", 450, 120, 0m);
        Execution(d1, "build", "gpt-4o-mini", 1000, 500, 0.000450m);
        Execution(d3, "security", "rules", 0, 0, 0m);
        Execution(d5, "deploy", "gpt-4o-mini", 2000, 100, 0.000360m);
        return [d1, d2, d3, d4, d5, d6];
    }

    private static Deployment Make(string id, string repository, DeploymentStatus status, double? duration, string created) => new()
    {
        Id = id,
        Repository = repository,
        CommitSha = "a1b2c3d4",
        Status = status,
        DurationSeconds = duration,
        CreatedAt = SeedExamples.At(created),
        UpdatedAt = SeedExamples.At(created),
    };

    private static void Scan(Deployment d, int critical, int high, bool passed) => d.SecurityScans.Add(new SecurityScan
    {
        DeploymentId = d.Id,
        ScanType = ScanType.Dependencies,
        CriticalCount = critical,
        HighCount = high,
        TotalVulnerabilities = critical + high,
        Passed = passed,
        CreatedAt = d.CreatedAt,
    });

    private static void Build(Deployment d, string language, bool success, double seconds, double? reduction) => d.BuildResults.Add(new BuildResult
    {
        DeploymentId = d.Id,
        DetectedLanguage = language,
        Success = success,
        BuildDurationSeconds = seconds,
        OptimizedSizeBytes = reduction is null ? null : 1000,
        OriginalSizeBytes = reduction is null ? null : 2000,
        SizeReductionPercent = reduction,
        CreatedAt = d.CreatedAt,
    });

    private static void Check(Deployment d, bool healthy, double ms, string at, string? error) => d.HealthChecks.Add(new HealthCheck
    {
        DeploymentId = d.Id,
        Healthy = healthy,
        ResponseTimeMs = ms,
        CheckTime = SeedExamples.At(at),
        CheckType = HealthCheckType.Http,
        CheckUrl = "http://127.0.0.1:8080/health",
        StatusCode = healthy ? 200 : error == "HTTP 503" ? 503 : null,
        ErrorMessage = error,
    });

    private static void Execution(Deployment d, string agent, string model, int input, int output, decimal cost) => d.AgentExecutions.Add(new AgentExecution
    {
        DeploymentId = d.Id,
        AgentName = agent,
        LlmModel = model,
        LlmTokensInput = input,
        LlmTokensOutput = output,
        LlmCostUsd = cost,
        StartedAt = d.CreatedAt,
        Success = true,
    });
}
