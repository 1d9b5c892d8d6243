using System.Diagnostics;
using DeployMind.Security.Secrets;

namespace DeployMind.Bench.Security;

/// <summary>
/// Secret scanning throughput of <see cref="SecretScanner"/> against ripgrep (the baseline, same tree, same rules, same run).
/// Both read the same files: rg is told to skip the scanner's skipped directories and extensions, and both skip NUL-byte binaries.
/// </summary>
internal static class SecretScanBenchmark
{
    private const int TimedRuns = 3;

    public static async Task RunAsync(string root, int megabytes, CancellationToken cancellationToken)
    {
        var generation = Stopwatch.StartNew();
        var tree = SourceTreeGenerator.Generate(root, megabytes * 1_000_000L, cancellationToken);
        Console.WriteLine();
        Console.WriteLine($"== secret scanning: {tree.ScannedFiles:N0} text files, {tree.ScannedBytes / 1e6:N0} MB to scan; "
            + $"{tree.SkippedFiles:N0} files / {tree.SkippedBytes / 1e6:N0} MB to skip (node_modules, .git, binaries); generated in {generation.Elapsed.TotalSeconds:0.0} s");

        var pcre2File = Path.Combine(Path.GetDirectoryName(root)!, "patterns.pcre2.txt");
        await File.WriteAllTextAsync(pcre2File, SecretRules.ExportRipgrepPatterns(), cancellationToken);

        // Which rules rg's default engine (Rust regex: no look-around, no back-references) can take at all.
        var defaultEngine = SecretRules.RipgrepPatterns(SecretRules.All, pcre2: false);
        var compiles = new List<string>();
        var rejected = new List<string>();
        for (var i = 0; i < defaultEngine.Count; i++)
        {
            (await Ripgrep.CompilesInDefaultEngineAsync(defaultEngine[i], cancellationToken) ? compiles : rejected).Add(SecretRules.All[i].Id);
        }

        var defaultFile = Path.Combine(Path.GetDirectoryName(root)!, "patterns.default.txt");
        await File.WriteAllLinesAsync(defaultFile, defaultEngine.Where((_, i) => compiles.Contains(SecretRules.All[i].Id)), cancellationToken);

        var scanner = new SecretScanner();
        var options = new SecretScanOptions();
        var rgPcre2 = Ripgrep.WithPatternFile(pcre2File, pcre2: true);
        var rgDefault = Ripgrep.WithPatternFile(defaultFile, pcre2: false);
        var rgFloor = Ripgrep.AbsentLiteral();

        // Warm-up: fills the page cache, JIT-compiles the scanner and its regexes, loads rg. rg -P is slow enough
        // that its warm-up is skipped: the page cache is warm by then.
        var first = Stopwatch.StartNew();
        var report = await scanner.ScanAsync(root, options, cancellationToken);
        var firstScan = first.Elapsed;
        var rgDefaultCounts = compiles.Count > 0 ? await rgDefault.CountAsync(root, cancellationToken) : null;
        await rgFloor.CountAsync(root, cancellationToken);

        var scanTimes = new List<TimeSpan>();
        var rgTimes = new List<TimeSpan>();
        var rgDefaultTimes = new List<TimeSpan>();
        var rgFloorTimes = new List<TimeSpan>();
        RipgrepRun? rgCounts = null;
        for (var run = 0; run < TimedRuns; run++)
        {
            // Interleaved, so that load from other users of the machine hits all alike.
            rgCounts = await rgPcre2.CountAsync(root, cancellationToken);
            rgTimes.Add(rgCounts.Elapsed);
            var sw = Stopwatch.StartNew();
            report = await scanner.ScanAsync(root, options, cancellationToken);
            scanTimes.Add(sw.Elapsed);
            if (rgDefaultCounts is not null)
            {
                rgDefaultTimes.Add((await rgDefault.CountAsync(root, cancellationToken)).Elapsed);
            }

            rgFloorTimes.Add((await rgFloor.CountAsync(root, cancellationToken)).Elapsed);
        }

        var mb = tree.ScannedBytes / 1e6;
        var scan = Median(scanTimes);
        var rg = Median(rgTimes);
        Console.WriteLine($"{"tool",-44} {"median s",9} {"min s",7} {"max s",7} {"MB/s",8} {"matches",9}");
        Row("DeployMind SecretScanner (findings)", scanTimes, mb, report.Findings.Count);
        Row("rg -P -U, all " + SecretRules.All.Count + " rules (matches)", rgTimes, mb, rgCounts!.Matches);
        if (rgDefaultCounts is not null)
        {
            Row($"rg -U default engine, {compiles.Count} rules (matches)", rgDefaultTimes, mb, rgDefaultCounts.Matches);
        }

        Row("rg -F one absent literal (read floor)", rgFloorTimes, mb, 0);

        var ratio = rg.TotalSeconds / scan.TotalSeconds;
        Console.WriteLine($"DeployMind/rg speed (rg -P, same rules): {ratio:0.00} (target >= 0.50: {(ratio >= 0.5 ? "met" : "NOT met")}); "
            + (rgDefaultTimes.Count > 0 ? $"against rg's default engine on its {compiles.Count} rules: {Median(rgDefaultTimes) / scan:0.00}; " : "")
            + $"against the read floor: {Median(rgFloorTimes) / scan:0.00}");
        Console.WriteLine($"first scan in the process (regex compilation, JIT): {firstScan.TotalSeconds:0.00} s");
        Console.WriteLine($"rg default engine rejects {rejected.Count} of {SecretRules.All.Count} rules (look-around/back-references): {string.Join(", ", rejected)}");
        Console.WriteLine($"scanner problems: {report.Problems.Count}; files with rg -P matches: {rgCounts!.FilesWithMatches:N0}");

        Console.WriteLine($"{"planted rule",-26} {"planted",8} {"found",8}");
        var byRule = report.Findings.GroupBy(f => f.RuleId).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var (rule, planted) in tree.Planted)
        {
            var found = byRule.GetValueOrDefault(rule);
            Console.WriteLine($"{rule,-26} {planted,8} {found,8} {(found == planted ? "OK" : "MISMATCH")}");
        }

        var other = byRule.Where(r => !tree.Planted.ContainsKey(r.Key)).Select(r => $"{r.Key} {r.Value}").ToList();
        Console.WriteLine($"other findings: {(other.Count == 0 ? "none" : string.Join(", ", other))}; planted lines that allow rules must drop: {tree.PlantedAllowed}");
    }

    private static void Row(string name, List<TimeSpan> times, double megabytes, long matches)
    {
        var median = Median(times);
        Console.WriteLine($"{name,-44} {median.TotalSeconds,9:0.00} {times.Min().TotalSeconds,7:0.00} {times.Max().TotalSeconds,7:0.00} {megabytes / median.TotalSeconds,8:N0} {matches,9:N0}");
    }

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
}
