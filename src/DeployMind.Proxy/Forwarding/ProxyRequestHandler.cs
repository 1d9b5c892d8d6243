using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using DeployMind.Proxy.Metrics;
using DeployMind.Proxy.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace DeployMind.Proxy.Forwarding;

/// <summary>Forwards each public request to a backend chosen by weight, through YARP's <see cref="IHttpForwarder"/>.
/// A failed attempt is retried once on another live backend when that is safe: the connection could not be
/// made (nothing was sent), or the method is idempotent and the request body was not read; in both cases only
/// while nothing of the response went to the client.</summary>
internal sealed class ProxyRequestHandler
{
    private readonly BackendPool _pool;
    private readonly ProxyMetrics _metrics;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly ForwarderRequestConfig _config;
    private readonly TimeSpan _unreachableCooldown;
    private readonly ILogger _logger;

    public ProxyRequestHandler(BackendPool pool, ProxyMetrics metrics, IHttpForwarder forwarder, HttpMessageInvoker invoker,
        TimeSpan requestTimeout, TimeSpan unreachableCooldown, ILogger logger)
    {
        _pool = pool;
        _metrics = metrics;
        _forwarder = forwarder;
        _invoker = invoker;
        _unreachableCooldown = unreachableCooldown;
        _logger = logger;
        _config = new ForwarderRequestConfig
        {
            ActivityTimeout = requestTimeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public static HttpMessageInvoker CreateInvoker(TimeSpan connectTimeout) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = connectTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    }, disposeHandler: true);

    public async Task HandleAsync(HttpContext context)
    {
        _metrics.ProxyRequest();
        var backend = _pool.Acquire();
        if (backend is null)
        {
            _metrics.ProxyNoBackend();
            await WriteNoBackendAsync(context);
            return;
        }

        ReadTrackingStream? body = null;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            body = new ReadTrackingStream(context.Request.Body);
            context.Request.Body = body;
        }

        for (var attempt = 0; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            ForwarderError error;
            try
            {
                error = await _forwarder.SendAsync(context, backend.Url, _invoker, _config, HttpTransformer.Default, backend.AbortToken);
            }
            finally
            {
                _pool.Release(backend);
            }
            var latencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            if (error == ForwarderError.None)
            {
                _metrics.For(backend.Id).Answered(context.Response.StatusCode, latencyMs);
                return;
            }

            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            var kind = Classify(context, error, exception);
            if (kind is null)
            {
                // The client went away or broke its own side; not the backend's failure.
                return;
            }
            _metrics.For(backend.Id).Failed(kind.Value);
            if (kind == FailureKind.Connect)
            {
                _pool.MarkUnreachable(backend, _unreachableCooldown);
            }

            if (attempt == 0 && CanRetry(context, error, kind.Value, body))
            {
                var next = _pool.Acquire(exclude: backend);
                if (next is not null)
                {
                    _logger.LogInformation("retrying {Method} {Path} on backend {Next} after {Error} on backend {Backend}",
                        context.Request.Method, context.Request.Path, next.Id, error, backend.Id);
                    _metrics.ProxyRetry();
                    context.Response.Clear();
                    context.Features.Set<IForwarderErrorFeature>(null);
                    backend = next;
                    continue;
                }
            }

            _metrics.ProxyFailed();
            _logger.LogWarning(exception, "{Method} {Path} failed on backend {Backend}: {Error}", context.Request.Method, context.Request.Path, backend.Id, error);
            await WriteGatewayErrorAsync(context, backend.Id, kind.Value);
            return;
        }
    }

    /// <summary>Maps a forwarding error to a backend failure kind, or null when the client caused it.</summary>
    internal static FailureKind? Classify(HttpContext context, ForwarderError error, Exception? exception)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }
        switch (error)
        {
            case ForwarderError.RequestBodyClient:
            case ForwarderError.ResponseBodyClient:
            case ForwarderError.UpgradeRequestClient:
            case ForwarderError.UpgradeResponseClient:
                return null;
            case ForwarderError.Request when IsConnectFailure(exception):
                return FailureKind.Connect;
            case ForwarderError.RequestTimedOut:
                return IsConnectFailure(exception) ? FailureKind.Connect : FailureKind.Timeout;
            default:
                return FailureKind.Other;
        }
    }

    internal static bool IsConnectFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
                    return true;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.AddressNotAvailable }:
                    return true;
                case TimeoutException when e.Message.Contains("ConnectTimeout", StringComparison.Ordinal):
                    return true;
            }
        }
        return false;
    }

    private static bool CanRetry(HttpContext context, ForwarderError error, FailureKind kind, ReadTrackingStream? body)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested || body?.Touched == true)
        {
            return false;
        }
        if (kind == FailureKind.Connect)
        {
            return true;
        }
        // The request may have reached the backend: only methods that are safe to repeat.
        return error == ForwarderError.Request && kind == FailureKind.Other && IsIdempotent(context.Request.Method);
    }

    internal static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    private static async Task WriteNoBackendAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.WriteAsync("503 Service Unavailable: no live backend behind this proxy (the backend set is empty or every weight is 0).\n");
        }
    }

    private static async Task WriteGatewayErrorAsync(HttpContext context, string backendId, FailureKind kind)
    {
        if (context.Response.HasStarted)
        {
            return;
        }
        var status = context.Response.StatusCode >= 500 ? context.Response.StatusCode : StatusCodes.Status502BadGateway;
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/plain; charset=utf-8";
        var why = kind switch
        {
            FailureKind.Connect => "could not be reached",
            FailureKind.Timeout => "did not answer in time",
            _ => "failed before answering",
        };
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.WriteAsync($"{status} {ReasonPhrase(status)}: backend '{backendId}' {why}.\n");
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        StatusCodes.Status504GatewayTimeout => "Gateway Timeout",
        StatusCodes.Status503ServiceUnavailable => "Service Unavailable",
        _ => "Bad Gateway",
    };
}
