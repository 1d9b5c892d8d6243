using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DeployMind.Proxy;
using DeployMind.Proxy.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

// Proxy overhead: latency through deploymind-proxy against hitting the app directly, on loopback.
//   app PORT                               a small HTTP app (the backend), until SIGTERM
//   run [--proxy-exe PATH] [--rate N] [--seconds N] [--concurrency N] [--per-round]
// The app and the proxy run as separate processes (the proxy in-process only without --proxy-exe); the load
// generator is this process. Two phases, each in 4 alternating direct and proxied rounds after a warm-up:
//   fixed rate   N requests/s (default 500), open loop: latency without queueing
//   saturation   N concurrent connections (default 32), closed loop: throughput and latency under load
var inv = CultureInfo.InvariantCulture;
if (args.Length >= 2 && args[0] == "app")
{
    return await RunAppAsync(int.Parse(args[1], inv));
}
if (args.Length == 0 || args[0] != "run")
{
    Console.Error.WriteLine("usage: DeployMind.Bench.Proxy run [--proxy-exe PATH] [--rate N] [--seconds N] [--concurrency N] [--per-round] | app PORT");
    return 2;
}

string? proxyExe = null;
var rate = 500;
var seconds = 10;
var concurrency = 32;
var perRound = false;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--proxy-exe": proxyExe = args[++i]; break;
        case "--rate": rate = int.Parse(args[++i], inv); break;
        case "--seconds": seconds = int.Parse(args[++i], inv); break;
        case "--concurrency": concurrency = int.Parse(args[++i], inv); break;
        case "--per-round": perRound = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var children = new List<Process>();
var temp = Directory.CreateTempSubdirectory("dm-bench-proxy-");
RunningProxy? inProcess = null;
try
{
    var appPort = FreePort();
    children.Add(Start(Environment.ProcessPath!, $"app {appPort}"));
    var appUrl = new Uri($"http://127.0.0.1:{appPort}/");
    await WaitAnswersAsync(appUrl);

    var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    Uri proxyUrl, adminUrl;
    if (proxyExe is not null)
    {
        var tokenFile = Path.Combine(temp.FullName, "token");
        await File.WriteAllTextAsync(tokenFile, token);
        int port = FreePort(), adminPort = FreePort();
        children.Add(Start(proxyExe, $"--listen 127.0.0.1:{port} --admin 127.0.0.1:{adminPort} --admin-token-file {tokenFile} --backend app={appUrl},100 --log-level warning"));
        proxyUrl = new Uri($"http://127.0.0.1:{port}/");
        adminUrl = new Uri($"http://127.0.0.1:{adminPort}/");
    }
    else
    {
        inProcess = await ProxyHost.StartAsync(new ProxyHostOptions { AdminToken = token, Backends = [new ProxyBackend("app", appUrl.AbsoluteUri, 100)] });
        proxyUrl = inProcess.ProxyAddress;
        adminUrl = inProcess.AdminAddress;
    }
    await WaitAnswersAsync(proxyUrl);

    Console.WriteLine($"proxy: {(proxyExe is null ? "in the load generator's process (ProxyHost)" : proxyExe)}; app and proxy on loopback; {Environment.ProcessorCount} CPUs");
    using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = Math.Max(concurrency, 256), PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    // Warm-up: JIT, connection pools.
    await ClosedLoopAsync(client, appUrl, concurrency, TimeSpan.FromSeconds(2));
    await ClosedLoopAsync(client, proxyUrl, concurrency, TimeSpan.FromSeconds(2));
    await FixedRateAsync(client, appUrl, rate, TimeSpan.FromSeconds(1));
    await FixedRateAsync(client, proxyUrl, rate, TimeSpan.FromSeconds(1));

    // Alternating rounds spread machine noise evenly over both targets.
const int rounds = 4;
var slice = TimeSpan.FromSeconds(seconds / (double)rounds);
    var fixedDirect = new Result();
    var fixedProxy = new Result();
    for (var round = 0; round < rounds; round++)
    {
        var d = await FixedRateAsync(client, appUrl, rate, slice);
        var p = await FixedRateAsync(client, proxyUrl, rate, slice);
        if (perRound)
        {
            Console.WriteLine($"round {round}: direct p50 {d.P(0.5):0.000} p99 {d.P(0.99):0.000} max {d.P(1):0.000} | proxy p50 {p.P(0.5):0.000} p99 {p.P(0.99):0.000} max {p.P(1):0.000}");
        }
        fixedDirect.Add(d);
        fixedProxy.Add(p);
    }
    var loadDirect = new Result();
    var loadProxy = new Result();
    for (var round = 0; round < rounds; round++)
    {
        loadDirect.Add(await ClosedLoopAsync(client, appUrl, concurrency, slice));
        loadProxy.Add(await ClosedLoopAsync(client, proxyUrl, concurrency, slice));
    }

    Console.WriteLine();
    Console.WriteLine($"{"phase",-28} {"target",-7} {"requests",9} {"errors",7} {"req/s",9} {"p50 ms",8} {"p99 ms",8}");
    Print($"fixed rate {rate}/s, {seconds}s", "direct", fixedDirect);
    Print("", "proxy", fixedProxy);
    Print($"{concurrency} connections, {seconds}s", "direct", loadDirect);
    Print("", "proxy", loadProxy);
    Console.WriteLine();
    Console.WriteLine($"proxy/direct at {rate}/s:        p50 x{fixedProxy.P(0.5) / fixedDirect.P(0.5):0.00} ({fixedProxy.P(0.5) - fixedDirect.P(0.5):+0.000;-0.000} ms)   p99 x{fixedProxy.P(0.99) / fixedDirect.P(0.99):0.00} ({fixedProxy.P(0.99) - fixedDirect.P(0.99):+0.000;-0.000} ms)");
    Console.WriteLine($"proxy/direct at {concurrency} connections: p50 x{loadProxy.P(0.5) / loadDirect.P(0.5):0.00}   p99 x{loadProxy.P(0.99) / loadDirect.P(0.99):0.00}   throughput x{loadProxy.Rps / loadDirect.Rps:0.00}");

    using var admin = new ProxyAdminClient(adminUrl, token);
    var metrics = await admin.GetMetricsAsync("app", TimeSpan.FromMinutes(10));
    Console.WriteLine($"proxy's own metrics for the run: {metrics.Proxy.Requests} requests, {metrics.ServerErrors} 5xx, {metrics.ProxyFailures} proxy failures, {metrics.Proxy.Retries} retries, p50 {metrics.P50Ms:0.000} ms, p99 {metrics.P99Ms:0.000} ms (time spent waiting on the app, seen from the proxy)");
    var errors = fixedDirect.Errors + fixedProxy.Errors + loadDirect.Errors + loadProxy.Errors;
    return errors == 0 ? 0 : 1;
}
finally
{
    if (inProcess is not null)
    {
        await inProcess.DisposeAsync();
    }
    foreach (var child in children)
    {
        try
        {
            if (!child.HasExited)
            {
                child.Kill();
                await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }
        child.Dispose();
    }
    temp.Delete(recursive: true);
}

static void Print(string phase, string target, Result r) => Console.WriteLine(
    $"{phase,-28} {target,-7} {r.Count,9} {r.Errors,7} {r.Rps,9:0} {r.P(0.5),8:0.000} {r.P(0.99),8:0.000}");

static async Task<Result> FixedRateAsync(HttpClient client, Uri url, int rate, TimeSpan duration)
{
    var result = new Result();
    var pending = new List<Task>();
    var started = Stopwatch.GetTimestamp();
    long fired = 0;
    var total = (long)(rate * duration.TotalSeconds);
    while (fired < total)
    {
        var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate) + 1);
        for (; fired < due; fired++)
        {
            pending.Add(OneAsync(client, url, result));
        }
        await Task.Delay(1);
    }
    await Task.WhenAll(pending);
    result.Elapsed = Stopwatch.GetElapsedTime(started);
    return result;
}

static async Task<Result> ClosedLoopAsync(HttpClient client, Uri url, int concurrency, TimeSpan duration)
{
    var result = new Result();
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            await OneAsync(client, url, result);
        }
    }));
    result.Elapsed = Stopwatch.GetElapsedTime(started);
    return result;
}

static async Task OneAsync(HttpClient client, Uri url, Result result)
{
    var t = Stopwatch.GetTimestamp();
    try
    {
        using var response = await client.GetAsync(url);
        await response.Content.ReadAsByteArrayAsync();
        result.Record(Stopwatch.GetElapsedTime(t).TotalMilliseconds, response.StatusCode == HttpStatusCode.OK);
    }
    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
    {
        result.Record(Stopwatch.GetElapsedTime(t).TotalMilliseconds, ok: false);
    }
}

static Process Start(string file, string arguments)
{
    var info = new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardInput = true };
    return Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task WaitAnswersAsync(Uri url)
{
    using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    var deadline = DateTime.UtcNow.AddSeconds(30);
    while (true)
    {
        try
        {
            using var response = await probe.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
        }
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"{url} did not answer within 30 s");
        }
        await Task.Delay(100);
    }
}

static async Task<int> RunAppAsync(int port)
{
    var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
    builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
    {
        k.AddServerHeader = false;
        k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1);
    });
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    var app = builder.Build();
    var payload = "{\"service\":\"bench\",\"status\":\"ok\",\"items\":[1,2,3,4,5,6,7,8],\"message\":\"hello from the app\"}"u8.ToArray();
    app.Run(context =>
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = payload.Length;
        return context.Response.Body.WriteAsync(payload).AsTask();
    });
    // Ends with its parent: the driver holds our stdin open.
    _ = Task.Run(async () =>
    {
        while (await Console.In.ReadLineAsync() is not null)
        {
        }
        await app.StopAsync();
    });
    await app.RunAsync();
    return 0;
}

/// <summary>Latencies and errors of one target, pooled over rounds.</summary>
internal sealed class Result
{
    private readonly List<double> _latencies = [];
    private readonly object _gate = new();

    public int Errors { get; private set; }

    public TimeSpan Elapsed { get; set; }

    public int Count => _latencies.Count + Errors;

    public double Rps => Count / Elapsed.TotalSeconds;

    public void Record(double ms, bool ok)
    {
        lock (_gate)
        {
            if (ok)
            {
                _latencies.Add(ms);
            }
            else
            {
                Errors++;
            }
        }
    }

    public void Add(Result other)
    {
        lock (_gate)
        {
            _latencies.AddRange(other._latencies);
            Errors += other.Errors;
            Elapsed += other.Elapsed;
        }
    }

    public double P(double p)
    {
        if (_latencies.Count == 0)
        {
            return double.NaN;
        }
        var sorted = _latencies.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
