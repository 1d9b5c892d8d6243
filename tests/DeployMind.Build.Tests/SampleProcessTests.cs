using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace DeployMind.Build.Tests;

/// <summary>Runs the interpreted samples with the interpreter on this machine and checks the behaviour deploy tests rely on.</summary>
public sealed class SampleProcessTests
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(15);

    public static TheoryData<string, string, string> Apps => new()
    {
        { "node-hello", "node", "server.js" },
        { "python-hello", "python3", "app.py" },
    };

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Start_Sample_AnswersHealthWithVersionAndRootPage(string sample, string interpreter, string script)
    {
        var executable = FindOnPath(interpreter)
            ?? throw new Xunit.Sdk.XunitException($"{interpreter} is not on PATH; scripts/setup.sh installs it (the samples must really run)");

        var port = FreePort();
        using var app = Start(executable, sample, script, new() { ["PORT"] = $"{port}", ["HOST"] = "127.0.0.1", ["APP_VERSION"] = "test-1" });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        using var health = await WaitForAsync(client, $"http://127.0.0.1:{port}/health", app);
        var body = await health.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var page = await client.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("test-1", json.RootElement.GetProperty("version").GetString());
        Assert.Contains($"Hello from {sample}", page, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Start_SampleWithFailHealth_Answers503(string sample, string interpreter, string script)
    {
        var executable = FindOnPath(interpreter)
            ?? throw new Xunit.Sdk.XunitException($"{interpreter} is not on PATH; scripts/setup.sh installs it (the samples must really run)");

        var port = FreePort();
        using var app = Start(executable, sample, script, new() { ["PORT"] = $"{port}", ["FAIL_HEALTH"] = "1" });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        using var health = await WaitForAsync(client, $"http://127.0.0.1:{port}/health", app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Start_SampleWithSlowMs_DelaysResponses(string sample, string interpreter, string script)
    {
        var executable = FindOnPath(interpreter)
            ?? throw new Xunit.Sdk.XunitException($"{interpreter} is not on PATH; scripts/setup.sh installs it (the samples must really run)");

        var port = FreePort();
        using var app = Start(executable, sample, script, new() { ["PORT"] = $"{port}", ["SLOW_MS"] = "400" });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        (await WaitForAsync(client, $"http://127.0.0.1:{port}/health", app)).Dispose();

        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380), $"answered after {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Start_SampleWithCrashOnStart_ExitsWithCode1(string sample, string interpreter, string script)
    {
        var executable = FindOnPath(interpreter)
            ?? throw new Xunit.Sdk.XunitException($"{interpreter} is not on PATH; scripts/setup.sh installs it (the samples must really run)");

        using var app = Start(executable, sample, script, new() { ["PORT"] = $"{FreePort()}", ["CRASH_ON_START"] = "1" });
        using var timeout = new CancellationTokenSource(s_startTimeout);

        await app.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, app.ExitCode);
    }

    private static SampleProcess Start(string executable, string sample, string script, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Samples.PathOf(sample),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var name in new[] { "PORT", "HOST", "APP_VERSION", "FAIL_HEALTH", "CRASH_ON_START", "SLOW_MS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new SampleProcess(Process.Start(start)!);
    }

    private static async Task<HttpResponseMessage> WaitForAsync(HttpClient client, string url, SampleProcess app)
    {
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (true)
        {
            try
            {
                return await client.GetAsync(new Uri(url));
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !app.Process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>A started sample, killed with its children when the test ends.</summary>
    private sealed class SampleProcess(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public int ExitCode => Process.ExitCode;

        public Task WaitForExitAsync(CancellationToken cancellationToken) => Process.WaitForExitAsync(cancellationToken);

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }

            Process.Dispose();
        }
    }
}
