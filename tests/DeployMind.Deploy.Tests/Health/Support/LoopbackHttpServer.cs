using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DeployMind.Deploy.Tests.Health.Support;

/// <summary>What the test server answers to one request: a status and body, after an optional delay; or nothing at all.</summary>
public sealed record TestResponse(int Status, string Body = "", TimeSpan Delay = default, bool Hang = false, bool CloseWithoutAnswer = false)
{
    public static TestResponse Ok(string body = "ok") => new(200, body);

    public static TestResponse Hangs() => new(0, Hang: true);
}

/// <summary>A received request as the server saw it.</summary>
public sealed record TestRequest(int Number, string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body = "");

/// <summary>
/// A tiny HTTP/1.1 server on a loopback port, written on raw sockets so a test controls exactly what happens:
/// wrong statuses, bodies, slow answers, hangs, and connections closed without an answer.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentQueue<TestRequest> _requests = new();
    private int _count;

    public LoopbackHttpServer(Func<TestRequest, TestResponse> handler)
    {
        Handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public Func<TestRequest, TestResponse> Handler { get; set; }

    public int Port { get; }

    public IReadOnlyList<TestRequest> Requests => _requests.ToList();

    /// <summary>Completes when the server has received <paramref name="count"/> requests.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Volatile.Read(ref _count) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the server received {_count} of {count} requests");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var read = await ReadHeadAsync(stream);
                if (read is null)
                {
                    return;
                }

                var (head, rest) = (read.Value.Head, read.Value.Remainder);

                var lines = head.Split("\r\n");
                var parts = lines[0].Split(' ');
                var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
                    .Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                var body = new List<byte>(rest);
                if (headers.TryGetValue("Content-Length", out var lengthText) && int.TryParse(lengthText, out var length))
                {
                    var chunk = new byte[8192];
                    while (body.Count < length)
                    {
                        var n = await stream.ReadAsync(chunk, _stop.Token);
                        if (n == 0)
                        {
                            break;
                        }

                        body.AddRange(chunk.AsSpan(0, n).ToArray());
                    }
                }

                var request = new TestRequest(Interlocked.Increment(ref _count), parts[0], parts.Length > 1 ? parts[1] : "/", headers,
                    Encoding.UTF8.GetString(body.ToArray()));
                _requests.Enqueue(request);
                var response = Handler(request);
                if (response.Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                if (response.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(response.Delay, _stop.Token);
                }

                if (response.CloseWithoutAnswer)
                {
                    return;
                }

                var answer = Encoding.UTF8.GetBytes(response.Body);
                var text = $"HTTP/1.1 {response.Status} X\r\nContent-Type: text/plain\r\nContent-Length: {answer.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token);
                await stream.WriteAsync(answer, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task<(string Head, byte[] Remainder)?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new byte[16 * 1024];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), _stop.Token);
            if (read == 0)
            {
                return null;
            }

            total += read;
            var text = Encoding.ASCII.GetString(buffer, 0, total);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return (text[..end], buffer.AsSpan(end + 4, total - end - 4).ToArray());
            }
        }

        return null;
    }
}
