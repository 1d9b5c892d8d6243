using System.Diagnostics;
using System.Net;

namespace DeployMind.Bench.Reliability;

/// <summary>
/// A constant request rate (open loop: requests start on schedule whether or not earlier ones have answered) spread over
/// the edge proxies, counting every request that does not end in 200, and when each body was last seen.
/// </summary>
internal sealed class OpenLoopLoad : IAsyncDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(60),
        MaxConnectionsPerServer = 256,
    })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _dispatcher;
    private readonly List<Task> _inFlight = [];
    private readonly List<string> _failures = [];
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private long _sent;

    public OpenLoopLoad(IReadOnlyList<string> urls, int rate)
    {
        _dispatcher = Task.Run(() => DispatchAsync(urls, rate));
    }

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>The last time each response body was seen (e.g. the version answering).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LastSeen
    {
        get
        {
            lock (_lastSeen)
            {
                return new Dictionary<string, DateTimeOffset>(_lastSeen);
            }
        }
    }

    public async Task<(long Total, IReadOnlyList<string> Failures)> StopAsync()
    {
        await _stop.CancelAsync();
        await _dispatcher;
        Task[] pending;
        lock (_inFlight)
        {
            pending = [.. _inFlight];
        }

        await Task.WhenAll(pending);
        lock (_failures)
        {
            return (Sent, _failures.ToList());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task DispatchAsync(IReadOnlyList<string> urls, int rate)
    {
        var clock = Stopwatch.StartNew();
        long issued = 0;
        while (!_stop.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            for (; issued < due; issued++)
            {
                var url = urls[(int)(issued % urls.Count)];
                var task = SendAsync(url);
                lock (_inFlight)
                {
                    _inFlight.Add(task);
                }
            }

            lock (_inFlight)
            {
                _inFlight.RemoveAll(t => t.IsCompleted);
            }

            try
            {
                await Task.Delay(2, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendAsync(string url)
    {
        Interlocked.Increment(ref _sent);
        try
        {
            using var response = await _client.GetAsync(url, CancellationToken.None);
            var body = (await response.Content.ReadAsStringAsync()).Trim();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Fail($"{url}: {(int)response.StatusCode} {body}");
                return;
            }

            lock (_lastSeen)
            {
                _lastSeen[body] = DateTimeOffset.UtcNow;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            Fail($"{url}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void Fail(string what)
    {
        lock (_failures)
        {
            _failures.Add(what);
        }
    }
}
