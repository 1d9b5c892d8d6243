using System.Collections.Concurrent;
using System.Text;

namespace DeployMind.Proxy.Tests;

/// <summary>Constant concurrent load through the proxy: GETs, and every <paramref name="postEvery"/>th request a
/// POST with a body (0 = GETs only). Records every outcome.</summary>
internal sealed class Load(int postEvery = 4)
{
    private readonly ConcurrentDictionary<string, int> _byBackend = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    public IReadOnlyCollection<string> Failures => _failures;

    public IReadOnlyDictionary<string, int> ByBackend => _byBackend;

    public async Task RunAsync(HttpClient client, int workers, CancellationToken stop)
    {
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkerAsync(client, w, stop)));
    }

    private async Task WorkerAsync(HttpClient client, int worker, CancellationToken stop)
    {
        var i = 0;
        while (!stop.IsCancellationRequested)
        {
            i++;
            var post = postEvery > 0 && (i + worker) % postEvery == 0;
            try
            {
                using var request = post
                    ? new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StringContent($"w{worker}-{i}", Encoding.UTF8) }
                    : new HttpRequestMessage(HttpMethod.Get, "/");
                using var response = await client.SendAsync(request, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                Interlocked.Increment(ref _requests);
                if ((int)response.StatusCode != 200)
                {
                    _failures.Enqueue($"{request.Method} -> {(int)response.StatusCode} {body.Trim()}");
                    continue;
                }
                var name = post ? body.Split(':')[0] : body;
                if (post && !body.EndsWith($"w{worker}-{i}", StringComparison.Ordinal))
                {
                    _failures.Enqueue($"POST echo mismatch: {body}");
                }
                _byBackend.AddOrUpdate(name, 1, (_, n) => n + 1);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                Interlocked.Increment(ref _requests);
                _failures.Enqueue($"{(post ? "POST" : "GET")} -> {ex.GetType().Name}: {ex.Message}");
            }
        }
    }
}
