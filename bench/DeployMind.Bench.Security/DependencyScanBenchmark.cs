using System.Diagnostics;
using DeployMind.Security.Dependencies;
using DeployMind.Security.Dependencies.Lockfiles;

namespace DeployMind.Bench.Security;

/// <summary>
/// Dependency matching of one npm lockfile against a large local advisory database. The baseline, same run: parsing the
/// lockfile alone (detection and parsing, no database, no matching).
/// </summary>
internal static class DependencyScanBenchmark
{
    private const int TimedRuns = 5;

    public static async Task RunAsync(string directory, int records, int lockPackages, CancellationToken cancellationToken)
    {
        var generation = Stopwatch.StartNew();
        var data = AdvisoryGenerator.Generate(directory, records, lockPackages, cancellationToken);
        Console.WriteLine();
        Console.WriteLine($"== dependency matching: {data.Records:N0} npm OSV records over {data.PackageNames:N0} packages "
            + $"({new FileInfo(data.ZipPath).Length / 1e6:N0} MB all.zip); package-lock.json v3 with {data.LockPackages:N0} packages "
            + $"({data.LockfileBytes / 1e6:0.0} MB); generated in {generation.Elapsed.TotalSeconds:0.0} s");

        var dbPath = Path.Combine(directory, "vulndb.sqlite");
        var import = Stopwatch.StartNew();
        using (var database = VulnerabilityDatabase.Open(dbPath))
        {
            var imported = await database.ImportAsync([data.ZipPath], cancellationToken);
            Console.WriteLine($"import: {imported.Added:N0} records in {import.Elapsed.TotalSeconds:0.0} s = {imported.Added / import.Elapsed.TotalSeconds:N0} records/s; "
                + $"database {new FileInfo(dbPath).Length / 1e6:N0} MB; problems {imported.Problems.Count}");
        }

        var options = new DependencyScanOptions();

        // Cold: first scan in this process (JIT of parser and matcher) on a newly opened database, as one CLI run sees it.
        var cold = Stopwatch.StartNew();
        int findings;
        int problems;
        using (var database = VulnerabilityDatabase.Open(dbPath))
        {
            var report = await new DependencyScanner(database).ScanAsync(data.LockDirectory, options, cancellationToken);
            (findings, problems) = (report.Findings.Count, report.Problems.Count);
        }

        var coldTime = cold.Elapsed;

        // Baseline: finding and parsing the lockfile, nothing else.
        var detector = new LockfileDetector();
        List<Dependency> dependencies = [];
        var parseTimes = Timed(() =>
        {
            var found = new List<DeployMind.Security.ScanProblem>();
            dependencies = [.. detector.Detect(data.LockDirectory, cancellationToken).SelectMany(l => DependencyScanner.Read(l, found)?.Dependencies ?? [])];
        });

        // Where the rest goes: loading the lockfile's advisories from SQLite (one query, each record's JSON parsed once).
        var packages = dependencies.Select(d => (d.Ecosystem, d.Name)).ToList();
        var loaded = 0;
        var preloadTimes = Timed(() =>
        {
            using var database = VulnerabilityDatabase.Open(dbPath);
            database.Preload(packages);
            loaded = packages.Distinct().SelectMany(p => database.Lookup(p.Ecosystem, p.Name)).Select(r => r.Id).Distinct().Count();
        });

        // Warm, as a new scan of a long-running service sees it: JIT done, a newly opened database each time.
        var freshTimes = await TimedAsync(async () =>
        {
            using var database = VulnerabilityDatabase.Open(dbPath);
            await new DependencyScanner(database).ScanAsync(data.LockDirectory, options, cancellationToken);
        });

        // Warm and cached: the same database instance again (its per-package lookup cache already holds every package).
        using var shared = VulnerabilityDatabase.Open(dbPath);
        await new DependencyScanner(shared).ScanAsync(data.LockDirectory, options, cancellationToken);
        var cachedTimes = await TimedAsync(() => new DependencyScanner(shared).ScanAsync(data.LockDirectory, options, cancellationToken));

        Console.WriteLine($"{"run",-62} {"median ms",10} {"min ms",8} {"max ms",8}");
        Console.WriteLine($"{"scan, cold (first in process, new database connection)",-62} {coldTime.TotalMilliseconds,10:0} {"",8} {"",8}");
        Row("scan, warm, new database connection each run", freshTimes);
        Row("scan, warm, same database instance (lookup cache hit)", cachedTimes);
        Row($"baseline: parse lockfile only ({dependencies.Count:N0} dependencies)", parseTimes);
        Row($"part of the scan: load their {loaded:N0} advisories (Preload)", preloadTimes);
        var matching = Median(freshTimes) - Median(parseTimes);
        Console.WriteLine($"scan time beyond parsing (advisory loading + matching, warm, new connection): {matching.TotalMilliseconds:0} ms; "
            + $"target < 1 s: cold {(coldTime < TimeSpan.FromSeconds(1) ? "met" : "NOT met")}, warm {(Median(freshTimes) < TimeSpan.FromSeconds(1) ? "met" : "NOT met")}");
        Console.WriteLine($"findings: {findings:N0}, planted {data.ExpectedFindings:N0} in {data.AffectedPackages:N0} packages "
            + $"(+{data.WithdrawnAffecting} withdrawn, must not count): {(findings == data.ExpectedFindings ? "OK" : "MISMATCH")}; scan problems {problems}");
    }

    private static List<TimeSpan> Timed(Action run)
    {
        run();
        var times = new List<TimeSpan>();
        for (var i = 0; i < TimedRuns; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            times.Add(sw.Elapsed);
        }

        return times;
    }

    private static async Task<List<TimeSpan>> TimedAsync(Func<Task> run)
    {
        await run();
        var times = new List<TimeSpan>();
        for (var i = 0; i < TimedRuns; i++)
        {
            var sw = Stopwatch.StartNew();
            await run();
            times.Add(sw.Elapsed);
        }

        return times;
    }

    private static void Row(string name, List<TimeSpan> times) =>
        Console.WriteLine($"{name,-62} {Median(times).TotalMilliseconds,10:0} {times.Min().TotalMilliseconds,8:0} {times.Max().TotalMilliseconds,8:0}");

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
}
