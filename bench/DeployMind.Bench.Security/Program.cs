using System.Globalization;
using DeployMind.Bench.Security;

// Secret scanning throughput against ripgrep, and dependency matching against a large advisory database.
//   DeployMind.Bench.Security [tree-mb=600] [advisories=200000] [lock-packages=2000]
// A size of 0 skips that benchmark. Everything generated lives in one temp directory, removed at the end.
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

if (args.Any(a => !int.TryParse(a, CultureInfo.InvariantCulture, out var n) || n < 0) || args.Length > 3)
{
    Console.Error.WriteLine("usage: DeployMind.Bench.Security [tree-mb=600] [advisories=200000] [lock-packages=2000]");
    return 2;
}

var treeMegabytes = Arg(0, 600);
var advisories = Arg(1, 200_000);
var lockPackages = Arg(2, 2_000);
var work = Directory.CreateTempSubdirectory("deploymind-bench-security-");
using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(40));
try
{
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    if (treeMegabytes > 0)
    {
        await SecretScanBenchmark.RunAsync(Path.Combine(work.FullName, "tree"), treeMegabytes, cancellation.Token);
        Directory.Delete(Path.Combine(work.FullName, "tree"), recursive: true);
    }

    if (advisories > 0 && lockPackages > 0)
    {
        await DependencyScanBenchmark.RunAsync(Path.Combine(work.FullName, "deps"), advisories, lockPackages, cancellation.Token);
    }
}
finally
{
    work.Delete(recursive: true);
}

return 0;
