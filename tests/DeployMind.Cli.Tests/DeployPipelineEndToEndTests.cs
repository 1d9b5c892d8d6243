using System.Net;
using System.Net.Sockets;
using DeployMind.Testing;

namespace DeployMind.Cli.Tests;

/// <summary>
/// `deploymind deploy` end to end on the local Docker target: source, security, build (a generated Dockerfile on the offline
/// base images), deploy behind the edge proxy, verify; then a second version, `instances`, and `rollback` back to the first.
/// </summary>
[Trait("Requires", "docker")]
public sealed class DeployPipelineEndToEndTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("deploymind-cli-e2e");
    private readonly string _app = $"e2e-{Guid.NewGuid():N}"[..10];
    private readonly int _port = FreePort();
    private Dictionary<string, string?> _env = null!;

    public async Task InitializeAsync()
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        _env = new()
        {
            ["DEPLOYMIND_DATA_DIR"] = _dir.Combine("data"),
            ["DEPLOYMIND_BASE_IMAGES"] = "offline",
            ["DOCKER_HOST"] = dockerHost,
        };
        var node = await ProcessRunner.RunAsync("docker", ["image", "inspect", "deploymind/node:18"], TimeSpan.FromSeconds(30));
        Assert.True(node.ExitCode == 0, "the offline base image deploymind/node:18 is missing: run `deploymind images bootstrap`");
        var proxy = await ProcessRunner.RunAsync("docker", ["image", "inspect", "deploymind/proxy:latest"], TimeSpan.FromSeconds(30));
        if (proxy.ExitCode != 0)
        {
            var built = await ProcessRunner.RunAsync("bash", [Path.Combine(DeployCommandTests.RepositoryRoot(), "scripts", "proxy-image.sh"), "latest"], TimeSpan.FromMinutes(10));
            Assert.True(built.ExitCode == 0, $"scripts/proxy-image.sh latest failed: {built.Error}");
        }
    }

    public async Task DisposeAsync()
    {
        var ids = await ProcessRunner.RunAsync("docker", ["ps", "--all", "--quiet", "--filter", $"label=deploymind.app={_app}"], TimeSpan.FromSeconds(30));
        var containers = ids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (containers.Length > 0)
        {
            await ProcessRunner.RunAsync("docker", ["rm", "--force", .. containers], TimeSpan.FromSeconds(60));
        }

        await ProcessRunner.RunAsync("docker", ["volume", "rm", "--force", $"{_app}-local-proxy-state"], TimeSpan.FromSeconds(30));
        var images = await ProcessRunner.RunAsync("docker", ["images", "--quiet", _app], TimeSpan.FromSeconds(30));
        var ids2 = images.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        if (ids2.Length > 0)
        {
            await ProcessRunner.RunAsync("docker", ["rmi", "--force", .. ids2], TimeSpan.FromSeconds(60));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Deploy_Sample_LiveBehindTheProxyThenASecondVersionThenRolledBack()
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"), new Dictionary<string, string> { ["deploymind.yml"] = Config("v1") });
        File.Delete(Path.Combine(repo, "Dockerfile"));
        await GitAsync(repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-qam", "generated Dockerfile");
        var config = Path.Combine(repo, "deploymind.yml");
        Assert.Equal(0, (await CliRun.RunAsync(_env, "db", "init")).ExitCode);

        var first = await CliRun.RunAsync(_env, "deploy", "--config", config, "--json");
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Equal(["source", "security", "build", "deploy", "verify"],
            first.Json.GetProperty("agent_executions").EnumerateArray().Select(a => a.GetProperty("agent_name").GetString()).Where(n => n != "advisor"));
        Assert.Contains("\"version\":\"v1\"", await GetAsync("/health"), StringComparison.Ordinal);

        await File.WriteAllTextAsync(config, Config("v2"));
        await GitAsync(repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-qam", "v2");
        var second = await CliRun.RunAsync(_env, "deploy", "--config", config);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        Assert.Contains("\"version\":\"v2\"", await GetAsync("/health"), StringComparison.Ordinal);

        var instances = await CliRun.RunAsync(_env, "instances", "--config", config);
        Assert.True(instances.ExitCode == 0, instances.Error);
        Assert.Contains("live 100%", instances.Output, StringComparison.Ordinal);
        Assert.Contains("standby", instances.Output, StringComparison.Ordinal);

        var rollback = await CliRun.RunAsync(_env, "rollback", "--config", config);
        Assert.True(rollback.ExitCode == 0, rollback.Output + rollback.Error);
        Assert.Contains($"Previous     {first.Json.GetProperty("id").GetString()}", rollback.Output, StringComparison.Ordinal);
        Assert.Contains("\"version\":\"v1\"", await GetAsync("/health"), StringComparison.Ordinal);
    }

    private string Config(string version) => $"""
        name: {_app}
        source:
          path: .
        targets:
          - name: local
            type: local
            app_port: {_port}
        strategy:
          type: blue-green
          keep_previous_for: 10m
        health_check:
          path: /health
          initial_delay: 0s
          interval: 300ms
          attempts: 40
          backoff: 1
        env:
          APP_VERSION: {version}
        llm:
          provider: none
        """;

    private async Task<string> GetAsync(string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync($"http://127.0.0.1:{_port}{path}");
    }

    private static async Task GitAsync(string repo, params string[] args)
    {
        var result = await ProcessRunner.RunAsync("git", ["-C", repo, .. args], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
