using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.Tests;

public sealed class MetricsAndStateTests
{
    [Fact]
    public async Task Metrics_report_the_5xx_rate_and_p99_of_an_erroring_slow_backend()
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        canary.ErrorEvery = 4;   // 25 % of its requests answer 500
        canary.DelayMs = 100;
        await using var proxy = await Proxies.StartAsync(o => o.Backends = [Proxies.Backend(stable, 50), Proxies.Backend(canary, 50)]);
        using var admin = proxy.CreateAdminClient();
        using var client = Proxies.Client(proxy);

        await Parallel.ForAsync(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
        {
            using var response = await client.GetAsync("/", ct);
            await response.Content.ReadAsStringAsync(ct);
        });

        var c = await admin.GetMetricsAsync("canary", TimeSpan.FromMinutes(1));
        Assert.Equal(200, c.Requests);
        Assert.Equal(50, c.ServerErrors);
        Assert.Equal(25.0, c.ErrorRatePercent);
        Assert.Equal(0, c.ProxyFailures);
        Assert.True(c.P50Ms >= 95, $"p50 {c.P50Ms}");
        Assert.True(c.P99Ms >= c.P50Ms, $"p99 {c.P99Ms}");
        Assert.Equal(400, c.Proxy.Requests);

        var s = await admin.GetMetricsAsync("stable", TimeSpan.FromMinutes(1));
        Assert.Equal(200, s.Requests);
        Assert.Equal(0, s.ServerErrors);
        Assert.Equal(0, s.ErrorRatePercent);
        Assert.True(s.P50Ms < c.P50Ms, $"stable p50 {s.P50Ms} vs canary p50 {c.P50Ms}");

        // The window ends now: a short window after a pause sees nothing.
        await Task.Delay(2100);
        var recent = await admin.GetMetricsAsync("canary", TimeSpan.FromSeconds(1));
        Assert.Equal(0, recent.Requests);
        Assert.Null(recent.P99Ms);
    }

    [Fact]
    public async Task The_state_file_restores_the_backends_after_a_restart()
    {
        using var dir = new TempDir();
        var stateFile = Path.Combine(dir.Path, "nested", "proxy-state.json");
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var token = Proxies.NewToken();

        await using (var first = await Proxies.StartAsync(o =>
        {
            o.AdminToken = token;
            o.StateFile = stateFile;
            o.Backends = [Proxies.Backend(a, 100)];
        }))
        {
            using var admin = first.CreateAdminClient();
            Assert.Equal(1, (await admin.GetStateAsync()).Generation);
            await admin.SetBackendsAsync([Proxies.Backend(a, 30), Proxies.Backend(b, 70)]);
        }
        Assert.True(File.Exists(stateFile));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(stateFile)!, "*.tmp"));

        // Restarted with different initial backends: the state file wins.
        await using var second = await Proxies.StartAsync(o =>
        {
            o.AdminToken = token;
            o.StateFile = stateFile;
            o.Backends = [new ProxyBackend("other", "http://127.0.0.1:1", 100)];
        });
        using var admin2 = second.CreateAdminClient();
        var state = await admin2.GetStateAsync();
        Assert.Equal(2, state.Generation);
        Assert.Equal(["a", "b"], state.Backends.Select(x => x.Id));
        Assert.Equal([30, 70], state.Backends.Select(x => x.Weight));
        using var client = Proxies.Client(second);
        var bodies = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            bodies.Add(await client.GetStringAsync("/"));
        }
        Assert.Equal(3, bodies.Count(x => x == "a"));
        Assert.Equal(7, bodies.Count(x => x == "b"));

        // The next change continues the generation.
        Assert.Equal(3, (await admin2.SetBackendsAsync([Proxies.Backend(b, 100)])).Generation);
    }

    [Fact]
    public async Task A_corrupt_state_file_stops_the_start_with_its_path()
    {
        using var dir = new TempDir();
        var stateFile = Path.Combine(dir.Path, "state.json");
        await File.WriteAllTextAsync(stateFile, "{\"backends\": [{\"id\": \"a\", \"url\": \"gopher://x\", \"weight\": 5}]}");
        var error = await Assert.ThrowsAsync<ProxyConfigurationException>(() => Proxies.StartAsync(o => o.StateFile = stateFile));
        Assert.Contains(stateFile, error.Message);
        Assert.Contains("backends[0].url", error.Message);
    }
}
