using System.Diagnostics;
using DeployMind.Persistence;
using DeployMind.Persistence.Analytics;
using DeployMind.Persistence.PostgreSql;
using DeployMind.Persistence.Seeding;
using DeployMind.Persistence.Sqlite;
using Microsoft.Extensions.DependencyInjection;

// Ingest and query the audit trail at scale on one provider.
//   dotnet run -c Release -- <database-url> [deployments=100000]
// Prints rows/s for bulk ingest, the same for EF Core SaveChanges on a small slice (the baseline, same run),
// and the median latency of every analytics query over 7 runs.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: DeployMind.Bench.Persistence <database-url> [deployments]");
    return 2;
}

var url = args[0];
var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
var services = new ServiceCollection()
    .AddDeployMindSqlite().AddDeployMindPostgreSql()
    .AddDeployMindPersistence(o => { o.Url = url; o.CommandTimeoutSeconds = 600; })
    .BuildServiceProvider();
var database = services.GetRequiredService<DeployMindDatabase>();
await database.MigrateAsync(CancellationToken.None);
var end = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

// Baseline: EF Core change tracking for 500 deployments (22,000 rows).
var baselineDeployments = new SampleDataGenerator(99).Generate(500, end.AddYears(-1), days: 30).ToList();
var sw = Stopwatch.StartNew();
foreach (var chunk in baselineDeployments.Chunk(100))
{
    await using var db = database.CreateContext();
    db.Deployments.AddRange(chunk);
    await db.SaveChangesAsync();
}

var baselineRate = 500 * SampleDataGenerator.RowsPerDeployment / sw.Elapsed.TotalSeconds;

// Bulk ingest.
var generator = new SampleDataGenerator(1);
long rows = 0;
sw.Restart();
await using (var writer = database.CreateBulkWriter())
{
    foreach (var batch in generator.Generate(count, end, days: 365).Chunk(2000))
    {
        rows += await writer.WriteAsync(batch, CancellationToken.None);
    }
}

var ingestSeconds = sw.Elapsed.TotalSeconds;
if (database.Location.Provider == DatabaseProviderKind.PostgreSql)
{
    await using var db = database.CreateContext();
    await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "VACUUM ANALYZE");
}
else
{
    await using var db = database.CreateContext();
    await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "ANALYZE");
}

Console.WriteLine($"provider: {database.Location.ProviderName}");
Console.WriteLine($"ingest: {count:N0} deployments, {rows:N0} rows in {ingestSeconds:0.0} s = {rows / ingestSeconds:N0} rows/s");
Console.WriteLine($"baseline (EF Core SaveChanges, 22,000 rows): {baselineRate:N0} rows/s; bulk/baseline ratio {rows / ingestSeconds / baselineRate:0.0}x");

var analytics = services.GetRequiredService<DeploymentAnalytics>();
var none = StatsFilter.None;
var ct = CancellationToken.None;
var queries = new (string Name, Func<Task> Run)[]
{
    ("average deployment time", () => analytics.AverageDeploymentTimeAsync(none, ct)),
    ("success rate", () => analytics.SuccessRateAsync(none, ct)),
    ("deployments per day", () => analytics.DeploymentsPerDayAsync(none, ct)),
    ("most vulnerable repositories", () => analytics.MostVulnerableRepositoriesAsync(none, 10, ct)),
    ("scan pass rate", () => analytics.ScanPassRateAsync(none, ct)),
    ("average build time by language", () => analytics.AverageBuildTimeByLanguageAsync(none, ct)),
    ("average image size reduction", () => analytics.AverageImageSizeReductionAsync(none, ct)),
    ("failed health checks (latest 50)", () => analytics.FailedHealthChecksAsync(none, 50, ct)),
    ("average response time", () => analytics.AverageResponseTimeAsync(none, ct)),
    ("total LLM cost", () => analytics.TotalLlmCostAsync(none, ct)),
    ("tokens per agent", () => analytics.TokensPerAgentAsync(none, ct)),
    ("success rate, one repository, last 30 days", () => analytics.SuccessRateAsync(new StatsFilter(end.AddDays(-30), null, "acme/gateway"), ct)),
};

Console.WriteLine($"{"query",-45} {"median ms",10} {"min ms",8} {"max ms",8}");
foreach (var (name, run) in queries)
{
    await run(); // warm-up
    var times = new List<double>();
    for (var i = 0; i < 7; i++)
    {
        var q = Stopwatch.StartNew();
        await run();
        times.Add(q.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine($"{name,-45} {times[3],10:0.0} {times[0],8:0.0} {times[^1],8:0.0}");
}

return 0;
