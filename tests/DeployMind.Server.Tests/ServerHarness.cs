using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Persistence.Tokens;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Queue;
using DeployMind.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DeployMind.Server.Tests;

/// <summary>
/// The real server (Program, middleware, auth, hosted workers) over a fresh database of either provider, with API tokens of
/// each role. The pipeline's agents are replaced by quick stage agents, so deployments finish in well under a second
/// without Docker; everything else (queue, orchestrator, journal, scheduler, webhooks) is the real code.
/// </summary>
public sealed class ServerHarness : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private ServerHarness(string databaseUrl, TempDirectory directory, Dictionary<string, string?> settings, Action<IServiceCollection>? services)
    {
        DatabaseUrl = databaseUrl;
        Directory = directory;
        _settings = settings;
        _services = services;
    }

    public string DatabaseUrl { get; }

    public TempDirectory Directory { get; }

    public string ViewerToken { get; private set; } = "";

    public string DeployerToken { get; private set; } = "";

    public string AdminToken { get; private set; } = "";

    public DeployMindDatabase Database => Services.GetRequiredService<DeployMindDatabase>();

    public static Task<ServerHarness> SqliteAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var directory = new TempDirectory("deploymind-server");
        return StartAsync("sqlite://" + directory.Combine("deploymind.db"), directory, settings, services);
    }

    public static async Task<ServerHarness> PostgresAsync(PostgresServer server, Dictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, string? databaseUrl = null) =>
        await StartAsync(databaseUrl ?? await server.CreateDatabaseAsync("server"), new TempDirectory("deploymind-server"), settings, services);

    private static async Task<ServerHarness> StartAsync(string url, TempDirectory directory, Dictionary<string, string?>? settings, Action<IServiceCollection>? services)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DEPLOYMIND_DATABASE_URL"] = url,
            ["DEPLOYMIND_DATA_DIR"] = directory.Path,
            ["DEPLOYMIND_WORKERS"] = "1",
            ["DEPLOYMIND_LOG_POLL_INTERVAL"] = "100ms",
            ["DEPLOYMIND_LOG_FORMAT"] = "text",
            ["DEPLOYMIND_SECRET_KEY_FILE"] = Path.Combine(directory.Path, "secret.key"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var harness = new ServerHarness(url, directory, all, services);
        _ = harness.Server;
        var tokens = harness.Services.GetRequiredService<ApiTokenStore>();
        harness.ViewerToken = (await tokens.CreateAsync("test-viewer", ApiTokenRole.Viewer, "tests", CancellationToken.None)).Plaintext;
        harness.DeployerToken = (await tokens.CreateAsync("test-deployer", ApiTokenRole.Deployer, "tests", CancellationToken.None)).Plaintext;
        harness.AdminToken = (await tokens.CreateAsync("test-admin", ApiTokenRole.Admin, "tests", CancellationToken.None)).Plaintext;
        return harness;
    }

    public HttpClient Api(string? token)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Adds deployments straight to the database (what `deploymind db seed` writes).</summary>
    public async Task AddAsync(params Deployment[] deployments)
    {
        await using var db = Database.CreateContext();
        db.Deployments.AddRange(deployments);
        await db.SaveChangesAsync();
    }

    public async Task<Deployment> WaitForFinishAsync(string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var queries = Services.GetRequiredService<DeploymentQueries>();
        while (true)
        {
            var d = await queries.GetAsync(id, CancellationToken.None);
            if (DeploymentStatusMachine.IsFinished(d.Status))
            {
                return d;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"deployment {id} is still {d.Status.ToWire()} after the timeout");
            }

            await Task.Delay(100);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IDeploymentAgent>();
            foreach (var stage in Enum.GetValues<PipelineStage>())
            {
                services.AddSingleton<IDeploymentAgent>(new QuickStageAgent(stage));
            }

            services.Configure<QueueOptions>(o =>
            {
                o.PollInterval = TimeSpan.FromMilliseconds(100);
                o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
            });
            _services?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Dispose();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Dispose();
    }

    /// <summary>A sample deployment row as the seed generator makes them.</summary>
    public static Deployment Sample(string id, DateTime createdAt, string repository = "acme/web", DeploymentStatus status = DeploymentStatus.Deployed) => new()
    {
        Id = id,
        Repository = repository,
        CommitSha = "0123456789abcdef0123456789abcdef01234567",
        Branch = "main",
        Status = status,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        StartedAt = createdAt,
        CompletedAt = DeploymentStatusMachine.IsFinished(status) ? createdAt.AddSeconds(42) : null,
        DurationSeconds = DeploymentStatusMachine.IsFinished(status) ? 42 : null,
        TriggeredBy = "alice",
        Metadata = new JsonObject { ["app"] = "web" },
    };
}

/// <summary>A stage that logs one line and succeeds after a short pause (long enough for a live log stream to see it run).</summary>
public sealed class QuickStageAgent(PipelineStage stage) : IDeploymentAgent
{
    public string Name => stage.ToString().ToLowerInvariant();

    public string Version => "test";

    public PipelineStage Stage => stage;

    public async Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        await context.LogAsync(Name, "test_step", $"{Name} ran for {context.DeploymentId}", cancellationToken: cancellationToken);
        await Task.Delay(150, cancellationToken);
        return AgentResult.Success(new JsonObject { ["stage"] = Name });
    }
}
