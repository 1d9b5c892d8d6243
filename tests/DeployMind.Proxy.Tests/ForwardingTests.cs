using System.Net;
using System.Text;
using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.Tests;

public sealed class ForwardingTests
{
    [Fact]
    public async Task Weights_split_traffic_10_90_over_2000_requests()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await Proxies.StartAsync(o => o.Backends = [Proxies.Backend(a, 10), Proxies.Backend(b, 90)]);
        using var client = Proxies.Client(proxy);

        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 };
        var gate = new object();
        await Parallel.ForAsync(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
        {
            var body = await client.GetStringAsync("/", ct);
            lock (gate)
            {
                counts[body]++;
            }
        });

        Assert.Equal(2000, counts["a"] + counts["b"]);
        // Smooth weighted round robin is exact per 100 choices; allow a little for nothing.
        Assert.InRange(counts["a"], 190, 210);
        Assert.InRange(counts["b"], 1790, 1810);
        Assert.Equal(counts["a"], (int)a.Received);
    }

    [Fact]
    public async Task No_backend_answers_503_with_a_clear_body()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await Proxies.StartAsync();
        using var client = Proxies.Client(proxy);

        var empty = await client.GetAsync("/anything");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, empty.StatusCode);
        Assert.Contains("no live backend", await empty.Content.ReadAsStringAsync());
        Assert.Equal("1", empty.Headers.GetValues("Retry-After").Single());

        using var admin = proxy.CreateAdminClient();
        await admin.SetBackendsAsync([Proxies.Backend(a, 0)]);
        var zero = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, zero.StatusCode);
        Assert.Equal(0, a.Received);

        var metrics = await admin.GetMetricsAsync("a", TimeSpan.FromMinutes(1));
        Assert.Equal(2, metrics.Proxy.NoBackend);
    }

    [Fact]
    public async Task Forwards_path_query_method_body_and_headers()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await Proxies.StartAsync(o => o.Backends = [Proxies.Backend(a, 100)]);
        using var client = Proxies.Client(proxy);

        var echo = await client.PostAsync("/echo?x=1", new StringContent("hello", Encoding.UTF8));
        Assert.Equal("a:hello", await echo.Content.ReadAsStringAsync());
        var get = await client.GetAsync("/");
        Assert.Equal("a", get.Headers.GetValues("X-Backend").Single());
    }

    [Fact]
    public async Task Connection_refused_is_retried_on_another_backend_for_any_method()
    {
        await using var live = await TestBackend.StartAsync("live");
        var dead = await TestBackend.StartAsync("dead");
        var deadUrl = dead.UrlText;
        await dead.StopAsync();
        await using var proxy = await Proxies.StartAsync(o =>
        {
            o.Backends = [new ProxyBackend("dead", deadUrl, 50), Proxies.Backend(live, 50)];
            o.UnreachableCooldown = TimeSpan.Zero; // every other request tries the dead one
        });
        using var client = Proxies.Client(proxy);

        for (var i = 0; i < 40; i++)
        {
            var response = i % 2 == 0
                ? await client.GetAsync("/")
                : await client.PostAsync("/echo", new StringContent($"p{i}"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("live", body);
        }
        using var admin = proxy.CreateAdminClient();
        var metrics = await admin.GetMetricsAsync("dead", TimeSpan.FromMinutes(1));
        Assert.True(metrics.ConnectionErrors >= 10, $"connection errors {metrics.ConnectionErrors}");
        Assert.Equal(metrics.ConnectionErrors, metrics.Proxy.Retries);
        Assert.Equal(0, metrics.Proxy.Failed);
    }

    [Fact]
    public async Task Dropped_connection_is_retried_for_GET_but_not_for_POST()
    {
        await using var good = await TestBackend.StartAsync("good");
        await using var bad = await TestBackend.StartAsync("bad");
        await using var proxy = await Proxies.StartAsync(o => o.Backends = [Proxies.Backend(bad, 50), Proxies.Backend(good, 50)]);
        using var client = Proxies.Client(proxy);

        // Both backends drop the connection on /abort, after the request reached them.
        var gets = 0;
        for (var i = 0; i < 10; i++)
        {
            var r = await client.GetAsync("/abort");
            // A GET is repeated once on the other backend, which drops it too: 502.
            Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
            gets++;
        }
        using var admin = proxy.CreateAdminClient();
        var m = await admin.GetMetricsAsync("bad", TimeSpan.FromMinutes(1));
        Assert.Equal(gets, m.Proxy.Retries); // each GET was retried exactly once
        Assert.Equal(gets, (int)(bad.Received + good.Received) / 2);

        var before = bad.Received + good.Received;
        for (var i = 0; i < 10; i++)
        {
            var r = await client.PostAsync("/abort", new StringContent("x"));
            Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
            Assert.Contains("failed before answering", await r.Content.ReadAsStringAsync());
        }
        // A POST that may have reached the backend is never repeated.
        Assert.Equal(before + 10, bad.Received + good.Received);
    }
}
