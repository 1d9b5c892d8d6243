using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeployMind.Pipeline.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Server.Tests;

public abstract class DeploymentFlowTests : IAsyncLifetime
{
    private ServerHarness _server = null!;
    private string _repository = "";

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        _repository = await GitRepository.CreateAsync(_server.Directory);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    protected abstract Task<ServerHarness> StartAsync();

    [Fact]
    public async Task Trigger_ByPath_RunsThroughEveryStageAndStreamsLogsAndStatus()
    {
        using var client = _server.Api(_server.DeployerToken);
        var response = await client.PostAsJsonAsync("/api/v1/deployments", new { path = _repository, strategy = "canary", environment = "staging" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        using var stream = await client.GetStreamAsync($"/api/v1/deployments/{id}/logs/stream");
        using var reader = new StreamReader(stream);
        var events = new List<(string Event, string Data)>();
        string? name = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) { name = line[7..]; }
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) { events.Add((name!, line[6..])); }
            if (name == "end" && events.Count > 0 && events[^1].Event == "end") { break; }
        }

        Assert.Equal("status", events[0].Event);
        Assert.Equal("end", events[^1].Event);
        Assert.Equal("deployed", (string)JsonNode.Parse(events[^1].Data)!["status"]!);
        var statuses = events.Where(e => e.Event == "status").Select(e => (string)JsonNode.Parse(e.Data)!["status"]!).ToList();
        Assert.True(statuses.Count >= 2, string.Join(",", statuses));
        var logs = events.Where(e => e.Event == "log").Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.Contains(logs, l => (string)l["eventType"]! == "deployment_completed");
        Assert.Contains(logs, l => (string)l["message"]! == $"build ran for {id}");
        Assert.Equal(logs.Select(l => (long)l["id"]!).Order(), logs.Select(l => (long)l["id"]!));

        var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}");
        var d = page!["deployment"]!;
        Assert.Equal("deployed", (string)d["status"]!);
        Assert.Equal("canary", (string)d["strategy"]!);
        Assert.Equal("staging", (string)d["environment"]!);
        Assert.Equal("manual", (string)d["triggerType"]!);
        Assert.Equal("test-deployer", (string)d["triggeredBy"]!);
        Assert.Equal(["source", "security", "build", "deploy", "verify"], page["stages"]!.AsArray().Select(s => (string)s!["stage"]!));

        var first = await client.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}/logs?limit=2");
        Assert.Equal(2, first!["items"]!.AsArray().Count);
        var rest = await client.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{id}/logs?after={(string)first["nextCursor"]!}&limit=1000");
        Assert.Equal(logs.Count, 2 + rest!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Trigger_ByPath_RecordsStageSpansUnderTheRequestTrace()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == PipelineTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) { spans.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var client = _server.Api(_server.DeployerToken);
        var response = await client.PostAsJsonAsync("/api/v1/deployments", new { path = _repository });
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await _server.WaitForFinishAsync(id);
        await Task.Delay(200);
        List<Activity> mine;
        lock (spans) { mine = spans.Where(s => (string?)s.GetTagItem("deploymind.deployment_id") == id).ToList(); }
        var root = Assert.Single(mine, s => s.OperationName.StartsWith("deployment ", StringComparison.Ordinal));
        Assert.Equal(5, mine.Count(s => s.OperationName.StartsWith("stage ", StringComparison.Ordinal) && s.ParentSpanId == root.SpanId));
        var metrics = await _server.Api(_server.ViewerToken).GetStringAsync("/metrics");
        Assert.Contains("deploymind_stage_duration_seconds_count{stage=\"build\",outcome=\"succeeded\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_Cookie_NeedsTheCsrfHeaderToChangeAnything()
    {
        using var client = _server.Api(null);
        var signIn = await client.PostAsJsonAsync("/api/v1/session", new { token = _server.DeployerToken });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var body = await signIn.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("deployer", (string)body!["role"]!);
        var csrf = (string)body["csrfToken"]!;
        var cookies = signIn.Headers.GetValues("Set-Cookie").ToList();
        var session = cookies.Single(c => c.StartsWith("dm_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_server.DeployerToken, session, StringComparison.Ordinal);
        Assert.Contains(cookies, c => c.StartsWith($"dm_csrf={csrf}", StringComparison.Ordinal));
        var cookieHeader = string.Join("; ", cookies.Select(c => c.Split(';')[0]));

        using var who = new HttpRequestMessage(HttpMethod.Get, "/api/v1/session");
        who.Headers.Add("Cookie", cookieHeader);
        var me = await client.SendAsync(who);
        Assert.Equal("test-deployer", (string)(await me.Content.ReadFromJsonAsync<JsonObject>())!["name"]!);

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deployments") { Content = JsonContent.Create(new { path = _repository }) };
        forged.Headers.Add("Cookie", cookieHeader);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(forged)).StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deployments") { Content = JsonContent.Create(new { path = _repository }) };
        wrong.Headers.Add("Cookie", cookieHeader);
        wrong.Headers.Add("X-CSRF-Token", csrf + "x");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(wrong)).StatusCode);

        using var real = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deployments") { Content = JsonContent.Create(new { path = _repository }) };
        real.Headers.Add("Cookie", cookieHeader);
        real.Headers.Add("X-CSRF-Token", csrf);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(real)).StatusCode);

        using var tampered = new HttpRequestMessage(HttpMethod.Get, "/api/v1/session");
        tampered.Headers.Add("Cookie", "dm_session=" + session.Split(';')[0][11..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(tampered)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/session", new { token = "dm_nope" })).StatusCode);
    }

    [Fact]
    public async Task Session_RevokedToken_EndsTheSession()
    {
        using var client = _server.Api(null);
        var admin = await _server.Services.GetRequiredService<DeployMind.Persistence.Tokens.ApiTokenStore>()
            .CreateAsync("short-lived", DeployMind.Domain.ApiTokenRole.Viewer, "tests", CancellationToken.None);
        var signIn = await client.PostAsJsonAsync("/api/v1/session", new { token = admin.Plaintext });
        var cookie = string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        await _server.Services.GetRequiredService<DeployMind.Persistence.Tokens.ApiTokenStore>().RevokeAsync(admin.Token.Id, CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/deployments");
        request.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Cancel_QueuedDeployment_IsCancelled()
    {
        await using var paused = await ServerHarness.SqliteAsync(new() { ["DEPLOYMIND_WORKERS"] = "0" });
        var repository = await GitRepository.CreateAsync(paused.Directory);
        using var client = paused.Api(paused.DeployerToken);
        var id = (string)(await (await client.PostAsJsonAsync("/api/v1/deployments", new { path = repository })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var cancel = await client.PostAsync($"/api/v1/deployments/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", (string)(await cancel.Content.ReadFromJsonAsync<JsonObject>())!["status"]!);
    }

    [Fact]
    public async Task Advice_ForADeployment_RecommendsAStrategy()
    {
        await _server.AddAsync(ServerHarness.Sample("deploy-20260301-eeeeee", DateTime.UtcNow));
        using var client = _server.Api(_server.ViewerToken);
        var advice = await client.GetFromJsonAsync<JsonObject>("/api/v1/deployments/deploy-20260301-eeeeee/advice");
        Assert.Contains((string)advice!["recommendation"]!["strategy"]!, new[] { "rolling", "canary", "blue-green" });
    }
}

public sealed class SqliteDeploymentFlowTests : DeploymentFlowTests
{
    protected override Task<ServerHarness> StartAsync() => ServerHarness.SqliteAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDeploymentFlowTests(DeployMind.Testing.PostgresServer server) : DeploymentFlowTests
{
    protected override Task<ServerHarness> StartAsync() => ServerHarness.PostgresAsync(server);
}
