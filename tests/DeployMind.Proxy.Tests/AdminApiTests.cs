using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.Tests;

public sealed class AdminApiTests
{
    [Fact]
    public async Task Admin_api_refuses_a_missing_or_wrong_token_with_401()
    {
        await using var proxy = await Proxies.StartAsync();
        using var http = new HttpClient { BaseAddress = proxy.AdminAddress };

        foreach (var path in new[] { "admin/state", "admin/metrics?backend=a&window=10", "admin/backends" })
        {
            var missing = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);

            using var wrong = new HttpRequestMessage(HttpMethod.Get, path);
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", proxy.AdminToken + "x");
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }
        using var put = new HttpRequestMessage(HttpMethod.Put, "admin/backends") { Content = new StringContent("[]") };
        put.Headers.Authorization = new AuthenticationHeaderValue("Basic", proxy.AdminToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(put)).StatusCode);

        using var wrongClient = new ProxyAdminClient(proxy.AdminAddress, Proxies.NewToken());
        var error = await Assert.ThrowsAsync<ProxyAdminException>(() => wrongClient.GetStateAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);

        // Health needs no token; the right token works.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("admin/health")).StatusCode);
        using var admin = proxy.CreateAdminClient();
        Assert.Equal(0, (await admin.GetStateAsync()).Generation);
    }

    [Theory]
    [InlineData("0.0.0.0:0")]
    [InlineData("*:0")]
    [InlineData("[::]:0")]
    [InlineData("192.0.2.10:9080")]
    public async Task Refuses_to_start_with_an_admin_endpoint_that_is_not_loopback(string admin)
    {
        var error = await Assert.ThrowsAsync<ProxyConfigurationException>(() => Proxies.StartAsync(o => o.Admin = admin));
        Assert.Contains("not a loopback address", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    [InlineData("short")]
    public async Task Refuses_to_start_without_a_usable_token(string? token)
    {
        var error = await Assert.ThrowsAsync<ProxyConfigurationException>(() => Proxies.StartAsync(o => o.AdminToken = token));
        Assert.Contains("token", error.Message);
    }

    [Fact]
    public async Task Refuses_a_taken_port_with_a_clear_message()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var error = await Assert.ThrowsAsync<ProxyConfigurationException>(() => Proxies.StartAsync(o => o.Listen = $"127.0.0.1:{port}"));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task Invalid_backend_sets_are_rejected_with_every_problem_listed()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await Proxies.StartAsync(o => o.Backends = [Proxies.Backend(a, 100)]);
        using var admin = proxy.CreateAdminClient();

        var error = await Assert.ThrowsAsync<ProxyAdminException>(() => admin.SetBackendsAsync(
        [
            new ProxyBackend("ok", "http://127.0.0.1:1", 50),
            new ProxyBackend("ok", "ftp://127.0.0.1:2", 101),
            new ProxyBackend("", "not a url", -1),
            new ProxyBackend("bad id!", "http://u:p@127.0.0.1:3/?q=1", 5),
        ], TimeSpan.FromHours(2)));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("backends[1].id", error.Errors.Keys);
        Assert.Contains("backends[1].url", error.Errors.Keys);
        Assert.Contains("backends[1].weight", error.Errors.Keys);
        Assert.Contains("backends[2].id", error.Errors.Keys);
        Assert.Contains("backends[2].url", error.Errors.Keys);
        Assert.Contains("backends[2].weight", error.Errors.Keys);
        Assert.Contains("backends[3].id", error.Errors.Keys);
        Assert.Equal(2, error.Errors["backends[3].url"].Length); // credentials and query
        Assert.Contains("drainTimeoutSeconds", error.Errors.Keys);
        Assert.Contains("backends[1].weight", error.Message);
        Assert.Contains("drainTimeoutSeconds", error.Message);

        // Nothing was applied.
        var state = await admin.GetStateAsync();
        Assert.Equal(1, state.Generation);
        Assert.Equal("a", Assert.Single(state.Backends).Id);
    }

    [Fact]
    public async Task Raw_put_accepts_an_array_and_reports_bad_json()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await Proxies.StartAsync();
        using var http = new HttpClient { BaseAddress = proxy.AdminAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", proxy.AdminToken);

        var ok = await http.PutAsync("admin/backends?drainTimeoutSeconds=3",
            new StringContent($$"""[{"id":"a","url":"{{a.UrlText}}","weight":100}]"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        var bad = await http.PutAsync("admin/backends", new StringContent("{\"backends\": [ {\"id\": "));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType!.MediaType);
        Assert.Contains("not valid JSON", await bad.Content.ReadAsStringAsync());

        var missing = await http.PutAsync("admin/backends", new StringContent("{\"drainTimeoutSeconds\": 1, \"extra\": true}"));
        var text = await missing.Content.ReadAsStringAsync();
        Assert.Contains("\"backends\"", text);
        Assert.Contains("\"extra\"", text);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.DeleteAsync("admin/backends")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("admin/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("admin/metrics?backend=zzz")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("admin/metrics?backend=a&window=0")).StatusCode);
    }

    [Fact]
    public async Task Every_client_call_is_bounded_by_its_timeout()
    {
        // A server that accepts connections and never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    accepted.Add(await silent.AcceptSocketAsync());
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/");
        using var admin = new ProxyAdminClient(url, Proxies.NewToken(), TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<ProxyAdminException>(() => admin.SetBackendsAsync([], null));
        Assert.True(error.IsTimeout);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<ProxyAdminException>(() => admin.GetMetricsAsync("a", TimeSpan.FromSeconds(5)));

        // Nothing listening: unreachable, quickly.
        silent.Stop();
        var gone = await Assert.ThrowsAsync<ProxyAdminException>(() => admin.GetStateAsync());
        Assert.Null(gone.StatusCode);
        foreach (var s in accepted)
        {
            s.Dispose();
        }
    }
}
