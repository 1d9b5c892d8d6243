using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DeployMind.Proxy.Admin;
using DeployMind.Proxy.Hosting;
using DeployMind.Proxy.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeployMind.Proxy.AdminApi;

/// <summary>The admin API, served on its own loopback endpoint. Every route except <c>GET /admin/health</c>
/// needs <c>Authorization: Bearer TOKEN</c> (compared in constant time). Errors are problem+json.</summary>
internal sealed class AdminHandler
{
    private const int MaxBodyBytes = 1 << 20;
    private readonly ProxyRuntime _runtime;
    private readonly byte[] _token;
    private readonly ILogger _logger;

    public AdminHandler(ProxyRuntime runtime, string token, ILogger logger)
    {
        _runtime = runtime;
        _token = Encoding.UTF8.GetBytes(token);
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value?.TrimEnd('/') ?? "";
        var method = context.Request.Method;
        context.Response.Headers.CacheControl = "no-store";

        if (path == "/admin/health")
        {
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                await MethodNotAllowedAsync(context, "GET");
                return;
            }
            await JsonAsync(context, 200, new ProxyHealth("ok", _runtime.Pool.Generation, _runtime.Pool.LiveCount), ProxyJsonContext.Relaxed.ProxyHealth);
            return;
        }

        if (!Authorized(context))
        {
            _logger.LogWarning("admin request {Method} {Path} from {Remote} refused: missing or wrong bearer token", method, path, context.Connection.RemoteIpAddress);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemAsync(context, 401, "unauthorized", "a valid admin token is required (Authorization: Bearer TOKEN)");
            return;
        }

        switch (path)
        {
            case "/admin/state":
                if (!HttpMethods.IsGet(method))
                {
                    await MethodNotAllowedAsync(context, "GET");
                    return;
                }
                await JsonAsync(context, 200, _runtime.Pool.Snapshot(), ProxyJsonContext.Relaxed.ProxyState);
                return;
            case "/admin/backends":
                if (HttpMethods.IsGet(method))
                {
                    await JsonAsync(context, 200, _runtime.Pool.CurrentSet(), ProxyJsonContext.Relaxed.IReadOnlyListProxyBackend);
                    return;
                }
                if (!HttpMethods.IsPut(method))
                {
                    await MethodNotAllowedAsync(context, "GET, PUT");
                    return;
                }
                await PutBackendsAsync(context);
                return;
            case "/admin/metrics":
                if (!HttpMethods.IsGet(method))
                {
                    await MethodNotAllowedAsync(context, "GET");
                    return;
                }
                await MetricsAsync(context);
                return;
            default:
                await ProblemAsync(context, 404, "not found",
                    "admin routes: GET /admin/health, GET /admin/state, GET|PUT /admin/backends, GET /admin/metrics?backend=ID&window=SECONDS");
                return;
        }
    }

    private bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        // Constant time over the content (only the length can differ early). Managed code: no OpenSSL needed,
        // so the proxy runs on a base image without libssl.
        var given = Encoding.UTF8.GetBytes(header[prefix.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _token);
    }

    private async Task PutBackendsAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await ProblemAsync(context, 413, "body too large", $"the backend set must be under {MaxBodyBytes} bytes");
            return;
        }
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            var buffer = new char[MaxBodyBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), context.RequestAborted)) > 0)
            {
                read += n;
            }
            if (read > MaxBodyBytes)
            {
                await ProblemAsync(context, 413, "body too large", $"the backend set must be under {MaxBodyBytes} bytes");
                return;
            }
            body = new string(buffer, 0, read);
        }

        var input = BackendSetParser.Parse(body);
        var drain = input.DrainTimeoutSeconds ?? BackendSetParser.ParseDrainQuery(context.Request.Query["drainTimeoutSeconds"], input.Errors);
        if (!input.IsValid)
        {
            await ValidationProblemAsync(context, input.Errors);
            return;
        }
        ProxyState state;
        try
        {
            state = await _runtime.ApplyAsync(input.Backends, drain is { } s ? TimeSpan.FromSeconds(s) : null, context.RequestAborted);
        }
        catch (IOException ex)
        {
            _logger.LogError(ex, "could not persist the backend set to {Path}", _runtime.StateFilePath);
            await ProblemAsync(context, 500, "state file not written",
                $"the backend set was not applied: writing {_runtime.StateFilePath} failed ({ex.Message})");
            return;
        }
        catch (UnauthorizedAccessException ex)
        {
            _logger.LogError(ex, "could not persist the backend set to {Path}", _runtime.StateFilePath);
            await ProblemAsync(context, 500, "state file not written",
                $"the backend set was not applied: writing {_runtime.StateFilePath} failed ({ex.Message})");
            return;
        }
        await JsonAsync(context, 200, state, ProxyJsonContext.Relaxed.ProxyState);
    }

    private async Task MetricsAsync(HttpContext context)
    {
        var errors = new Dictionary<string, List<string>>();
        var backend = context.Request.Query["backend"].ToString();
        var windowText = context.Request.Query["window"].ToString();
        if (string.IsNullOrWhiteSpace(backend))
        {
            BackendSetParser.Add(errors, "backend", "is required (a backend id)");
        }
        double window = 60;
        if (!string.IsNullOrEmpty(windowText)
            && (!double.TryParse(windowText, NumberStyles.Float, CultureInfo.InvariantCulture, out window)
                || double.IsNaN(window) || window <= 0 || window > ProxyMetrics.MaxWindowSeconds))
        {
            BackendSetParser.Add(errors, "window", $"must be a number of seconds above 0 and at most {ProxyMetrics.MaxWindowSeconds}");
        }
        if (errors.Count > 0)
        {
            await ValidationProblemAsync(context, errors);
            return;
        }
        if (!_runtime.Pool.Knows(backend) && !_runtime.Metrics.Has(backend))
        {
            await ProblemAsync(context, 404, "unknown backend", $"no backend '{backend}' is or was in the set");
            return;
        }
        await JsonAsync(context, 200, _runtime.Metrics.Backend(backend, window), ProxyJsonContext.Relaxed.BackendMetrics);
    }

    private static Task MethodNotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return ProblemAsync(context, 405, "method not allowed", $"allowed: {allow}");
    }

    private static Task ValidationProblemAsync(HttpContext context, Dictionary<string, List<string>> errors)
    {
        var count = errors.Sum(e => e.Value.Count);
        var detail = $"{count} problem{(count == 1 ? "" : "s")}: " + string.Join("; ", errors.SelectMany(kv => kv.Value.Select(m => $"{kv.Key}: {m}")));
        var problem = new ValidationProblem("https://tools.ietf.org/html/rfc9110#section-15.5.1", "invalid request", 400, detail,
            errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));
        return WriteAsync(context, 400, "application/problem+json", problem, ProxyJsonContext.Relaxed.ValidationProblem);
    }

    private static Task ProblemAsync(HttpContext context, int status, string title, string detail)
        => WriteAsync(context, status, "application/problem+json", new Problem(title, status, detail), ProxyJsonContext.Relaxed.Problem);

    private static Task JsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> typeInfo)
        => WriteAsync(context, status, "application/json", value, typeInfo);

    private static async Task WriteAsync<T>(HttpContext context, int status, string contentType, T value, JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType + "; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        await JsonSerializer.SerializeAsync(context.Response.Body, value, typeInfo, context.RequestAborted);
    }
}
