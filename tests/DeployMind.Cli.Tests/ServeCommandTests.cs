using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeployMind.Testing;
using Microsoft.Data.Sqlite;

namespace DeployMind.Cli.Tests;

/// <summary>`deploymind serve` as a user starts it: its own process, listening on loopback, stopped with SIGTERM.</summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("deploymind-serve");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Serve_OnAnEmbeddedDatabase_AnswersHealthAndTheApiWithACliTokenThenStopsCleanly()
    {
        var env = Environment();
        Assert.Equal(0, (await CliRun.RunAsync(env, "db", "init")).ExitCode);
        var token = (await CliRun.RunAsync(env, "token", "create", "ops", "--role", "viewer", "--json")).Json.GetProperty("token").GetString()!;
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        var queued = await CliRun.RunAsync(env, "deploy", "--path", repo, "--queue-only", "--json");
        Assert.True(queued.ExitCode == 0, queued.Error);
        var id = queued.Json.GetProperty("id").GetString()!;

        using var server = Start(env, "serve", "--urls", "http://127.0.0.1:0", "--workers", "0");
        var baseUrl = await server.AddressAsync();
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/deployments")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/deployments");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var list = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var page = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var item = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetString());
        Assert.Equal("pending", item.GetProperty("status").GetString());

        var exit = await server.StopAsync();

        Assert.Equal(0, exit);
        Assert.Contains("Server stopped", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"LogLevel\":\"Warning\"", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"LogLevel\":\"Error\"", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, server.Output + server.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--workers", "65", "--workers")]
    [InlineData("--config", "/nonexistent/server.yml", "/nonexistent/server.yml")]
    public async Task Serve_WithABadOption_ExitsNonZeroNamingIt(string option, string value, string named)
    {
        using var server = Start(Environment(), "serve", "--urls", "http://127.0.0.1:0", option, value);

        var exit = await server.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains(named, server.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WhenThePortIsTaken_ExitsNonZeroNamingTheAddress()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var server = Start(Environment(), "serve", "--urls", $"http://127.0.0.1:{port}");
        var exit = await server.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains($"127.0.0.1:{port}", server.Error, StringComparison.Ordinal);
        Assert.Contains("--urls", server.Error, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Environment() => new()
    {
        ["DEPLOYMIND_DATABASE_URL"] = "sqlite://" + _dir.Combine("deploymind.db"),
        ["DEPLOYMIND_DATA_DIR"] = _dir.Path,
        ["DEPLOYMIND_SECRET_KEY_FILE"] = _dir.Combine("secret.key"),
    };

    private static ServerProcess Start(IDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "deploymind.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return new ServerProcess(Process.Start(info)!);
    }

    private sealed partial class ServerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();
        private readonly System.Text.StringBuilder _error = new();
        private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ServerProcess(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (_output)
                {
                    _output.AppendLine(e.Data);
                }

                if (Listening().Match(e.Data) is { Success: true } m)
                {
                    _address.TrySetResult(m.Groups[1].Value);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (_error)
                {
                    _error.AppendLine(e.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output
        {
            get { lock (_output) { return _output.ToString(); } }
        }

        public string Error
        {
            get { lock (_error) { return _error.ToString(); } }
        }

        public async Task<string> AddressAsync()
        {
            var exited = _process.WaitForExitAsync();
            var first = await Task.WhenAny(_address.Task, exited, Task.Delay(TimeSpan.FromMinutes(1)));
            return first == _address.Task
                ? await _address.Task
                : throw new InvalidOperationException($"deploymind serve did not report its address; output:\n{Output}\nerrors:\n{Error}");
        }

        public async Task<int> StopAsync()
        {
            Assert.Equal(0, Kill(_process.Id, 15));
            return await WaitAsync(TimeSpan.FromMinutes(1));
        }

        public async Task<int> WaitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        [GeneratedRegex(@"DeployMind server on (http://[^,\s]+)")]
        private static partial Regex Listening();

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);
    }
}
