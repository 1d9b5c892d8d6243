using System.Diagnostics;
using System.Globalization;
using DeployMind.Build.Agent;
using DeployMind.Build.Docker;
using DeployMind.Pipeline.Processes;

// The build stage's own overhead: ImageBuilder (tar the context, Engine API build, inspect) in a running process — as the
// worker and the server run it — against `docker build` of the same Dockerfile and context, alternating, warm cache.
//   DeployMind.Bench.Build CONTEXT_DIR RUNS
if (args.Length != 2 || !Directory.Exists(args[0]) || !int.TryParse(args[1], out var runs) || runs < 1)
{
    Console.Error.WriteLine("usage: DeployMind.Bench.Build CONTEXT_DIR RUNS");
    return 2;
}

var context = Path.GetFullPath(args[0]);
using var engine = new DockerEngine(new DockerEngineOptions());
var builder = new ImageBuilder(engine, new ProcessRunner());
var processes = new ProcessRunner();
var request = new ImageBuildRequest { ContextDirectory = context, Tag = "bench-build/in-process:1" };
var plain = new CommandLine("/usr/bin/docker", "build", "-q", "-t", "bench-build/plain:1", context)
{
    Environment = new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "0", ["DOCKER_HOST"] = engine.Host },
};

// Warm both the layer cache and this process (JIT, connection).
for (var i = 0; i < 2; i++)
{
    (await builder.BuildAsync(request, null, CancellationToken.None)).Succeeded.ToString();
    (await processes.RunAsync(plain, CancellationToken.None)).VerifySuccess();
}

var ours = new List<double>();
var theirs = new List<double>();
for (var i = 0; i < runs; i++)
{
    var watch = Stopwatch.StartNew();
    var outcome = await builder.BuildAsync(request, null, CancellationToken.None);
    ours.Add(watch.Elapsed.TotalMilliseconds);
    if (!outcome.Succeeded)
    {
        Console.Error.WriteLine($"build failed: {outcome.Error}");
        return 1;
    }

    watch.Restart();
    (await processes.RunAsync(plain, CancellationToken.None)).VerifySuccess();
    theirs.Add(watch.Elapsed.TotalMilliseconds);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"in-process ImageBuilder: median {Median(ours):0.0} ms; docker build (baseline): median {Median(theirs):0.0} ms; ratio {Median(ours) / Median(theirs):0.00} (target <= 1.05), {runs} runs each"));
return 0;
