using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeployMind.Proxy.Admin;

/// <summary>One backend the proxy forwards to: a stable id, an absolute http(s) URL and a weight 0..100
/// (0 keeps the backend in the set but sends it no new request).</summary>
public sealed record ProxyBackend(string Id, string Url, int Weight);

/// <summary>A backend as the proxy sees it right now.</summary>
/// <param name="Id">The id given in the backend set.</param>
/// <param name="Url">Where requests go.</param>
/// <param name="Weight">Share of new requests (0 = none).</param>
/// <param name="InFlight">Requests forwarded to it that have not finished.</param>
/// <param name="Draining">It receives no new request and still has requests in flight.</param>
/// <param name="Drained">It receives no new request and none is in flight (or the drain timeout passed).</param>
/// <param name="DrainTimedOut">The drain timeout passed before the in-flight requests finished; those were aborted.</param>
/// <param name="DrainStartedAt">When it stopped receiving new requests.</param>
/// <param name="DrainedAt">When draining finished.</param>
/// <param name="UnreachableUntil">After a failed connection it is skipped until then (while another backend is live).</param>
/// <param name="Requests">Requests sent to it since it joined the set.</param>
public sealed record ProxyBackendState(
    string Id,
    string Url,
    int Weight,
    int InFlight,
    bool Draining,
    bool Drained,
    bool DrainTimedOut,
    DateTimeOffset? DrainStartedAt,
    DateTimeOffset? DrainedAt,
    DateTimeOffset? UnreachableUntil,
    long Requests);

/// <summary>The proxy's state. <see cref="Backends"/> is the current set in the order it was given;
/// <see cref="Retired"/> holds backends removed from the set that are still draining or drained recently.</summary>
public sealed record ProxyState(
    long Generation,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ProxyBackendState> Backends,
    IReadOnlyList<ProxyBackendState> Retired)
{
    /// <summary>Backends that receive new requests (weight above 0).</summary>
    [JsonIgnore]
    public IEnumerable<ProxyBackendState> Live => Backends.Where(b => b.Weight > 0);

    /// <summary>The backend with this id in the current set, or null.</summary>
    public ProxyBackendState? Find(string id) => Backends.FirstOrDefault(b => b.Id == id);

    /// <summary>True when no request can go to <paramref name="id"/> any more: it is absent or has weight 0,
    /// and every entry with that id (current or retired) is drained.</summary>
    public bool IsDrained(string id)
    {
        if (Backends.Any(b => b.Id == id && b.Weight > 0))
        {
            return false;
        }
        return Backends.Concat(Retired).Where(b => b.Id == id).All(b => b.Drained);
    }
}

/// <summary>Proxy-wide counters over a window.</summary>
/// <param name="Requests">Requests the proxy received.</param>
/// <param name="NoBackend">Requests answered 503 because no backend was live.</param>
/// <param name="Retries">Requests retried on another backend after a failed attempt.</param>
/// <param name="Failed">Requests answered with an error produced by the proxy itself (502, 504, 503).</param>
public sealed record ProxyWideMetrics(long Requests, long NoBackend, long Retries, long Failed);

/// <summary>What one backend did over a window, from the proxy's side.</summary>
/// <param name="BackendId">The backend.</param>
/// <param name="WindowSeconds">The window the figures cover (ending now).</param>
/// <param name="Requests">Attempts sent to the backend, failed ones included.</param>
/// <param name="ServerErrors">Responses with status 500..599 from the backend.</param>
/// <param name="ProxyFailures">Attempts that got no response: <see cref="ConnectionErrors"/>, <see cref="Timeouts"/> and other transport failures.</param>
/// <param name="ConnectionErrors">Attempts that could not connect (they are retried on another backend when safe).</param>
/// <param name="Timeouts">Attempts that timed out waiting for the backend.</param>
/// <param name="ErrorRatePercent">(ServerErrors + ProxyFailures) / Requests × 100; 0 without requests.</param>
/// <param name="P50Ms">Median latency of answered attempts in milliseconds; null without any.</param>
/// <param name="P99Ms">99th percentile latency of answered attempts in milliseconds; null without any.</param>
/// <param name="Proxy">Proxy-wide counters over the same window.</param>
public sealed record BackendMetrics(
    string BackendId,
    double WindowSeconds,
    long Requests,
    long ServerErrors,
    long ProxyFailures,
    long ConnectionErrors,
    long Timeouts,
    double ErrorRatePercent,
    double? P50Ms,
    double? P99Ms,
    ProxyWideMetrics Proxy);

/// <summary>Answer of GET /admin/health.</summary>
public sealed record ProxyHealth(string Status, long Generation, int LiveBackends);

/// <summary>JSON of the admin API and its client: camelCase, case-insensitive reads, source-generated (trim-safe).</summary>
public static class ProxyJson
{
    /// <summary>Options carrying the source-generated contract; usable with any JsonSerializer call.</summary>
    public static JsonSerializerOptions Options => ProxyJsonContext.Default.Options;
}

internal sealed record SetBackendsRequest(IReadOnlyList<ProxyBackend> Backends, double? DrainTimeoutSeconds);

internal sealed record StateFileContent(int Version, long Generation, DateTimeOffset UpdatedAt, IReadOnlyList<ProxyBackend> Backends);

internal sealed record Problem(string Title, int Status, string Detail);

internal sealed record ValidationProblem(string Type, string Title, int Status, string Detail, Dictionary<string, string[]> Errors);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = false)]
[JsonSerializable(typeof(ProxyBackend))]
[JsonSerializable(typeof(IReadOnlyList<ProxyBackend>))]
[JsonSerializable(typeof(List<ProxyBackend>))]
[JsonSerializable(typeof(ProxyState))]
[JsonSerializable(typeof(BackendMetrics))]
[JsonSerializable(typeof(ProxyHealth))]
[JsonSerializable(typeof(SetBackendsRequest))]
[JsonSerializable(typeof(StateFileContent))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(ValidationProblem))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext
{
    static ProxyJsonContext()
    {
        // Readable output (quotes and apostrophes unescaped); the admin API only answers JSON content types.
        Relaxed = new ProxyJsonContext(new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }

    public static ProxyJsonContext Relaxed { get; }

    /// <summary>Indented, for the state file people may read.</summary>
    public static ProxyJsonContext Indented { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    });
}
