using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Server.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Server.Tests;

public sealed class WebhookTests : IAsyncLifetime
{
    public const string Secret = "It's a Secret to Everybody";
    private readonly FakeGitHub _github = new();
    private ServerHarness _server = null!;

    public async Task InitializeAsync()
    {
        await _github.StartAsync();
        var directory = new DeployMind.Testing.TempDirectory("deploymind-webhook-config");
        _configDirectory = directory;
        await File.WriteAllTextAsync(directory.Combine("deploymind.yml"), """
            name: web
            repository: acme/web
            branch: main
            environment: staging
            strategy:
              type: blue-green
            targets:
              - name: web-1
                type: local
            """);
        await File.WriteAllTextAsync(directory.Combine("server.yml"), $$"""
            apps:
              - config: deploymind.yml
            webhooks:
              acme/web:
                secret: { env: TEST_WEBHOOK_SECRET }
            github:
              api_url: {{_github.Url}}
              token: { env: TEST_GITHUB_TOKEN }
              public_url: https://deploy.example.com
            """);
        _server = await ServerHarness.SqliteAsync(new()
        {
            ["DEPLOYMIND_SERVER_CONFIG"] = directory.Combine("server.yml"),
            ["TEST_WEBHOOK_SECRET"] = Secret,
            ["TEST_GITHUB_TOKEN"] = "ghp_test_token_123",
            ["DEPLOYMIND_STATUS_REPORT_INTERVAL"] = "200ms",
        });
    }

    private DeployMind.Testing.TempDirectory? _configDirectory;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _github.DisposeAsync();
        _configDirectory?.Dispose();
    }

    public static string Push(string repository = "acme/web", string branch = "main", string pusher = "octocat", string sha = "0123456789abcdef0123456789abcdef01234567") =>
        new JsonObject
        {
            ["ref"] = $"refs/heads/{branch}",
            ["before"] = new string('0', 40),
            ["after"] = sha,
            ["repository"] = new JsonObject { ["full_name"] = repository, ["name"] = repository.Split('/')[1] },
            ["pusher"] = new JsonObject { ["name"] = pusher, ["email"] = "octocat@example.com" },
            ["head_commit"] = new JsonObject { ["id"] = sha, ["message"] = "Update README" },
        }.ToJsonString();

    public static HttpRequestMessage Delivery(string body, string @event = "push", string? delivery = null, string? signature = null, bool sign = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", @event);
        request.Headers.Add("X-GitHub-Delivery", delivery ?? Guid.NewGuid().ToString());
        if (sign)
        {
            request.Headers.Add("X-Hub-Signature-256", signature ?? GitHubWebhooks.Sign(Secret, Encoding.UTF8.GetBytes(body)));
        }

        return request;
    }

    [Fact]
    public void Sign_GitHubsDocumentedExample_MatchesItsSignature()
    {
        // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
        Assert.Equal("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            GitHubWebhooks.Sign("It's a Secret to Everybody", Encoding.UTF8.GetBytes("Hello, World!")));
    }

    [Fact]
    public async Task Push_SignedForAConfiguredBranch_QueuesAWebhookDeploymentByThePusher()
    {
        using var client = _server.Api(null);
        var response = await client.SendAsync(Delivery(Push(pusher: "octocat")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>();
        var id = (string)answer!["deployments"]![0]!;
        var d = await _server.WaitForFinishAsync(id);
        Assert.Equal(TriggerType.Webhook, d.TriggerType);
        Assert.Equal("octocat", d.TriggeredBy);
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", d.CommitSha);
        Assert.Equal(DeploymentStrategy.BlueGreen, d.Strategy);
        Assert.Equal(DeploymentEnvironment.Staging, d.Environment);
        Assert.Equal(DeploymentStatus.Deployed, d.Status);
    }

    [Fact]
    public async Task Push_Deployed_ReportsPendingThenSuccessCommitStatusesToGitHub()
    {
        using var client = _server.Api(null);
        var answer = await (await client.SendAsync(Delivery(Push(sha: "fedcba9876543210fedcba9876543210fedcba98")))).Content.ReadFromJsonAsync<JsonObject>();
        var id = (string)answer!["deployments"]![0]!;
        await _server.WaitForFinishAsync(id);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!_github.Statuses.Any(s => (string)s.Body["state"]! == "success") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var statuses = _github.Statuses.Where(s => s.Path == "/repos/acme/web/statuses/fedcba9876543210fedcba9876543210fedcba98").ToList();
        var success = Assert.Single(statuses, s => (string)s.Body["state"]! == "success");
        Assert.Equal("Bearer ghp_test_token_123", success.Authorization);
        Assert.Equal("deploymind/staging", (string)success.Body["context"]!);
        Assert.Equal($"https://deploy.example.com/deployments/{id}", (string)success.Body["target_url"]!);
        Assert.True(statuses.Count(s => (string)s.Body["state"]! == "success") == 1);
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(true, "sha1=abc")]
    public async Task Push_UnsignedOrWronglySigned_Returns401AndQueuesNothing(bool sign, string? signature)
    {
        using var client = _server.Api(null);
        var response = await client.SendAsync(Delivery(Push(), signature: signature, sign: sign));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await using var db = _server.Database.CreateContext();
        Assert.Equal(0, await db.Deployments.CountAsync());
        Assert.Equal(0, await db.WebhookDeliveries.CountAsync());
    }

    [Fact]
    public async Task Push_TamperedAfterSigning_Returns401()
    {
        var original = Push(pusher: "octocat");
        var signature = GitHubWebhooks.Sign(Secret, Encoding.UTF8.GetBytes(original));
        using var client = _server.Api(null);
        var response = await client.SendAsync(Delivery(original.Replace("octocat", "mallory", StringComparison.Ordinal), signature: signature));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Push_SignedWithAnotherRepositorysSecret_Returns401()
    {
        using var client = _server.Api(null);
        var body = Push(repository: "evil/web");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delivery(body))).StatusCode);
    }

    [Fact]
    public async Task Push_Redelivered_QueuesOnlyOnce()
    {
        using var client = _server.Api(null);
        var delivery = Guid.NewGuid().ToString();
        var body = Push();
        var first = await client.SendAsync(Delivery(body, delivery: delivery));
        var second = await client.SendAsync(Delivery(body, delivery: delivery));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("duplicate", (string)(await second.Content.ReadFromJsonAsync<JsonObject>())!["outcome"]!);
        await using var db = _server.Database.CreateContext();
        Assert.Equal(1, await db.Deployments.CountAsync());
    }

    [Fact]
    public async Task Ping_Signed_IsAnswered_OtherEventsAreAcknowledgedAndIgnored()
    {
        using var client = _server.Api(null);
        var ping = await client.SendAsync(Delivery(new JsonObject { ["zen"] = "Keep it logically awesome.", ["repository"] = new JsonObject { ["full_name"] = "acme/web" } }.ToJsonString(), "ping"));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal("pong", (string)(await ping.Content.ReadFromJsonAsync<JsonObject>())!["outcome"]!);
        var issue = await client.SendAsync(Delivery(new JsonObject { ["action"] = "opened", ["repository"] = new JsonObject { ["full_name"] = "acme/web" } }.ToJsonString(), "issues"));
        Assert.Equal(HttpStatusCode.Accepted, issue.StatusCode);
        var otherBranch = await client.SendAsync(Delivery(Push(branch: "feature/x")));
        Assert.Equal(HttpStatusCode.Accepted, otherBranch.StatusCode);
        Assert.Equal("ignored", (string)(await otherBranch.Content.ReadFromJsonAsync<JsonObject>())!["outcome"]!);
        await using var db = _server.Database.CreateContext();
        Assert.Equal(0, await db.Deployments.CountAsync());
    }

    [Fact]
    public async Task Push_OverTheSizeLimit_Returns400()
    {
        using var client = _server.Api(null);
        var body = "{\"padding\":\"" + new string('a', (int)GitHubWebhooks.MaxBody) + "\"}";
        var response = await client.SendAsync(Delivery(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>GitHub's commit status endpoint on a loopback port, recording what it is sent.</summary>
    private sealed class FakeGitHub : IAsyncDisposable
    {
        private LoopbackApp? _app;

        public sealed record Status(string Path, string? Authorization, JsonObject Body);

        public ConcurrentQueue<Status> Statuses { get; } = new();

        public string Url => _app!.Url + "/";

        public async Task StartAsync() => _app = await LoopbackApp.StartAsync(app =>
            app.MapPost("/repos/{owner}/{repo}/statuses/{sha}", async (HttpContext http) =>
            {
                var body = await http.Request.ReadFromJsonAsync<JsonObject>();
                Statuses.Enqueue(new Status(http.Request.Path, http.Request.Headers.Authorization, body!));
                return Results.Created((string?)null, body);
            }));

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }
}
