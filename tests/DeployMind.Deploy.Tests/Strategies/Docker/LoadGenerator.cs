using System.Diagnostics;
using System.Net;

namespace DeployMind.Deploy.Tests.Strategies.Docker;

/// <summary>Constant request rate against URLs (through the edge proxies) on a few workers, counting every failed request.</summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private readonly List<string> _failures = [];
    private long _total;

    public LoadGenerator(IReadOnlyList<string> urls, int requestsPerSecond = 100, int workers = 4)
    {
        var interval = TimeSpan.FromSeconds(workers / (double)requestsPerSecond);
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            _workers.Add(Task.Run(() => RunAsync(urls, worker, interval)));
        }
    }

    public long Total => Interlocked.Read(ref _total);

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return _failures.ToList();
            }
        }
    }

    /// <summary>Bodies seen, by URL, in order (to see versions change).</summary>
    public Dictionary<string, List<string>> Bodies { get; } = [];

    public async Task<(long Total, IReadOnlyList<string> Failures)> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        return (Total, Failures);
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

    private async Task RunAsync(IReadOnlyList<string> urls, int worker, TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        var i = worker;
        while (!_stop.IsCancellationRequested)
        {
            var url = urls[i++ % urls.Count];
            try
            {
                using var response = await _client.GetAsync(url, CancellationToken.None);
                var body = (await response.Content.ReadAsStringAsync()).Trim();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"{url}: {(int)response.StatusCode} {body}");
                }
                else
                {
                    lock (Bodies)
                    {
                        if (!Bodies.TryGetValue(url, out var seen))
                        {
                            Bodies[url] = seen = [];
                        }

                        if (seen.Count == 0 || seen[^1] != body)
                        {
                            seen.Add(body);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                Fail($"{url}: {ex.GetType().Name} {ex.Message}");
            }

            Interlocked.Increment(ref _total);
            next += interval;
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
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
