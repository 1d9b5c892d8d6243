using System.Net;
using System.Net.Sockets;
using DeployMind.Deploy.Health;
using DeployMind.Deploy.Tests.Health.Support;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.Deploy.Tests.Health;

public sealed class HealthCheckerTests
{
    private static readonly HealthCheckConfig s_fast = new()
    {
        InitialDelay = TimeSpan.Zero,
        Interval = TimeSpan.FromMilliseconds(50),
        Timeout = TimeSpan.FromSeconds(2),
        Attempts = 3,
        Backoff = 1.0,
    };

    [Fact]
    public async Task WaitUntilHealthy_200_HealthyOnFirstAttemptAndOneRowRecorded()
    {
        await using var server = new LoopbackHttpServer(_ => TestResponse.Ok("{\"status\":\"ok\"}"));
        await using var f = await JournalFixture.CreateAsync();
        var checker = new HealthChecker(f.DeploymentId, new JournalHealthCheckRecorder(f.Journal), TimeProvider.System);

        var verdict = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast, CancellationToken.None);

        Assert.True(verdict.Healthy, verdict.Summary);
        Assert.Equal(1, verdict.Probes);
        var row = Assert.Single(await f.HealthChecksAsync());
        Assert.True(row.Healthy);
        Assert.Equal(HealthCheckType.Http, row.CheckType);
        Assert.Equal($"http://127.0.0.1:{server.Port}/health", row.CheckUrl);
        Assert.Equal(200, row.StatusCode);
        Assert.Equal("{\"status\":\"ok\"}", row.ResponseBody);
        Assert.Equal("web-1", row.InstanceId);
        Assert.Equal(1, row.AttemptNumber);
        Assert.Equal(3, row.MaxAttempts);
        Assert.True(row.ResponseTimeMs > 0);
        Assert.Null(row.ErrorMessage);
        Assert.Equal("/health", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task WaitUntilHealthy_WrongStatus_UnhealthyAfterEveryAttemptWithEachRowAndLog()
    {
        await using var server = new LoopbackHttpServer(_ => new TestResponse(503, "warming up"));
        await using var f = await JournalFixture.CreateAsync();
        var checker = new HealthChecker(f.DeploymentId, new JournalHealthCheckRecorder(f.Journal), TimeProvider.System);

        var verdict = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast, CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.Equal(3, verdict.Probes);
        Assert.Contains("failed 3 of 3 attempts: returned 503 (expected 200-399)", verdict.Summary, StringComparison.Ordinal);
        var rows = await f.HealthChecksAsync();
        Assert.Equal([1, 2, 3], rows.Select(r => r.AttemptNumber));
        Assert.All(rows, r =>
        {
            Assert.False(r.Healthy);
            Assert.Equal(503, r.StatusCode);
            Assert.Equal("warming up", r.ResponseBody);
            Assert.Equal("returned 503 (expected 200-399)", r.ErrorMessage);
        });
        Assert.Equal(3, (await f.LogsAsync()).Count(l => l.EventType == "health_check_failed"));
    }

    [Fact]
    public async Task WaitUntilHealthy_ExpectedStatusRange_AcceptsOnlyThatRange()
    {
        await using var server = new LoopbackHttpServer(_ => new TestResponse(204));
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System);

        var accepted = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast with { ExpectedStatus = new(204, 204) }, CancellationToken.None);
        var refused = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast with { ExpectedStatus = new(200, 200), Attempts = 1 }, CancellationToken.None);

        Assert.True(accepted.Healthy);
        Assert.False(refused.Healthy);
        Assert.Equal("returned 204 (expected 200)", refused.Last!.Error);
    }

    [Fact]
    public async Task WaitUntilHealthy_BodyMismatch_UnhealthyAndBodyMatch_Healthy()
    {
        await using var server = new LoopbackHttpServer(_ => TestResponse.Ok("{\"status\":\"degraded\"}"));
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System);

        var mismatch = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast with { BodyContains = "\"status\":\"ok\"", Attempts = 2 }, CancellationToken.None);
        var match = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast with { BodyContains = "degraded" }, CancellationToken.None);

        Assert.False(mismatch.Healthy);
        Assert.Equal("returned 200 but the body does not contain '\"status\":\"ok\"'", mismatch.Last!.Error);
        Assert.True(match.Healthy);
    }

    [Fact]
    public async Task WaitUntilHealthy_SendsConfiguredHeadersToThePath()
    {
        await using var server = new LoopbackHttpServer(r =>
            r.Headers.TryGetValue("X-Probe-Token", out var token) && token == "t0k" ? TestResponse.Ok() : new TestResponse(401));
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System);
        var config = s_fast with { Path = "/ready?full=1", Headers = new Dictionary<string, string> { ["X-Probe-Token"] = "t0k", ["Host"] = "app.internal" } };

        var verdict = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), config, CancellationToken.None);

        Assert.True(verdict.Healthy, verdict.Summary);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/ready?full=1", request.Path);
        Assert.Equal("app.internal", request.Headers["Host"]);
    }

    [Fact]
    public async Task WaitUntilHealthy_HangingEndpoint_NoAnswerIsUnhealthyWithinTheTimeout()
    {
        await using var server = new LoopbackHttpServer(_ => TestResponse.Hangs());
        var recorder = new MemoryHealthCheckRecorder();
        var checker = new HealthChecker("deploy-20260101-aaaaaa", recorder, TimeProvider.System);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var verdict = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast with { Timeout = TimeSpan.FromMilliseconds(300), Attempts = 2 }, CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(5));
        Assert.All(recorder.Rows, r =>
        {
            Assert.False(r.Healthy);
            Assert.Null(r.StatusCode);
            Assert.Equal("no answer within 300ms", r.ErrorMessage);
        });
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task WaitUntilHealthy_HangingEndpointOnFakeClock_UnhealthyExactlyWhenTheTimeoutPasses()
    {
        await using var server = new LoopbackHttpServer(_ => TestResponse.Hangs());
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var recorder = new MemoryHealthCheckRecorder();
        var checker = new HealthChecker("deploy-20260101-aaaaaa", recorder, clock);

        var check = checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast with { Timeout = TimeSpan.FromSeconds(3), Attempts = 1 }, CancellationToken.None);
        await server.WaitForRequestsAsync(1);
        clock.Advance(TimeSpan.FromSeconds(2.9));
        await Task.Delay(200);
        Assert.False(check.IsCompleted, "a hanging endpoint must not be judged before its timeout");
        clock.Advance(TimeSpan.FromSeconds(0.1));
        var verdict = await check.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(verdict.Healthy);
        Assert.Equal("no answer within 3s", Assert.Single(recorder.Rows).ErrorMessage);
    }

    [Fact]
    public async Task WaitUntilHealthy_ConnectionClosedWithoutAnswer_Unhealthy()
    {
        await using var server = new LoopbackHttpServer(_ => new TestResponse(200, CloseWithoutAnswer: true));
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System);

        var verdict = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast with { Attempts = 1 }, CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.NotNull(verdict.Last!.Error);
    }

    [Fact]
    public async Task WaitUntilHealthy_NothingListening_ConnectionRefusedIsUnhealthy()
    {
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System);

        var verdict = await checker.WaitUntilHealthyAsync(Endpoint(FreePort.Next()), s_fast with { Attempts = 2 }, CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.Equal("connection refused (nothing listens on the port)", verdict.Last!.Error);
    }

    [Fact]
    public async Task WaitUntilHealthy_HealthyOnThirdAttempt_HealthyWithTheFailedAttemptsRecorded()
    {
        await using var server = new LoopbackHttpServer(r => r.Number < 3 ? new TestResponse(502) : TestResponse.Ok());
        var recorder = new MemoryHealthCheckRecorder();
        var checker = new HealthChecker("deploy-20260101-aaaaaa", recorder, TimeProvider.System);

        var verdict = await checker.WaitUntilHealthyAsync(Endpoint(server.Port), s_fast with { Attempts = 5 }, CancellationToken.None);

        Assert.True(verdict.Healthy);
        Assert.Equal(3, verdict.Probes);
        Assert.Equal([false, false, true], recorder.Rows.Select(r => r.Healthy));
        Assert.Contains("attempt 3/5", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitUntilHealthy_InitialDelayIntervalAndBackoff_FollowTheClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var start = clock.GetUtcNow();
        var probe = new ScriptedProbe(clock, _ => false);
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), clock, [probe]);
        var config = new HealthCheckConfig { InitialDelay = TimeSpan.FromSeconds(5), Interval = TimeSpan.FromSeconds(2), Backoff = 2.0, Attempts = 4, Timeout = TimeSpan.FromSeconds(1) };

        var check = checker.WaitUntilHealthyAsync(Endpoint(1), config, CancellationToken.None);
        for (var i = 0; i < 40 && !check.IsCompleted; i++)
        {
            await Task.Delay(20);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var verdict = await check.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(verdict.Healthy);
        // delay 5 s, then probes 2 s, 4 s and 8 s apart.
        Assert.Equal([5, 7, 11, 19], probe.Times.Select(t => (int)(t - start).TotalSeconds));
    }

    [Fact]
    public void NextInterval_BackoffIsCappedAtOneMinute()
    {
        var config = new HealthCheckConfig { Interval = TimeSpan.FromSeconds(10), Backoff = 3.0 };

        Assert.Equal(TimeSpan.FromSeconds(30), HealthChecker.NextInterval(TimeSpan.FromSeconds(10), config));
        Assert.Equal(HealthChecker.MaxInterval, HealthChecker.NextInterval(TimeSpan.FromSeconds(30), config));
        Assert.Equal(TimeSpan.FromSeconds(10), HealthChecker.NextInterval(TimeSpan.FromSeconds(10), config with { Backoff = 1.0 }));
    }

    [Fact]
    public async Task WaitUntilHealthy_ContainerExited_StopsAtOnceWithTheExitCode()
    {
        var recorder = new MemoryHealthCheckRecorder();
        var checker = new HealthChecker("deploy-20260101-aaaaaa", recorder, TimeProvider.System);
        var endpoint = Endpoint(FreePort.Next()) with { Describe = _ => Task.FromResult<InstanceSnapshot?>(new InstanceSnapshot("exited", "Exited (3)", 3)) };

        var verdict = await checker.WaitUntilHealthyAsync(endpoint, s_fast with { Attempts = 10 }, CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.Equal(1, verdict.Probes);
        Assert.Contains("the container has exited with code 3", verdict.Summary, StringComparison.Ordinal);
        var row = Assert.Single(recorder.Rows);
        Assert.Equal("exited", row.InstanceState);
        Assert.Equal("Exited (3)", row.InstanceStatus);
    }

    [Fact]
    public async Task WaitUntilHealthy_ProbeThrowsUnexpectedly_Unhealthy()
    {
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System,
            [new ScriptedProbe(TimeProvider.System, _ => throw new InvalidOperationException("boom"))]);

        var verdict = await checker.WaitUntilHealthyAsync(Endpoint(1), s_fast with { Attempts = 1 }, CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.Equal("probe failed: InvalidOperationException: boom", verdict.Last!.Error);
    }

    [Fact]
    public async Task Tcp_ListeningPortHealthy_ClosedPortUnhealthy()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var recorder = new MemoryHealthCheckRecorder();
        var checker = new HealthChecker("deploy-20260101-aaaaaa", recorder, TimeProvider.System);
        var tcp = s_fast with { Type = HealthCheckType.Tcp, Attempts = 2 };

        var up = await checker.WaitUntilHealthyAsync(Endpoint(open), tcp, CancellationToken.None);
        var down = await checker.WaitUntilHealthyAsync(Endpoint(FreePort.Next()), tcp, CancellationToken.None);

        Assert.True(up.Healthy);
        Assert.False(down.Healthy);
        Assert.Equal($"tcp://127.0.0.1:{open}", recorder.Rows[0].CheckUrl);
        Assert.Equal(HealthCheckType.Tcp, recorder.Rows[0].CheckType);
        Assert.Equal("connection refused (nothing listens on the port)", down.Last!.Error);
    }

    [Fact]
    public async Task Command_ExitCodeDecides_AndTimeoutIsUnhealthy()
    {
        var exec = new ScriptedExecutor();
        var recorder = new MemoryHealthCheckRecorder();
        var checker = new HealthChecker("deploy-20260101-aaaaaa", recorder, TimeProvider.System);
        var config = s_fast with { Type = HealthCheckType.Command, Command = ["sh", "-c", "test -f /tmp/ready"], Attempts = 1 };
        var endpoint = Endpoint(1) with { Container = "web-abc", Executor = exec };

        exec.Next = new ContainerCommandResult(0, "ready\n");
        var ok = await checker.WaitUntilHealthyAsync(endpoint, config, CancellationToken.None);
        exec.Next = new ContainerCommandResult(1, "missing\n");
        var failed = await checker.WaitUntilHealthyAsync(endpoint, config, CancellationToken.None);
        exec.Next = new ContainerCommandResult(-1, "", TimedOut: true);
        var hung = await checker.WaitUntilHealthyAsync(endpoint, config, CancellationToken.None);

        Assert.True(ok.Healthy);
        Assert.False(failed.Healthy);
        Assert.Equal("exited with 1", failed.Last!.Error);
        Assert.False(hung.Healthy);
        Assert.Equal("no answer within 2s", hung.Last!.Error);
        Assert.Equal(("web-abc", "sh -c test -f /tmp/ready"), exec.Calls[0]);
        Assert.Equal("exec web-abc: sh -c test -f /tmp/ready", recorder.Rows[0].CheckUrl);
        Assert.Equal("ready", recorder.Rows[0].ResponseBody);
    }

    [Fact]
    public async Task Monitor_StableEndpoint_HealthyAfterTheWindow()
    {
        await using var server = new LoopbackHttpServer(_ => TestResponse.Ok());
        var recorder = new MemoryHealthCheckRecorder();
        var checker = new HealthChecker("deploy-20260101-aaaaaa", recorder, TimeProvider.System);

        var verdict = await checker.MonitorAsync([Endpoint(server.Port)], s_fast, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.True(verdict.Healthy, verdict.Summary);
        Assert.True(recorder.Rows.Count >= 3, $"{recorder.Rows.Count} probes");
        Assert.All(recorder.Rows, r => Assert.Null(r.MaxAttempts));
    }

    [Fact]
    public async Task Monitor_FlappingEndpoint_UnhealthyVerdictBeforeTheWindowEnds()
    {
        // Healthy, unhealthy, healthy, unhealthy...: never `attempts` failures in a row, but half of all probes fail.
        await using var server = new LoopbackHttpServer(r => r.Number % 2 == 0 ? new TestResponse(500, "flap") : TestResponse.Ok());
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var verdict = await checker.MonitorAsync([Endpoint(server.Port)], s_fast with { Attempts = 3 }, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.Contains("(flapping)", verdict.Summary, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Monitor_OneOfTwoEndpointsGoesDown_UnhealthyNamingIt()
    {
        await using var good = new LoopbackHttpServer(_ => TestResponse.Ok());
        await using var bad = new LoopbackHttpServer(r => r.Number > 2 ? new TestResponse(503) : TestResponse.Ok());
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System);

        var verdict = await checker.MonitorAsync([Endpoint(good.Port, "web-1"), Endpoint(bad.Port, "web-2")], s_fast, TimeSpan.FromSeconds(30),
            CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.Equal("web-2", verdict.InstanceId);
        Assert.Contains("3 probes in a row failed", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sample_CountsFailuresAndLatency()
    {
        await using var server = new LoopbackHttpServer(r => r.Number % 4 == 0 ? new TestResponse(500) : new TestResponse(200, "ok", TimeSpan.FromMilliseconds(30)));
        var checker = new HealthChecker("deploy-20260101-aaaaaa", new MemoryHealthCheckRecorder(), TimeProvider.System);

        var stats = await checker.SampleAsync([Endpoint(server.Port)], s_fast with { Interval = TimeSpan.FromMilliseconds(20) }, TimeSpan.FromMilliseconds(600),
            CancellationToken.None);

        Assert.True(stats.Total >= 4, $"{stats.Total} probes");
        Assert.Equal(stats.Total / 4, stats.Failed);
        Assert.True(stats.P99Ms >= 25, $"p99 {stats.P99Ms} ms");
        // Every fourth answer is a 500, so the rate follows from how many probes fit in the window.
        Assert.Equal(100.0 * (stats.Total - stats.Total / 4) / stats.Total, stats.SuccessRatePercent, 6);
        Assert.InRange(stats.SuccessRatePercent, 70, 90);
    }

    [Fact]
    public void Percentile_NearestRank()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).ToList();

        Assert.Equal(50, HealthChecker.Percentile(values, 0.5));
        Assert.Equal(99, HealthChecker.Percentile(values, 0.99));
        Assert.Equal(0, HealthChecker.Percentile([], 0.99));
    }

    private static HealthEndpoint Endpoint(int port, string instance = "web-1") => new() { InstanceId = instance, Host = "127.0.0.1", Port = port };

    private sealed class ScriptedProbe(TimeProvider clock, Func<int, bool> healthy) : IHealthProbe
    {
        private int _count;

        public List<DateTimeOffset> Times { get; } = [];

        public HealthCheckType Type => HealthCheckType.Http;

        public string Describe(HealthEndpoint endpoint, HealthCheckConfig config) => "scripted";

        public Task<ProbeResult> ProbeAsync(HealthEndpoint endpoint, HealthCheckConfig config, CancellationToken cancellationToken)
        {
            Times.Add(clock.GetUtcNow());
            var ok = healthy(++_count);
            return Task.FromResult(new ProbeResult { Healthy = ok, Target = "scripted", Error = ok ? null : "scripted failure" });
        }
    }

    private sealed class ScriptedExecutor : IContainerCommandExecutor
    {
        public ContainerCommandResult Next { get; set; } = new(0, "");

        public List<(string Container, string Command)> Calls { get; } = [];

        public Task<ContainerCommandResult> ExecAsync(string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Calls.Add((container, string.Join(' ', command)));
            return Task.FromResult(Next);
        }
    }
}
