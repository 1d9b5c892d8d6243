using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Server.Tests;

public abstract class ApiTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    protected abstract Task<ServerHarness> StartAsync();

    [Fact]
    public async Task Healthz_WithoutToken_AnswersOk()
    {
        using var client = _server.Api(null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("ready", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployments_WithoutToken_Returns401ProblemDetails()
    {
        using var client = _server.Api(null);
        var response = await client.GetAsync("/api/v1/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Deployments_WithRevokedOrMadeUpToken_Returns401()
    {
        using var client = _server.Api("dm_" + new string('x', 40));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/deployments")).StatusCode);
    }

    [Fact]
    public async Task List_WithCursor_PagesEveryDeploymentOnceNewestFirst()
    {
        var start = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = Enumerable.Range(0, 23).Select(i => ServerHarness.Sample($"deploy-20260301-{i:x6}", start.AddMinutes(i % 5))).ToArray();
        await _server.AddAsync(rows);
        using var client = _server.Api(_server.ViewerToken);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.GetFromJsonAsync<JsonObject>("/api/v1/deployments?limit=5" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page!["items"]!.AsArray().Select(i => (string)i!["id"]!));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);

        Assert.Equal(23, seen.Count);
        Assert.Equal(23, seen.Distinct().Count());
        var expected = rows.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).Select(r => r.Id).ToList();
        Assert.Equal(expected, seen);
    }

    [Theory]
    [InlineData("status=deployed'%20OR%201=1--", "status")]
    [InlineData("environment=%3Cscript%3Ealert(1)%3C/script%3E", "environment")]
    [InlineData("strategy=1%20UNION%20SELECT%20*", "strategy")]
    [InlineData("triggerType=manual%22", "triggerType")]
    [InlineData("from=yesterday", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("sort=id", "sort")]
    public async Task List_WithInjectionOrBadFilter_Returns400NamingTheFieldAndLeavesDataIntact(string query, string field)
    {
        await _server.AddAsync(ServerHarness.Sample("deploy-20260301-aaaaaa", DateTime.UtcNow));
        using var client = _server.Api(_server.ViewerToken);
        var response = await client.GetAsync("/api/v1/deployments?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(problem!["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
        await using var db = _server.Database.CreateContext();
        Assert.Equal(1, await db.Deployments.CountAsync());
    }

    [Theory]
    [InlineData("acme/web'; DROP TABLE deployments;--")]
    [InlineData("acme/web' OR '1'='1")]
    [InlineData("<script>alert(1)</script>")]
    public async Task List_WithInjectionInRepository_MatchesNothingAndLeavesDataIntact(string repository)
    {
        await _server.AddAsync(ServerHarness.Sample("deploy-20260301-abcabc", DateTime.UtcNow));
        using var client = _server.Api(_server.ViewerToken);
        var page = await client.GetFromJsonAsync<JsonObject>("/api/v1/deployments?repository=" + Uri.EscapeDataString(repository));
        Assert.Empty(page!["items"]!.AsArray());
        var all = await client.GetFromJsonAsync<JsonObject>("/api/v1/deployments");
        Assert.Single(all!["items"]!.AsArray());
    }

    [Fact]
    public async Task Get_DeploymentWithScriptInEveryField_ReturnsItAsData()
    {
        var d = ServerHarness.Sample("deploy-20260301-bbbbbb", DateTime.UtcNow, repository: "acme/<script>alert(1)</script>");
        d.TriggeredBy = "'; DROP TABLE deployments; --";
        d.RollbackReason = "<img src=x onerror=alert(2)>";
        await _server.AddAsync(d);
        using var client = _server.Api(_server.ViewerToken);
        var response = await client.GetAsync("/api/v1/deployments/deploy-20260301-bbbbbb");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", raw, StringComparison.Ordinal);
        var json = JsonNode.Parse(raw)!;
        Assert.Equal("acme/<script>alert(1)</script>", (string)json["deployment"]!["repository"]!);
        Assert.Equal("'; DROP TABLE deployments; --", (string)json["deployment"]!["triggeredBy"]!);
    }

    [Theory]
    [InlineData("/api/v1/deployments/not-an-id")]
    [InlineData("/api/v1/deployments/deploy-2026-1'%20OR%20'1'='1")]
    [InlineData("/api/v1/deployments/deploy-20260301-ZZZZZZ/logs")]
    public async Task Get_MalformedId_Returns400NamingId(string url)
    {
        using var client = _server.Api(_server.ViewerToken);
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey("id"));
    }

    [Fact]
    public async Task Get_UnknownId_Returns404()
    {
        using var client = _server.Api(_server.ViewerToken);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/deployments/deploy-20260301-000000")).StatusCode);
    }

    [Fact]
    public async Task Trigger_AsViewer_Returns403AndQueuesNothing()
    {
        using var client = _server.Api(_server.ViewerToken);
        var response = await client.PostAsJsonAsync("/api/v1/deployments", new { repository = "acme/web", commit = "0123456789abcdef0123456789abcdef01234567" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await using var db = _server.Database.CreateContext();
        Assert.Equal(0, await db.Deployments.CountAsync());
    }

    [Theory]
    [InlineData("{\"repository\":\"acme/web\",\"colour\":\"blue\"}", "colour")]
    [InlineData("{\"repository\":\"acme/web\",", "body")]
    [InlineData("[1,2]", "body")]
    [InlineData("{\"repository\":42}", "repository")]
    [InlineData("{\"repository\":\"acme/web; rm -rf /\",\"commit\":\"0123456\"}", "repository")]
    [InlineData("{\"repository\":\"acme/web\",\"commit\":\"0123456\",\"strategy\":\"<b>\"}", "strategy")]
    [InlineData("{\"repository\":\"acme/web\",\"commit\":\"' OR 1=1\"}", "commit")]
    [InlineData("{\"path\":\"relative/dir\"}", "path")]
    public async Task Trigger_WithBadBody_Returns400NamingTheField(string body, string field)
    {
        using var client = _server.Api(_server.DeployerToken);
        var response = await client.PostAsync("/api/v1/deployments", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(problem!["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task Trigger_OversizedBody_Returns400NamingBody()
    {
        using var client = _server.Api(_server.DeployerToken);
        var body = "{\"repository\":\"" + new string('a', 1024 * 1024 + 10) + "\"}";
        var response = await client.PostAsync("/api/v1/deployments", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey("body"));
    }

    [Fact]
    public async Task Delete_AsDeployer_Returns403_AsAdmin_RemovesTheDeploymentAndItsRows()
    {
        var d = ServerHarness.Sample("deploy-20260301-cccccc", DateTime.UtcNow);
        d.Logs.Add(new DeploymentLog { DeploymentId = d.Id, Agent = "orchestrator", Message = "hello", Timestamp = DateTime.UtcNow });
        await _server.AddAsync(d);
        using (var deployer = _server.Api(_server.DeployerToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await deployer.DeleteAsync("/api/v1/deployments/" + d.Id)).StatusCode);
        }

        using var admin = _server.Api(_server.AdminToken);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/deployments/" + d.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/deployments/" + d.Id)).StatusCode);
        await using var db = _server.Database.CreateContext();
        Assert.Equal(0, await db.DeploymentLogs.CountAsync());
    }

    [Fact]
    public async Task Cancel_FinishedDeployment_Returns409()
    {
        await _server.AddAsync(ServerHarness.Sample("deploy-20260301-dddddd", DateTime.UtcNow));
        using var client = _server.Api(_server.DeployerToken);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/v1/deployments/deploy-20260301-dddddd/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Analytics_EveryQuery_AnswersRows()
    {
        var now = DateTime.UtcNow;
        var generated = new DeployMind.Persistence.Seeding.SampleDataGenerator(3).Generate(40, now, 10).ToArray();
        await _server.AddAsync(generated);
        using var client = _server.Api(_server.ViewerToken);
        foreach (var name in Api.AnalyticsEndpoints.Names)
        {
            var response = await client.GetAsync($"/api/v1/analytics/{name}?days=30");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var json = await response.Content.ReadFromJsonAsync<JsonObject>();
            Assert.Equal(name, (string)json!["name"]!);
            Assert.NotEmpty(json["rows"]!.AsArray());
        }

        var costs = await client.GetFromJsonAsync<JsonObject>("/api/v1/analytics/agent-costs");
        Assert.Contains(costs!["rows"]!.AsArray(), r => (decimal)r!["costUsd"]! > 0);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/analytics/drop-tables")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/analytics/success-rate?days=-1")).StatusCode);
    }

    [Fact]
    public async Task Variables_Secret_IsNeverReturnedUnmasked()
    {
        using var client = _server.Api(_server.DeployerToken);
        var set = await client.PutAsJsonAsync("/api/v1/apps/web/env/DATABASE_PASSWORD", new { value = "hunter2-very-secret", secret = true });
        Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        Assert.DoesNotContain("hunter2", await set.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await client.PutAsJsonAsync("/api/v1/apps/web/env/LOG_LEVEL", new { value = "debug", secret = false });
        var list = await client.GetStringAsync("/api/v1/apps/web/env");
        Assert.DoesNotContain("hunter2", list, StringComparison.Ordinal);
        var items = JsonNode.Parse(list)!.AsArray();
        var secret = items.Single(i => (string)i!["name"]! == "DATABASE_PASSWORD")!;
        Assert.True((bool)secret["isSecret"]!);
        Assert.Null(secret["value"]);
        Assert.Equal("debug", (string)items.Single(i => (string)i!["name"]! == "LOG_LEVEL")!["value"]!);
        await using var db = _server.Database.CreateContext();
        Assert.DoesNotContain("hunter2", string.Join(",", await db.AppVariables.Select(v => v.EncryptedValue ?? "").ToListAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Variables_ImportWithBadLines_Returns400ListingEachLine()
    {
        using var client = _server.Api(_server.DeployerToken);
        var response = await client.PostAsync("/api/v1/apps/web/env/import", new StringContent("GOOD=1\n1BAD=2\nexport OK=3\nnot a line\n", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("line 2"));
        Assert.True(errors.ContainsKey("line 4"));
        Assert.Empty(JsonNode.Parse(await client.GetStringAsync("/api/v1/apps/web/env"))!.AsArray());
    }

    [Fact]
    public async Task Variables_InvalidAppOrViewerWrite_AreRefused()
    {
        using var viewer = _server.Api(_server.ViewerToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync("/api/v1/apps/web/env/A", new { value = "1" })).StatusCode);
        using var deployer = _server.Api(_server.DeployerToken);
        var bad = await deployer.GetAsync("/api/v1/apps/Web%3Bdrop/env");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task AuthFailures_FromOneClient_AreLimitedWith429()
    {
        using var client = _server.Api("dm_" + new string('y', 40));
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
        {
            codes.Add((await client.GetAsync("/api/v1/deployments")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, codes[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[^1]);
        using var valid = _server.Api(_server.ViewerToken);
        var blocked = await valid.GetAsync("/api/v1/deployments");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task OpenApi_Metrics_AndDashboardPages_AreServed()
    {
        using var client = _server.Api(_server.ViewerToken);
        var openapi = await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        Assert.True(openapi!["paths"]!.AsObject().ContainsKey("/api/v1/deployments"));
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("deploymind_queue_depth", metrics, StringComparison.Ordinal);
        Assert.Contains("deploymind_deployments{status=\"deployed\"}", metrics, StringComparison.Ordinal);
        using var anonymous = _server.Api(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        foreach (var page in new[] { "/", "/analytics", "/signin", "/deployments/deploy-20260301-abcdef" })
        {
            var html = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, html.StatusCode);
            Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Retention_Status_ListsEveryTable()
    {
        using var client = _server.Api(_server.ViewerToken);
        var status = await client.GetFromJsonAsync<JsonObject>("/api/v1/retention");
        Assert.Equal(6, status!["tables"]!.AsArray().Count);
        Assert.Equal(7, (double)status["tables"]!.AsArray().Single(t => (string)t!["table"]! == "health_checks")!["keepDays"]!);
    }
}

public sealed class SqliteApiTests : ApiTests
{
    protected override Task<ServerHarness> StartAsync() => ServerHarness.SqliteAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresApiTests(DeployMind.Testing.PostgresServer server) : ApiTests
{
    protected override Task<ServerHarness> StartAsync() => ServerHarness.PostgresAsync(server);
}
