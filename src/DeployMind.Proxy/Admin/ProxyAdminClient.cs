using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DeployMind.Proxy.Admin;

/// <summary>Client of a DeployMind edge proxy's admin API (loopback, bearer token). Every call is bounded
/// by <see cref="Timeout"/>; failures surface as <see cref="ProxyAdminException"/>.</summary>
public sealed class ProxyAdminClient : IDisposable
{
    /// <summary>Default bound of one call.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string _token;

    /// <summary>Talks to the admin API at <paramref name="adminUrl"/> (e.g. http://127.0.0.1:9080/).</summary>
    public ProxyAdminClient(Uri adminUrl, string token, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
        : this(CreateHttpClient(adminUrl, handler), token, timeout, ownsHttp: true)
    {
    }

    /// <summary>Uses <paramref name="httpClient"/> (its BaseAddress must be the admin URL); the caller keeps ownership.</summary>
    public ProxyAdminClient(HttpClient httpClient, string token, TimeSpan? timeout = null)
        : this(httpClient, token, timeout, ownsHttp: false)
    {
    }

    private ProxyAdminClient(HttpClient httpClient, string token, TimeSpan? timeout, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("the HttpClient needs a BaseAddress (the proxy's admin URL)", nameof(httpClient));
        }
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ArgumentException("the admin token is empty", nameof(token));
        }
        var bound = timeout ?? DefaultTimeout;
        if (bound <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), "the timeout must be positive");
        }
        _http = httpClient;
        _ownsHttp = ownsHttp;
        _token = token.Trim();
        Timeout = bound;
    }

    /// <summary>Bound of each call.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The admin API's base address.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Reads an admin token file (first non-empty line, trimmed).</summary>
    public static string ReadTokenFile(string path)
    {
        var token = File.ReadLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return token ?? throw new InvalidDataException($"the admin token file {path} is empty");
    }

    /// <summary>Replaces the whole backend set atomically. Backends removed or set to weight 0 get no new
    /// request from the moment this returns and drain for at most <paramref name="drainTimeout"/>
    /// (the proxy's default when null).</summary>
    public async Task<ProxyState> SetBackendsAsync(IReadOnlyList<ProxyBackend> backends, TimeSpan? drainTimeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backends);
        var body = new SetBackendsRequest(backends, drainTimeout?.TotalSeconds);
        return await SendAsync(HttpMethod.Put, "admin/backends", JsonContent.Create(body, ProxyJsonContext.Default.SetBackendsRequest), ProxyJsonContext.Default.ProxyState, cancellationToken);
    }

    /// <summary>The current backends, their in-flight counts and drain state, and the generation.</summary>
    public Task<ProxyState> GetStateAsync(CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Get, "admin/state", null, ProxyJsonContext.Default.ProxyState, cancellationToken);

    /// <summary>Requests, 5xx and proxy failures, error rate and p50/p99 latency of one backend over the last <paramref name="window"/>.</summary>
    public Task<BackendMetrics> GetMetricsAsync(string backendId, TimeSpan window, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backendId);
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), "the window must be positive");
        }
        var seconds = window.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        return SendAsync(HttpMethod.Get, $"admin/metrics?backend={Uri.EscapeDataString(backendId)}&window={seconds}", null, ProxyJsonContext.Default.BackendMetrics, cancellationToken);
    }

    /// <summary>The proxy's liveness answer (no token needed).</summary>
    public Task<ProxyHealth> GetHealthAsync(CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Get, "admin/health", null, ProxyJsonContext.Default.ProxyHealth, cancellationToken);

    /// <summary>Polls the state until <paramref name="backendId"/> gets no new request and has none in flight
    /// (see <see cref="ProxyState.IsDrained"/>). Returns false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitUntilDrainedAsync(string backendId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backendId);
        var deadline = DateTimeOffset.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var state = await GetStateAsync(cancellationToken);
            if (state.IsDrained(backendId))
            {
                return true;
            }
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }
            await Task.Delay(delay < left ? delay : left, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        var what = $"{method} {new Uri(BaseAddress, path).GetLeftPart(UriPartial.Path)}";
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                var value = await response.Content.ReadFromJsonAsync(typeInfo, timeout.Token);
                return value ?? throw new ProxyAdminException($"{what}: the proxy answered {(int)response.StatusCode} with an empty body", response.StatusCode);
            }
            throw await ErrorFromAsync(what, response, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProxyAdminException($"{what}: no answer within {Timeout.TotalSeconds:0.###} s", null, null, new TimeoutException(ex.Message, ex));
        }
        catch (HttpRequestException ex)
        {
            throw new ProxyAdminException($"{what}: the proxy's admin API is unreachable ({ex.Message})", null, null, ex);
        }
        catch (JsonException ex)
        {
            throw new ProxyAdminException($"{what}: the answer is not the expected JSON ({ex.Message})", null, null, ex);
        }
    }

    private static async Task<ProxyAdminException> ErrorFromAsync(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            text = "";
        }
        var errors = new Dictionary<string, string[]>();
        var detail = text.Trim();
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
            {
                detail = d.GetString() ?? detail;
            }
            else if (root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String)
            {
                detail = t.GetString() ?? detail;
            }
            if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in e.EnumerateObject())
                {
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                        ? field.Value.EnumerateArray().Select(x => x.ToString()).ToArray()
                        : [field.Value.ToString()];
                }
            }
        }
        catch (JsonException)
        {
        }
        var listed = errors.Count == 0 ? "" : ": " + string.Join("; ", errors.SelectMany(kv => kv.Value.Select(m => $"{kv.Key}: {m}")));
        var message = status switch
        {
            HttpStatusCode.Unauthorized => $"{what}: the proxy refused the admin token (401)",
            _ => $"{what}: the proxy answered {(int)status}{(detail.Length > 0 ? " " + detail : "")}{listed}",
        };
        return new ProxyAdminException(message, status, errors);
    }

    private static HttpClient CreateHttpClient(Uri adminUrl, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(adminUrl);
        if (!adminUrl.IsAbsoluteUri || (adminUrl.Scheme != Uri.UriSchemeHttp && adminUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"the admin URL must be an absolute http URL, got {adminUrl}", nameof(adminUrl));
        }
        var baseAddress = adminUrl.AbsoluteUri.EndsWith('/') ? adminUrl : new Uri(adminUrl.AbsoluteUri + "/");
        var inner = handler ?? new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        return new HttpClient(inner, disposeHandler: true) { BaseAddress = baseAddress, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

}
