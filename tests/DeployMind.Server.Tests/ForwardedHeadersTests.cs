using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Server.Tests;

/// <summary>
/// The server behind a reverse proxy: X-Forwarded-For / X-Forwarded-Proto count only from DEPLOYMIND_TRUSTED_PROXIES.
/// The test server's connections are given the loopback address a local proxy would have.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string BadToken = "dm_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";

    [Fact]
    public async Task AuthFailures_WithoutTrustedProxies_InventedForwardedForDoesNotEscapeTheLimit()
    {
        await using var server = await StartAsync(trustedProxies: null);
        using var client = server.Api(null);

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            codes.Add((await SendAsync(client, BadToken, forwardedFor: $"198.51.100.{i + 1}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, codes[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[^1]);
    }

    [Fact]
    public async Task AuthFailures_BehindATrustedProxy_AreCountedPerForwardedClient()
    {
        await using var server = await StartAsync(trustedProxies: "127.0.0.1");
        using var client = server.Api(null);

        for (var i = 0; i < 4; i++)
        {
            await SendAsync(client, BadToken, forwardedFor: "198.51.100.7");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(client, server.ViewerToken, forwardedFor: "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, server.ViewerToken, forwardedFor: "198.51.100.8")).StatusCode);
    }

    [Fact]
    public async Task SignIn_BehindATrustedProxyOverHttps_SetsSecureCookies()
    {
        await using var server = await StartAsync(trustedProxies: "127.0.0.0/8");
        using var client = server.Api(null);

        var response = await SignInOverHttpsAsync(client, server.ViewerToken, forwardedFor: "198.51.100.9");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignIn_ForwardedProtoFromAnUntrustedPeer_IsIgnored()
    {
        await using var server = await StartAsync(trustedProxies: "10.0.0.0/8");
        using var client = server.Api(null);

        var response = await SignInOverHttpsAsync(client, server.ViewerToken, forwardedFor: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(response.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Start_WithAnUnparsableTrustedProxy_FailsNamingTheSetting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(trustedProxies: "127.0.0.1,proxy.example"));

        Assert.Contains("DEPLOYMIND_TRUSTED_PROXIES", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("proxy.example", error.ToString(), StringComparison.Ordinal);
    }

    private static Task<ServerHarness> StartAsync(string? trustedProxies) => ServerHarness.SqliteAsync(
        new()
        {
            ["DEPLOYMIND_TRUSTED_PROXIES"] = trustedProxies,
            ["DEPLOYMIND_AUTH_FAILURE_LIMIT"] = "3",
        },
        services => services.AddTransient<IStartupFilter, LoopbackPeer>());

    /// <summary>Signs in as a TLS-terminating proxy would pass it on: X-Forwarded-Proto https (and the client, when given).</summary>
    private static async Task<HttpResponseMessage> SignInOverHttpsAsync(HttpClient client, string token, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/session") { Content = JsonContent.Create(new { token }) };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        request.Headers.Add("X-Forwarded-Proto", "https");
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string token, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/deployments");
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }

    /// <summary>Gives every test-server connection the peer address 127.0.0.1, as a proxy on the same host would have.</summary>
    private sealed class LoopbackPeer : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
