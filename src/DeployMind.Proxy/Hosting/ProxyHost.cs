using DeployMind.Proxy.Admin;
using DeployMind.Proxy.AdminApi;
using DeployMind.Proxy.Forwarding;
using DeployMind.Proxy.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Forwarder;

namespace DeployMind.Proxy;

/// <summary>Starts a DeployMind edge proxy in this process: a public endpoint forwarding to weighted backends and
/// an admin API on a separate loopback endpoint. Used by the <c>deploymind-proxy</c> command, tests and benches.</summary>
public static class ProxyHost
{
    /// <summary>Validates <paramref name="options"/>, restores the state file if any, binds both endpoints and
    /// returns once they accept connections. Throws <see cref="ProxyConfigurationException"/> when it must not start.</summary>
    public static async Task<RunningProxy> StartAsync(ProxyHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var token = options.AdminToken?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            throw new ProxyConfigurationException("no admin token: give --admin-token-file PATH or set DEPLOYMIND_PROXY_ADMIN_TOKEN");
        }
        if (token.Length < ProxyHostOptions.MinimumTokenLength)
        {
            throw new ProxyConfigurationException($"the admin token is {token.Length} characters; use at least {ProxyHostOptions.MinimumTokenLength} (e.g. openssl rand -hex 32)");
        }
        var listen = ListenAddress.Parse(options.Listen, "the public endpoint");
        var admin = ListenAddress.Parse(options.Admin, "the admin endpoint");
        if (!admin.IsLoopback)
        {
            throw new ProxyConfigurationException($"the admin endpoint '{options.Admin}' is not a loopback address; bind it to 127.0.0.1, [::1] or localhost");
        }
        if (listen.Port != 0 && listen.Port == admin.Port && (listen.AnyAddress || listen.Address.Equals(admin.Address)))
        {
            throw new ProxyConfigurationException($"the public endpoint and the admin endpoint both use port {listen.Port}");
        }
        CheckTimeout(options.DrainTimeout, "drain timeout", allowZero: true, max: TimeSpan.FromSeconds(BackendSetParser.MaxDrainTimeoutSeconds));
        CheckTimeout(options.RequestTimeout, "request timeout", allowZero: false, max: TimeSpan.FromHours(1));
        CheckTimeout(options.ConnectTimeout, "connect timeout", allowZero: false, max: TimeSpan.FromMinutes(5));
        CheckTimeout(options.UnreachableCooldown, "unreachable cooldown", allowZero: true, max: TimeSpan.FromMinutes(5));
        var initial = ValidateInitial(options.Backends);

        var loggerFactory = options.ConsoleLogLevel is { } level
            ? LoggerFactory.Create(b => b.SetMinimumLevel(level)
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("Yarp", LogLevel.Warning)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.UseUtcTimestamp = true;
                }))
            : NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("DeployMind.Proxy");

        var runtime = new ProxyRuntime(options.TimeProvider, options.StateFile is null ? null : new StateFile(options.StateFile),
            options.DrainTimeout, logger);
        runtime.Initialize(initial);

        var invoker = ProxyRequestHandler.CreateInvoker(options.ConnectTimeout);
        WebApplication? publicApp = null;
        WebApplication? adminApp = null;
        try
        {
            publicApp = Build(listen, options, loggerFactory, services => services.AddHttpForwarder(), isPublic: true);
            var handler = new ProxyRequestHandler(runtime.Pool, runtime.Metrics, publicApp.Services.GetRequiredService<IHttpForwarder>(),
                invoker, options.RequestTimeout, options.UnreachableCooldown, loggerFactory.CreateLogger("DeployMind.Proxy.Forwarding"));
            publicApp.Run(handler.HandleAsync);

            adminApp = Build(admin, options, loggerFactory, _ => { }, isPublic: false);
            var adminHandler = new AdminHandler(runtime, token, loggerFactory.CreateLogger("DeployMind.Proxy.Admin"));
            adminApp.Run(adminHandler.HandleAsync);

            await StartAsync(adminApp, options.Admin, cancellationToken);
            await StartAsync(publicApp, options.Listen, cancellationToken);
            var proxyAddress = BoundAddress(publicApp);
            var adminAddress = BoundAddress(adminApp);
            logger.LogInformation("proxy listening on {Proxy}, admin API on {Admin}, {Count} backends (generation {Generation})",
                proxyAddress, adminAddress, runtime.Pool.CurrentSet().Count, runtime.Pool.Generation);
            return new RunningProxy(publicApp, adminApp, invoker, loggerFactory, proxyAddress, adminAddress, token, runtime.StateFilePath);
        }
        catch
        {
            if (publicApp is not null)
            {
                await publicApp.DisposeAsync();
            }
            if (adminApp is not null)
            {
                await adminApp.DisposeAsync();
            }
            invoker.Dispose();
            if (loggerFactory is not NullLoggerFactory)
            {
                loggerFactory.Dispose();
            }
            throw;
        }
    }

    private static IReadOnlyList<ProxyBackend> ValidateInitial(IReadOnlyList<ProxyBackend> backends)
    {
        if (backends.Count == 0)
        {
            return [];
        }
        var json = System.Text.Json.JsonSerializer.Serialize(backends, ProxyJsonContext.Default.IReadOnlyListProxyBackend);
        var parsed = BackendSetParser.Parse(json);
        if (!parsed.IsValid)
        {
            throw new ProxyConfigurationException("invalid backends: " +
                string.Join("; ", parsed.Errors.SelectMany(kv => kv.Value.Select(m => $"{kv.Key}: {m}"))));
        }
        return parsed.Backends;
    }

    private static void CheckTimeout(TimeSpan value, string what, bool allowZero, TimeSpan max)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero) || value > max)
        {
            throw new ProxyConfigurationException($"the {what} {value.TotalSeconds:0.###} s is out of range (at most {max.TotalSeconds:0} s{(allowZero ? "" : ", above 0")})");
        }
    }

    private static WebApplication Build(ListenAddress address, ProxyHostOptions options, ILoggerFactory loggerFactory,
        Action<IServiceCollection> configure, bool isPublic)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (isPublic)
            {
                kestrel.Limits.MaxRequestBodySize = null;
            }
            else
            {
                kestrel.Limits.MaxRequestBodySize = 1 << 20;
            }
            // Plain-text endpoints: HTTP/2 would need TLS negotiation, so HTTP/1.1 only.
            static void Endpoint(ListenOptions l) => l.Protocols = HttpProtocols.Http1;
            if (address.AnyAddress)
            {
                kestrel.ListenAnyIP(address.Port, Endpoint);
            }
            else
            {
                kestrel.Listen(address.Address, address.Port, Endpoint);
            }
        });
        configure(builder.Services);
        return builder.Build();
    }

    private static async Task StartAsync(WebApplication app, string endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw new ProxyConfigurationException($"cannot listen on {endpoint}: {ex.Message}");
        }
    }

    private static Uri BoundAddress(WebApplication app)
    {
        var url = app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel reported no bound address");
        return new Uri(url.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>The proxy never reacts to the process's signals itself; whoever started it stops it.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>A proxy started by <see cref="ProxyHost.StartAsync"/>. Disposing stops it: the public endpoint stops
/// accepting, in-flight requests finish (bounded by the shutdown timeout), then the admin API stops.</summary>
public sealed class RunningProxy : IAsyncDisposable
{
    private readonly WebApplication _public;
    private readonly WebApplication _admin;
    private readonly HttpMessageInvoker _invoker;
    private readonly ILoggerFactory _loggerFactory;
    private int _stopped;

    internal RunningProxy(WebApplication publicApp, WebApplication adminApp, HttpMessageInvoker invoker, ILoggerFactory loggerFactory,
        Uri proxyAddress, Uri adminAddress, string adminToken, string? stateFile)
    {
        _public = publicApp;
        _admin = adminApp;
        _invoker = invoker;
        _loggerFactory = loggerFactory;
        ProxyAddress = proxyAddress;
        AdminAddress = adminAddress;
        AdminToken = adminToken;
        StateFile = stateFile;
    }

    /// <summary>The public endpoint, e.g. http://127.0.0.1:8080/.</summary>
    public Uri ProxyAddress { get; }

    /// <summary>The admin API, e.g. http://127.0.0.1:9080/.</summary>
    public Uri AdminAddress { get; }

    /// <summary>The admin API's bearer token.</summary>
    public string AdminToken { get; }

    /// <summary>The state file in use, if any.</summary>
    public string? StateFile { get; }

    /// <summary>A client of this proxy's admin API.</summary>
    public ProxyAdminClient CreateAdminClient(TimeSpan? timeout = null) => new(AdminAddress, AdminToken, timeout);

    /// <summary>Stops the proxy (idempotent).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        try
        {
            await _public.StopAsync(cancellationToken);
            await _admin.StopAsync(cancellationToken);
        }
        finally
        {
            await _public.DisposeAsync();
            await _admin.DisposeAsync();
            _invoker.Dispose();
            if (_loggerFactory is not NullLoggerFactory)
            {
                _loggerFactory.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
