using System.Globalization;
using System.Threading.RateLimiting;
using DeployMind.Server.Configuration;
using DeployMind.Server.Observability;

namespace DeployMind.Server.Auth;

/// <summary>
/// Counts failed authentications (wrong token, bad session cookie, CSRF mismatch, bad webhook signature) per client IP
/// in a fixed window, with the ASP.NET rate limiter's <see cref="PartitionedRateLimiter{TResource}"/>. Once a client has
/// used up its failures, every request from it gets 429 until the window passes, whatever credentials it sends.
/// </summary>
public sealed class AuthFailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly TimeSpan _window;

    public AuthFailureLimiter(ServerSettings settings)
    {
        _window = settings.AuthFailureWindow;
        var limit = settings.AuthFailureLimit;
        _failures = PartitionedRateLimiter.Create<string, string>(ip => RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = _window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public void RecordFailure(HttpContext context)
    {
        ServerMetrics.AuthFailures.Inc();
        using var lease = _failures.AttemptAcquire(ClientOf(context));
    }

    public bool IsBlocked(HttpContext context) => _failures.GetStatistics(ClientOf(context)) is { CurrentAvailablePermits: <= 0 };

    /// <summary>Middleware: answers 429 before anything else runs for a client over its failure budget.</summary>
    public async Task GateAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz") || !IsBlocked(context))
        {
            await next(context);
            return;
        }

        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(_window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many failed authentications",
            $"This client sent too many invalid credentials; wait up to {_window.TotalSeconds:0} seconds and retry with a valid token.");
    }

    public void Dispose() => _failures.Dispose();
}
