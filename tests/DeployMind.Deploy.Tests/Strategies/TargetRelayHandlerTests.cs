using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DeployMind.Deploy.Strategies;
using DeployMind.Deploy.Targets;
using DeployMind.Deploy.Tests.Health.Support;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Deploy.Tests.Strategies;

/// <summary>The admin API relay: requests made by curl on the target (here: this machine, a local target running curl).</summary>
public sealed class TargetRelayHandlerTests
{
    [Fact]
    public async Task Put_MethodHeadersAndBodyArriveAndTheAnswerComesBack()
    {
        await using var server = new LoopbackHttpServer(r => new TestResponse(r.Method == "PUT" ? 200 : 405, "{\"generation\":7,\"note\":\"a \\\"quoted\\\" value\"}"));
        var target = new RecordingTarget(new LocalDockerTarget("relay", new ProcessRunner()));
        using var client = new HttpClient(new TargetRelayHandler(target, TimeSpan.FromSeconds(10)));
        using var request = new HttpRequestMessage(HttpMethod.Put, $"http://127.0.0.1:{server.Port}/admin/backends")
        {
            Content = new StringContent("{\"backends\":[{\"id\":\"a\",\"url\":\"http://127.0.0.1:1\",\"weight\":100}],\"note\":\"line\\nbreak \\\\ slash\"}",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "t0ps3cr3t-token-value");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"generation\":7,\"note\":\"a \\\"quoted\\\" value\"}", await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(server.Requests);
        Assert.Equal("PUT", seen.Method);
        Assert.Equal("/admin/backends", seen.Path);
        Assert.Equal("Bearer t0ps3cr3t-token-value", seen.Headers["Authorization"]);
        Assert.StartsWith("application/json", seen.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("{\"backends\":[{\"id\":\"a\",\"url\":\"http://127.0.0.1:1\",\"weight\":100}],\"note\":\"line\\nbreak \\\\ slash\"}", seen.Body);
        Assert.DoesNotContain(target.Commands, c => c.Contains("t0ps3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ErrorStatus_PassedThrough_NoAnswer_Throws()
    {
        await using var server = new LoopbackHttpServer(_ => new TestResponse(401, "{\"title\":\"unauthorized\"}"));
        using var client = new HttpClient(new TargetRelayHandler(new LocalDockerTarget("relay", new ProcessRunner()), TimeSpan.FromSeconds(5)));

        using var refused = await client.GetAsync($"http://127.0.0.1:{server.Port}/admin/state");
        var unreachable = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{FreePort.Next()}/admin/state"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("no answer", unreachable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_SentFromTheTarget_HttpAndTcpJudgedAsDirectOnes()
    {
        await using var server = new LoopbackHttpServer(r => r.Path == "/health" ? TestResponse.Ok("ok") : new TestResponse(503));
        using var relay = new TargetRelayHandler(new LocalDockerTarget("relay", new ProcessRunner()), TimeSpan.FromSeconds(5));
        var checker = new DeployMind.Deploy.Health.HealthChecker("deploy-20260101-aaaaaa", new DeployMind.Deploy.Health.MemoryHealthCheckRecorder(), TimeProvider.System);
        var config = new Pipeline.Configuration.HealthCheckConfig { InitialDelay = TimeSpan.Zero, Attempts = 1, Timeout = TimeSpan.FromSeconds(5) };
        DeployMind.Deploy.Health.HealthEndpoint Endpoint(int port) => new() { InstanceId = "far", Host = "127.0.0.1", Port = port, Relay = relay };

        var http = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), config, CancellationToken.None);
        var wrongPath = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), config with { Path = "/nope" }, CancellationToken.None);
        var tcp = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), config with { Type = Domain.HealthCheckType.Tcp }, CancellationToken.None);
        var closed = await checker.WaitUntilHealthyAsync(Endpoint(FreePort.Next()), config with { Type = Domain.HealthCheckType.Tcp }, CancellationToken.None);

        Assert.True(http.Healthy, http.Summary);
        Assert.Equal(200, http.Last!.StatusCode);
        Assert.Equal("returned 503 (expected 200-399)", wrongPath.Last!.Error);
        Assert.True(tcp.Healthy, tcp.Summary);
        Assert.Equal("connection refused (nothing listens on the port)", closed.Last!.Error);
    }

    [Fact]
    public void Quote_EscapesForCurlConfig() =>
        Assert.Equal("\"a \\\"b\\\" \\\\ c\\nd\"", TargetRelayHandler.Quote("a \"b\" \\ c\nd"));

    private sealed class RecordingTarget(IDeployTarget inner) : IDeployTarget
    {
        public List<string> Commands { get; } = [];

        public string Name => inner.Name;

        public Pipeline.Configuration.TargetType Type => inner.Type;

        public Task<TargetCommandResult> RunAsync(IReadOnlyList<string> arguments, TargetCommandOptions options, CancellationToken cancellationToken)
        {
            Commands.Add(string.Join(' ', arguments));
            return inner.RunAsync(arguments, options, cancellationToken);
        }

        public Task<TargetInstanceState> DescribeAsync(CancellationToken cancellationToken) => inner.DescribeAsync(cancellationToken);

        public Task DeliverImageAsync(string image, ImageDeliveryMode mode, CancellationToken cancellationToken) =>
            inner.DeliverImageAsync(image, mode, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
