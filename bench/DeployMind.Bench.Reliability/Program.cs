using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DeployMind.Bench.Reliability;
using DeployMind.Build.Docker;
using DeployMind.Deploy;
using DeployMind.Deploy.Agent;
using DeployMind.Deploy.Strategies;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Persistence.PostgreSql;
using DeployMind.Persistence.Sqlite;
using DeployMind.Pipeline;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

// Reliability under constant load: requests through the edge proxies of three SSH instances while a blue-green deploy, a
// rolling deploy, a canary to 100 % and an automatic rollback run; counts every failed request and measures the time from
// the failing health verdict to the old version serving all traffic. Needs DOCKER_HOST, the DEPLOYMIND_SSH_* variables
// of scripts/sshd.sh and the proxy image (bench/reliability.sh sets all of them up).
var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var only = args.Length > 1 ? args[1].Split(',') : null;
var ssh = SshInstances.FromEnvironment();
var work = Directory.CreateTempSubdirectory("deploymind-bench-reliability");
var run = Guid.NewGuid().ToString("N")[..6];
var images = await BenchImages.BuildAsync(run);
await using var services = await BenchServices.CreateAsync(Path.Combine(work.FullName, "bench.db"));
var rows = new List<string[]>();
try
{
    var scenarios = new (string Name, string Strategy, string Monitor, string Image)[]
    {
        ("blue-green", "  type: blue-green\n  keep_previous_for: 10m", "0s", images.V2),
        ("rolling x3", "  type: rolling\n  batch_size: 1\n  pause: 1s", "0s", images.V2),
        ("canary to 100%", "  type: canary\n  steps: [10, 25, 50, 100]\n  step_pause: 3s\n  max_error_rate: 1\n  max_p99_ms: 1000", "0s", images.V2),
        ("auto rollback", "  type: blue-green\n  keep_previous_for: 10m", "60s", images.Sick),
    };
    foreach (var scenario in scenarios.Where(s => only is null || only.Any(o => s.Name.StartsWith(o, StringComparison.Ordinal))))
    {
        Console.Error.WriteLine($"==> {scenario.Name}");
        rows.Add(await RunScenarioAsync(services, ssh, images, scenario.Name, scenario.Strategy, scenario.Monitor, scenario.Image, rate, run));
    }
}
finally
{
    await images.RemoveAsync();
    work.Delete(recursive: true);
}

Console.WriteLine();
Console.WriteLine($"Reliability under {rate} requests/s through the edge proxies of {ssh.Ports.Count} SSH instances (Docker, loopback)");
var headers = new[] { "scenario", "status", "deploy s", "requests", "failed", "verdict -> old serving (agent)", "last new-version answer after verdict (client)" };
var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
Console.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))));
Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
foreach (var row in rows)
{
    Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))));
}

return rows.Any(r => r[4] != "0") ? 1 : 0;

static async Task<string[]> RunScenarioAsync(BenchServices services, SshInstances ssh, BenchImages images, string name, string strategy, string monitor,
    string image, int rate, string run)
{
    var app = $"rb-{run}-{name[..2]}";
    var ports = ssh.Ports.Select(_ => FreePort()).ToList();
    var config = Config(app, ssh, ports, strategy, monitor);
    try
    {
        var first = await services.DeployAsync(app, images.V1, config);
        if (first.Status != DeploymentStatus.Deployed)
        {
            return [name, $"v1 {first.Status.ToWire()}: {first.RollbackReason}", "-", "-", "-", "-", "-"];
        }

        var urls = ports.Select(p => $"http://127.0.0.1:{p}/cgi-bin/app").ToList();
        await using var load = new OpenLoopLoad(urls, rate);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();
        var d = await services.DeployAsync(app, image, config);
        var seconds = watch.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(1));
        var (total, failures) = await load.StopAsync();
        foreach (var failure in failures.Take(5))
        {
            Console.Error.WriteLine($"    failed: {failure}");
        }

        var restoredLog = d.Logs.LastOrDefault(l => l.EventData?["verdict_to_restored_seconds"] is not null);
        var agentSeconds = restoredLog?.EventData!["verdict_to_restored_seconds"]!.GetValue<double>();
        string observed = "-";
        if (restoredLog?.EventData!["verdict_at"]?.GetValue<string>() is { } verdictText && load.LastSeen.TryGetValue("sick", out var lastSick))
        {
            var verdict = DateTimeOffset.Parse(verdictText, CultureInfo.InvariantCulture);
            observed = $"{Math.Max(0, (lastSick - verdict).TotalSeconds):0.000} s";
        }

        return
        [
            name, d.Status.ToWire() + (d.RollbackReason is { } r ? $" ({(r.Length > 60 ? r[..60] + "…" : r)})" : ""),
            seconds.ToString("0.0", CultureInfo.InvariantCulture), total.ToString(CultureInfo.InvariantCulture),
            failures.Count.ToString(CultureInfo.InvariantCulture),
            agentSeconds is { } a ? $"{a:0.000} s" : "-", observed,
        ];
    }
    finally
    {
        await BenchDocker.RemoveAppAsync(app);
    }
}

static string Config(string app, SshInstances ssh, IReadOnlyList<int> ports, string strategy, string monitor)
{
    var targets = string.Concat(ports.Select((port, i) =>
        $"\n  - name: ssh-{i + 1}\n    type: ssh\n    host: {ssh.Host}\n    port: {ssh.Ports[i]}\n    user: {ssh.User}\n" +
        $"    key: {{ file: {ssh.KeyPath} }}\n    known_hosts: {ssh.KnownHostsPath}\n    app_port: {port}"));
    return $"name: {app}\nrepository: bench/{app}\ntargets:{targets}\nstrategy:\n{strategy}\n  drain_timeout: 30s\n" +
           $"health_check:\n  path: /cgi-bin/health\n  initial_delay: 0s\n  interval: 300ms\n  timeout: 2s\n  attempts: 3\n  backoff: 1\n  monitor_for: {monitor}\n";
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

namespace DeployMind.Bench.Reliability
{
    /// <summary>The SSH instances scripts/sshd.sh started (DEPLOYMIND_SSH_* variables).</summary>
    internal sealed record SshInstances(string Host, string User, IReadOnlyList<int> Ports, string KeyPath, string KnownHostsPath)
    {
        public static SshInstances FromEnvironment()
        {
            string Get(string name) => Environment.GetEnvironmentVariable("DEPLOYMIND_SSH_" + name) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"DEPLOYMIND_SSH_{name} is not set: run bench/reliability.sh (it starts scripts/sshd.sh)");
            return new SshInstances(Get("HOST"), Get("USER"), Get("PORTS").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList(),
                Get("KEY"), Get("KNOWN_HOSTS"));
        }
    }

    /// <summary>The queue, orchestrator and deploy/verify stages on a SQLite file, deploying prepared images (no build).</summary>
    internal sealed class BenchServices(ServiceProvider services) : IAsyncDisposable
    {
        public static async Task<BenchServices> CreateAsync(string databaseFile)
        {
            var collection = new ServiceCollection();
            collection.AddSingleton(TimeProvider.System);
            collection.AddDeployMindSqlite();
            collection.AddDeployMindPostgreSql();
            collection.AddDeployMindPersistence(o => o.Url = "sqlite://" + databaseFile);
            collection.AddDeployMindPipeline();
            collection.AddSingleton(new DockerAppHostOptions
            {
                ProxyImage = Environment.GetEnvironmentVariable("DEPLOYMIND_PROXY_IMAGE") is { Length: > 0 } image ? image : new DockerAppHostOptions().ProxyImage,
            });
            collection.AddDeployMindDeployStage();
            collection.Configure<QueueOptions>(o => o.PollInterval = TimeSpan.FromMilliseconds(50));
            var provider = collection.BuildServiceProvider();
            await provider.GetRequiredService<DeployMindDatabase>().MigrateAsync(CancellationToken.None);
            return new BenchServices(provider);
        }

        public async Task<Deployment> DeployAsync(string app, string image, string yaml)
        {
            var config = AppConfigLoader.Parse(yaml);
            var queued = await services.GetRequiredService<DeploymentQueue>().EnqueueAsync(new DeploymentRequest
            {
                Repository = $"bench/{app}",
                CommitSha = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)),
                Targets = config.Targets.Select(t => t.Name).ToList(),
                Strategy = config.Strategy.Type,
                Metadata = new JsonObject
                {
                    ["app"] = app,
                    ["config"] = config.ToSafeJson(),
                    ["plan"] = new JsonArray("deploy", "verify"),
                    ["image"] = DeploymentImage.ToJson(new DeployImage(image, null, false)),
                },
            }, CancellationToken.None);
            var worker = services.GetRequiredService<DeploymentWorker>();
            while (await worker.RunNextAsync(CancellationToken.None))
            {
            }

            await using var db = services.GetRequiredService<DeployMindDatabase>().CreateContext();
            return await db.Deployments.AsNoTracking().Include(d => d.Logs.OrderBy(l => l.Id)).SingleAsync(d => d.Id == queued.Id);
        }

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }

    /// <summary>
    /// Busybox httpd apps: /cgi-bin/app answers the version (the traffic path), /cgi-bin/health answers 200. "sick" serves
    /// traffic normally but its health check starts failing 4 s after it starts: a failed health verdict with nothing else wrong.
    /// </summary>
    internal sealed class BenchImages
    {
        private const string Base = "deploymind-bench/busybox:1";
        private static readonly string[] s_applets = ["sh", "echo", "test", "sleep", "cat", "httpd", "printf", "true", "false"];

        public required string V1 { get; init; }

        public required string V2 { get; init; }

        public required string Sick { get; init; }

        public static async Task<BenchImages> BuildAsync(string run)
        {
            using var engine = new DockerEngine(new DockerEngineOptions());
            await engine.PingAsync(CancellationToken.None);
            if (await engine.TryInspectAsync(Base, CancellationToken.None) is null)
            {
                using var tar = new MemoryStream();
                await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
                {
                    await writer.WriteEntryAsync("/bin/busybox", "bin/busybox");
                    foreach (var applet in s_applets)
                    {
                        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox" });
                    }

                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp"));
                }

                tar.Position = 0;
                await engine.ImportImageAsync(tar, Base, CancellationToken.None);
            }

            var images = new BenchImages { V1 = $"deploymind-bench/app-{run}:v1", V2 = $"deploymind-bench/app-{run}:v2", Sick = $"deploymind-bench/app-{run}:sick" };
            await BuildAsync(engine, images.V1, "v1", "exec httpd -f -p $PORT -h /www");
            await BuildAsync(engine, images.V2, "v2", "exec httpd -f -p $PORT -h /www");
            await BuildAsync(engine, images.Sick, "sick", "(sleep 4; : > /tmp/sick) & exec httpd -f -p $PORT -h /www");
            return images;
        }

        public async Task RemoveAsync()
        {
            using var engine = new DockerEngine(new DockerEngineOptions());
            foreach (var image in new[] { V1, V2, Sick })
            {
                await engine.RemoveImageAsync(image, force: true, CancellationToken.None);
            }
        }

        private static async Task BuildAsync(DockerEngine engine, string tag, string version, string start)
        {
            var context = Directory.CreateTempSubdirectory("deploymind-bench-image");
            try
            {
                Directory.CreateDirectory(Path.Combine(context.FullName, "www", "cgi-bin"));
                await File.WriteAllTextAsync(Path.Combine(context.FullName, "www", "cgi-bin", "app"),
                    $"#!/bin/sh\nprintf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n{version}\\n'\n");
                await File.WriteAllTextAsync(Path.Combine(context.FullName, "www", "cgi-bin", "health"),
                    "#!/bin/sh\nif test -f /tmp/sick; then printf 'Status: 500 X\\r\\n\\r\\nsick\\n'; else printf 'Status: 200 OK\\r\\n\\r\\nok\\n'; fi\n");
                await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"),
                    $"FROM {Base}\nCOPY www /www\nRUN [\"sh\", \"-c\", \"chmod +x /www/cgi-bin/app /www/cgi-bin/health || true\"]\nCMD [\"sh\", \"-c\", \"{start}\"]\n");
                await engine.BuildImageAsync(new DockerBuildRequest(context.FullName, tag), null, CancellationToken.None);
            }
            finally
            {
                context.Delete(recursive: true);
            }
        }
    }

    internal static class BenchDocker
    {
        /// <summary>Removes every container and proxy volume of a bench application.</summary>
        public static async Task RemoveAppAsync(string app)
        {
            var ids = await RunAsync("ps", "--all", "--quiet", "--filter", $"label=deploymind.app={app}");
            var containers = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (containers.Length > 0)
            {
                await RunAsync(["rm", "--force", .. containers]);
            }

            var volumes = (await RunAsync("volume", "ls", "--quiet", "--filter", $"name={app}-")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (volumes.Length > 0)
            {
                await RunAsync(["volume", "rm", "--force", .. volumes]);
            }
        }

        private static async Task<string> RunAsync(params string[] arguments)
        {
            using var process = Process.Start(new ProcessStartInfo("docker", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return output;
        }
    }
}
