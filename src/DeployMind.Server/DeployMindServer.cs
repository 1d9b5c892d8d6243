using DeployMind.Build;
using DeployMind.Deploy;
using DeployMind.Deploy.Strategies;
using DeployMind.Domain;
using DeployMind.Llm;
using DeployMind.Persistence;
using DeployMind.Persistence.PostgreSql;
using DeployMind.Persistence.Retention;
using DeployMind.Persistence.RuntimeConfig;
using DeployMind.Persistence.Sqlite;
using DeployMind.Pipeline;
using DeployMind.Pipeline.Execution;
using DeployMind.Security.Agent;
using DeployMind.Server.Api;
using DeployMind.Server.Auth;
using DeployMind.Server.Background;
using DeployMind.Server.Configuration;
using DeployMind.Server.Observability;
using DeployMind.Server.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace DeployMind.Server;

/// <summary>
/// Builds the DeployMind server: the REST API, the GitHub webhook, the dashboard's static files, and the background work
/// (queue workers, schedules, retention, commit statuses, vulnerability database refresh). Program.cs and `deploymind serve`
/// both go through here, so the WebApplicationFactory tests run exactly what ships.
/// </summary>
public static class DeployMindServer
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory, WebRootPath = WebRoot() });
        configure?.Invoke(builder);
        AddServices(builder);
        var app = builder.Build();
        UsePipeline(app);
        return app;
    }

    public static void AddServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var settings = new ServerSettings(builder.Configuration);
        var config = settings.ServerConfigPath is { } path ? ServerConfig.Load(path) : ServerConfig.Empty;
        services.AddSingleton(settings);
        services.AddSingleton(config);
        services.AddSingleton<ServerInstance>();
        services.AddSingleton(TimeProvider.System);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = GitHubWebhooks.MaxBody + 1024);
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        if (settings.Variable("DEPLOYMIND_LOG_FORMAT") == "text")
        {
            builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true);
        }

        AddPipeline(services, settings);

        var dataDirectory = new DatabaseOptions { DataDirectory = settings.Variable(DatabaseOptions.DataDirectoryVariable) }.ResolveDataDirectory();
        // The session cookies' keys: only this user may read them (they sit beside the database, not in it).
        var keys = settings.Variable("DEPLOYMIND_KEYS_DIR") ?? Path.Combine(dataDirectory, "server-keys");
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        services.AddDataProtection().SetApplicationName("DeployMind.Server").PersistKeysToFileSystem(new DirectoryInfo(keys));

        // The key ring lives in a directory only this user can read (above), by design without an XML encryptor:
        // the warning it would print at every start says nothing the operator can act on.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        services.AddSingleton<SessionCookies>();
        services.AddSingleton<AuthFailureLimiter>();
        services.AddAuthentication(DeployMindAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, DeployMindAuthenticationHandler>(DeployMindAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Viewer, p => p.RequireAuthenticatedUser().RequireAssertion(c => Roles.Of(c.User) is { } r && r.Allows(ApiTokenRole.Viewer)))
            .AddPolicy(Roles.Deployer, p => p.RequireAuthenticatedUser().RequireAssertion(c => Roles.Of(c.User) is { } r && r.Allows(ApiTokenRole.Deployer)))
            .AddPolicy(Roles.Admin, p => p.RequireAuthenticatedUser().RequireAssertion(c => Roles.Of(c.User) is { } r && r.Allows(ApiTokenRole.Admin)))
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            // Data never reads as markup, even to a client that ignores the content type.
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default;
        });
        services.AddProblemDetails();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "DeployMind API";
            document.Info.Description = "Deployments, logs, analytics, app variables and the GitHub webhook. Authenticate with 'Authorization: Bearer dm_...'.";
            return Task.CompletedTask;
        }));
        services.AddHttpClient("github");
        services.AddHttpClient("osv");
        services.AddSingleton<DeploymentTrigger>();
        services.AddSingleton(new VulnDbLocation(VulnDbPath(settings, dataDirectory)));

        services.AddSingleton<RetentionJob>();
        services.AddSingleton<ScheduleRunner>();
        services.AddSingleton<CommitStatusReporter>();
        services.AddHostedService<MigrateOnStart>();
        services.AddHostedService<QueueWorkers>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionJob>());
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleRunner>());
        services.AddHostedService(sp => sp.GetRequiredService<CommitStatusReporter>());
        services.AddHostedService<VulnDbRefresh>();
        services.AddSingleton<StandbyRetirementJob>();
        services.AddHostedService(sp => sp.GetRequiredService<StandbyRetirementJob>());
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.Variable("OTEL_SERVICE_NAME") ?? "deploymind-server", serviceVersion: typeof(DeployMindServer).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing =>
            {
                tracing.AddSource(PipelineTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics") && !http.Request.Path.StartsWithSegments("/healthz"));
                if (TraceExport.From(settings) is { } export)
                {
                    tracing.AddOtlpExporter(o =>
                    {
                        o.Endpoint = export.Endpoint;
                        o.Protocol = export.Protocol;
                        if (export.Headers is { } headers)
                        {
                            o.Headers = headers;
                        }
                    });
                }
            });
    }

    /// <summary>The pipeline every deployment runs through, wired as `deploymind deploy` wires it, from the server's configuration.</summary>
    public static void AddPipeline(IServiceCollection services, ServerSettings settings)
    {
        var environment = settings.Environment();
        var dataDirectory = settings.Variable(DatabaseOptions.DataDirectoryVariable);
        services.AddDeployMindSqlite();
        services.AddDeployMindPostgreSql();
        services.AddDeployMindPersistence(options =>
        {
            options.Url = settings.Variable(DatabaseOptions.UrlVariable);
            options.DataDirectory = dataDirectory;
        });
        services.Configure(settings.Retention);
        services.AddDeployMindSourceStage();
        services.AddDeployMindSecurityStage(o => o.VulnerabilityDatabasePath = VulnDbPath(settings, new DatabaseOptions { DataDirectory = dataDirectory }.ResolveDataDirectory()));
        services.AddDeployMindLlm(options =>
        {
            if (settings.Variable("DEPLOYMIND_LLM_PROVIDER") is { } provider)
            {
                options.Provider = Enum.TryParse<LlmProvider>(provider.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var kind)
                    ? kind
                    : throw new InvalidInputException("DEPLOYMIND_LLM_PROVIDER", $"DEPLOYMIND_LLM_PROVIDER '{provider}' is not known; use groq, openai, ollama or custom");
            }

            options.Model = settings.Variable("DEPLOYMIND_LLM_MODEL") ?? options.Model;
            options.BaseUrl = settings.Variable("DEPLOYMIND_LLM_BASE_URL") ?? options.BaseUrl;
            options.ApiKeyEnvironmentVariable = settings.Variable("DEPLOYMIND_LLM_API_KEY_ENV") ?? options.ApiKeyEnvironmentVariable;
        });
        services.AddDeployMindBuildStage(
            DeployMind.Build.Generation.BaseImageMap.FromConfiguration(new Dictionary<string, string?>
            {
                ["preset"] = settings.Variable("DEPLOYMIND_BASE_IMAGES") ?? "official",
                ["offline-prefix"] = settings.Variable("DEPLOYMIND_BASE_IMAGE_PREFIX") ?? "deploymind",
            }),
            new DeployMind.Build.Docker.DockerEngineOptions { Host = settings.Variable("DOCKER_HOST") ?? DeployMind.Build.Docker.DockerEngineOptions.DefaultHost },
            registry => registry.Environment = environment);
        services.Configure<SecretKeyOptions>(o =>
        {
            o.Key = settings.Variable(SecretKeyOptions.KeyVariable) ?? o.Key;
            o.KeyFile = settings.Variable(SecretKeyOptions.KeyFileVariable) ?? o.KeyFile;
        });
        services.AddSingleton(new DockerAppHostOptions { ProxyImage = settings.Variable("DEPLOYMIND_PROXY_IMAGE") ?? new DockerAppHostOptions().ProxyImage });
        services.AddDeployMindDeployStage(o => o.Environment = environment);
        services.AddDeployMindRuntimeVariables();
    }

    public static void UsePipeline(WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = Problems.HandleExceptionAsync });
        app.UseStatusCodePages();
        if (app.Services.GetRequiredService<ServerSettings>().TrustedProxies is { Count: > 0 } proxies)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = null };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in proxies)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            app.UseForwardedHeaders(forwarded);
        }

        var limiter = app.Services.GetRequiredService<AuthFailureLimiter>();
        app.Use((context, next) => limiter.GateAsync(context, next));
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "same-origin";
            if (!context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/openapi"))
            {
                context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
                context.Response.Headers.XFrameOptions = "DENY";
            }

            await next(context);
        });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();

        var listener = ServerMetrics.ListenToStages();
        app.Lifetime.ApplicationStopped.Register(listener.Dispose);
        var database = app.Services.GetRequiredService<DeployMindDatabase>();
        var clock = app.Services.GetRequiredService<TimeProvider>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async cancellationToken =>
        {
            try
            {
                await ServerMetrics.RefreshFromDatabaseAsync(database, clock, cancellationToken);
            }
            catch (Exception e) when (e is DatabaseUnavailableException or InvalidOperationException or System.Data.Common.DbException)
            {
                // The scrape still answers with the process's own metrics; readyz reports the database.
            }
        });
        app.MapMetrics("/metrics").RequireAuthorization(Roles.Viewer);

        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().WithTags("Health").WithSummary("The process is up");
        app.MapGet("/readyz", ReadyAsync).AllowAnonymous().WithTags("Health").WithSummary("The database is reachable and migrated");
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(Roles.Viewer);

        var api = app.MapGroup("/api/v1");
        SessionEndpoints.Map(api);
        DeploymentEndpoints.Map(api);
        AnalyticsEndpoints.Map(api);
        AppEndpoints.Map(api);
        api.MapGet("/retention", RetentionStatus).RequireAuthorization(Roles.Viewer).WithTags("Retention").WithSummary("Retention per table and the last prune");
        api.MapFallback(() => Problems.Status(StatusCodes.Status404NotFound, "Not found", "There is no such API route; see /openapi/v1.json.")).AllowAnonymous();
        GitHubWebhooks.Map(app);

        // The dashboard routes on the client: its pages all load index.html.
        foreach (var page in new[] { "/", "/deployments/{id}", "/analytics", "/signin", "/deployments" })
        {
            app.MapGet(page, (HttpContext http) => Index(http, app.Environment)).AllowAnonymous().ExcludeFromDescription();
        }
    }

    private static IResult Index(HttpContext http, IWebHostEnvironment environment)
    {
        var file = environment.WebRootFileProvider.GetFileInfo("index.html");
        return file.Exists && file.PhysicalPath is { } path
            ? TypedResults.PhysicalFile(path, "text/html; charset=utf-8")
            : Problems.Status(StatusCodes.Status404NotFound, "Dashboard not installed", "wwwroot/index.html is missing from this build.");
    }

    private static async Task<IResult> ReadyAsync(DeployMindDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            var status = await database.GetStatusAsync(cancellationToken);
            if (status.Reachable && status.AppliedMigrations.Count > 0 && status.PendingMigrations.Count == 0)
            {
                return TypedResults.Ok(new { status = "ready", database = database.Location.ProviderName, migrations = status.AppliedMigrations.Count });
            }

            return TypedResults.Json(new { status = "not ready", database = database.Location.ProviderName, pending = status.PendingMigrations },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (DatabaseUnavailableException)
        {
            return TypedResults.Json(new { status = "not ready", database = database.Location.ProviderName, reason = "unreachable" },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult RetentionStatus(IOptions<RetentionOptions> options, RetentionJob job, TimeProvider clock)
    {
        var o = options.Value;
        var now = UtcTimestamp.Now(clock);
        var tables = new (string Table, TimeSpan? Keep)[]
        {
            ("deployments", o.Deployments), ("security_scans", o.SecurityScans), ("build_results", o.BuildResults),
            ("health_checks", o.HealthChecks), ("deployment_logs", o.DeploymentLogs), ("agent_executions", o.AgentExecutions),
        };
        return TypedResults.Ok(new
        {
            intervalHours = o.Interval.TotalHours,
            batchSize = o.BatchSize,
            tables = tables.Select(t => new { table = t.Table, keepDays = t.Keep?.TotalDays, cutoff = t.Keep is { } k ? now - k : (DateTime?)null }),
            lastRun = job.LastRun is { } run
                ? new { at = run.At, ranBy = run.RanBy, removed = run.Tables.Sum(t => t.Rows), tables = run.Tables.Select(t => new { table = t.Table, rows = t.Rows }), error = run.Error }
                : null,
            nextRunAt = job.NextRunAt(now),
        });
    }

    private static string VulnDbPath(ServerSettings settings, string dataDirectory) =>
        settings.Variable("DEPLOYMIND_VULNDB") is { } path ? Path.GetFullPath(path) : Path.Combine(dataDirectory, "vulndb.sqlite");

    /// <summary>wwwroot beside the assembly (published or referenced), or the project's own while developing.</summary>
    private static string? WebRoot()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(beside) ? beside : null;
    }
}

/// <summary>Creates or updates the schema when the server starts (DEPLOYMIND_MIGRATE_ON_START=false leaves it to `deploymind db migrate`).</summary>
public sealed partial class MigrateOnStart(DeployMindDatabase database, ServerSettings settings, ILogger<MigrateOnStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.MigrateOnStart)
        {
            return;
        }

        var applied = await database.MigrateAsync(cancellationToken);
        LogMigrated(logger, database.Location.ProviderName, database.Location.Display, applied.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "database {Provider} at {Location}: {Applied} migration(s) applied at start")]
    private static partial void LogMigrated(ILogger logger, string provider, string location, int applied);
}
