using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Persistence.Seeding;
using DeployMind.Persistence.Tokens;
using DeployMind.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.EndToEnd.Tests;

/// <summary>
/// The real DeployMind server (its own Program, middleware, auth, workers and static dashboard) listening on a free
/// loopback port through Kestrel, over a fresh SQLite database holding a sample history, one deployment whose
/// repository name and log are script-injection strings, and three API tokens (viewer, deployer, admin).
/// </summary>
public sealed class DashboardServer : IAsyncLifetime
{
    /// <summary>A repository name that would run script if it were inserted as HTML.</summary>
    public const string InjectionRepository = "acme/<img src=x onerror=\"window.__dmInjected=1;alert(1)\">";

    public const string InjectionLogMessage = "</span><script>window.__dmInjected=2</script><b onmouseover=alert(2)>bold</b>";

    private readonly TempDirectory _directory = new("deploymind-e2e");
    private ServerFactory? _factory;

    public string BaseUrl { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    public string DeployerToken { get; private set; } = "";

    public string ViewerToken { get; private set; } = "";

    public string InjectionDeploymentId { get; } = "deploy-20260101-e2e0f5";

    /// <summary>A seeded deployment that completed (status deployed), with scans, build, health checks and agent runs.</summary>
    public string DeployedDeploymentId { get; private set; } = "";

    /// <summary>The bundled Node.js sample, deployed by path (no network).</summary>
    public string SamplePath { get; } = Path.Combine(Artifacts.RepositoryRoot, "samples", "node-hello");

    public string DatabaseUrl => "sqlite://" + _directory.Combine("deploymind.db");

    public async Task InitializeAsync()
    {
        await PrepareDatabaseAsync();
        _factory = new ServerFactory(this);
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("the server reported no listening address");
        BaseUrl = addresses.First(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)).TrimEnd('/');
        using var client = new HttpClient();
        var health = await client.GetAsync(BaseUrl + "/healthz");
        if (!health.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the server on {BaseUrl} answered /healthz with {(int)health.StatusCode}");
        }
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    /// <summary>An API client that authenticates with a bearer token (not the browser's cookie).</summary>
    public HttpClient Api(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<List<JsonObject>> DeploymentsAsync(string? repository = null)
    {
        using var client = Api(AdminToken);
        var all = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var url = "/api/v1/deployments?limit=50" + (repository is null ? "" : "&repository=" + Uri.EscapeDataString(repository))
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await client.GetFromJsonAsync<JsonObject>(url) ?? throw new InvalidOperationException("empty deployments page");
            all.AddRange(page["items"]!.AsArray().Select(n => n!.AsObject()));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);
        return all;
    }

    private async Task PrepareDatabaseAsync()
    {
        await using var services = TestDatabase.BuildServices(DatabaseUrl);
        var database = services.GetRequiredService<DeployMindDatabase>();
        await database.MigrateAsync(CancellationToken.None);
        var tokens = new ApiTokenStore(database, TimeProvider.System);
        AdminToken = (await tokens.CreateAsync("e2e-admin", ApiTokenRole.Admin, "e2e", CancellationToken.None)).Plaintext;
        DeployerToken = (await tokens.CreateAsync("e2e-deployer", ApiTokenRole.Deployer, "e2e", CancellationToken.None)).Plaintext;
        ViewerToken = (await tokens.CreateAsync("e2e-viewer", ApiTokenRole.Viewer, "e2e", CancellationToken.None)).Plaintext;

        var now = DateTime.UtcNow;
        var history = new SampleDataGenerator(seed: 7).Generate(120, now.AddHours(-1), days: 14).ToList();
        DeployedDeploymentId = history.Last(d => d.Status == DeploymentStatus.Deployed).Id;
        await using (var db = database.CreateContext())
        {
            db.Deployments.AddRange(history);
            db.Deployments.Add(InjectionDeployment(now));
            await db.SaveChangesAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private Deployment InjectionDeployment(DateTime now)
    {
        var d = new Deployment
        {
            Id = InjectionDeploymentId,
            Repository = InjectionRepository,
            CommitSha = "0123456789abcdef0123456789abcdef01234567",
            Branch = "<script>window.__dmInjected=3</script>",
            Status = DeploymentStatus.Failed,
            CreatedAt = now.AddMinutes(-30),
            StartedAt = now.AddMinutes(-30),
            UpdatedAt = now.AddMinutes(-29),
            CompletedAt = now.AddMinutes(-29),
            DurationSeconds = 60,
            TriggeredBy = "<svg onload=alert(4)>",
            RollbackReason = "<iframe src=javascript:alert(5)>",
        };
        d.Logs.Add(new DeploymentLog
        {
            DeploymentId = d.Id,
            Timestamp = now.AddMinutes(-29),
            Level = Domain.LogLevel.Error,
            Agent = "<b>orchestrator</b>",
            Message = InjectionLogMessage,
            EventType = "deployment_failed",
        });
        d.SecurityScans.Add(new SecurityScan
        {
            DeploymentId = d.Id,
            ScanType = ScanType.Dependencies,
            ScannerName = "deploymind-osv",
            Passed = false,
            TotalVulnerabilities = 1,
            CriticalCount = 1,
            Vulnerabilities = [new JsonObject { ["id"] = "CVE-2099-0001", ["title"] = "<img src=x onerror=alert(6)>", ["severity"] = "CRITICAL", ["package"] = "<script>alert(7)</script>" }],
            AgentDecision = AgentDecision.Reject,
            AgentReasoning = "<a href=\"javascript:alert(8)\">click</a>",
            CreatedAt = now.AddMinutes(-29),
        });
        return d;
    }

    private sealed class ServerFactory(DashboardServer owner) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("DEPLOYMIND_DATABASE_URL", owner.DatabaseUrl);
            builder.UseSetting("DEPLOYMIND_DATA_DIR", owner._directory.Path);
        }
    }
}
