using System.Net;
using System.Net.Sockets;
using System.Text;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Health;

/// <summary>
/// GETs the health path: healthy only when the status is in the expected range and, when configured, the body
/// contains the expected text. No proxy from the environment is used (the probe targets the instance itself),
/// and connections are not kept alive, so every probe opens a fresh one as a real client would.
/// </summary>
public sealed class HttpHealthProbe : IHealthProbe, IDisposable
{
    /// <summary>Bodies longer than this are not read further; a body match only looks at this much.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private readonly HttpClient _client;
    private readonly TimeProvider _clock;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpMessageHandler, HttpClient> _relayed = [];

    public HttpHealthProbe(TimeProvider clock)
    {
        _clock = clock;
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public HealthCheckType Type => HealthCheckType.Http;

    public string Describe(HealthEndpoint endpoint, HealthCheckConfig config)
    {
        var host = endpoint.Host.Contains(':', StringComparison.Ordinal) && !endpoint.Host.StartsWith('[') ? $"[{endpoint.Host}]" : endpoint.Host;
        var path = config.Path.StartsWith('/') ? config.Path : "/" + config.Path;
        return $"http://{host}:{endpoint.Port}{path}";
    }

    public async Task<ProbeResult> ProbeAsync(HealthEndpoint endpoint, HealthCheckConfig config, CancellationToken cancellationToken)
    {
        var url = Describe(endpoint, config);
        var started = _clock.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.ConnectionClose = true;
        foreach (var (name, value) in config.Headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            var client = endpoint.Relay is { } relay
                ? _relayed.GetValue(relay, h => new HttpClient(h, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan })
                : _client;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await ReadBodyAsync(response, cancellationToken);
            var elapsed = _clock.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            string? error = null;
            if (!config.ExpectedStatus.Contains(status))
            {
                error = $"returned {status} (expected {config.ExpectedStatus})";
            }
            else if (config.BodyContains is { } expected && !body.Contains(expected, StringComparison.Ordinal))
            {
                error = $"returned {status} but the body does not contain '{expected}'";
            }

            return new ProbeResult
            {
                Healthy = error is null,
                Target = url,
                ResponseTime = elapsed,
                StatusCode = status,
                Body = ProbeResult.Truncate(body),
                Error = error,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            return new ProbeResult { Healthy = false, Target = url, ResponseTime = null, Error = Explain(ex) };
        }
    }

    public void Dispose() => _client.Dispose();

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBodyBytes];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    internal static string Explain(Exception ex)
    {
        var socket = ex as SocketException ?? ex.InnerException as SocketException ?? ex.InnerException?.InnerException as SocketException;
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (nothing listens on the port)",
                SocketError.TimedOut => "connection timed out",
                SocketError.HostNotFound or SocketError.NoData => "host not found",
                SocketError.ConnectionReset => "connection reset by the application",
                _ => $"connection failed: {socket.SocketErrorCode}",
            };
        }

        if (ex is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return "the application closed the connection without answering";
        }

        return ex.InnerException is { } inner && ex is HttpRequestException ? $"{ex.Message} ({inner.Message})" : ex.Message;
    }
}
