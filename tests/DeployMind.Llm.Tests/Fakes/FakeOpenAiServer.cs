using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace DeployMind.Llm.Tests.Fakes;

/// <summary>One request the fake server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public string Message(string role) => Json["messages"]!.AsArray().Single(m => (string)m!["role"]! == role)!["content"]!.GetValue<string>();
}

/// <summary>What the fake server answers; <see cref="Hang"/> never answers until the server stops.</summary>
public sealed record FakeResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public bool Hang { get; init; }

    public static FakeResponse Hanging { get; } = new(0, string.Empty) { Hang = true };

    public static FakeResponse Completion(string content, string model = "gpt-4o-2024-08-06", int promptTokens = 450, int completionTokens = 120, string finishReason = "stop")
    {
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-test",
            ["object"] = "chat.completion",
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = finishReason,
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        };
        return new FakeResponse(200, body.ToJsonString());
    }

    public static FakeResponse Error(int status, string body = "{\"error\":{\"message\":\"try again\"}}", string? retryAfter = null) =>
        new(status, body, retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter });
}

/// <summary>
/// A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol: answers scripted responses in order
/// (then the fallback), and records every request it saw.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<FakeResponse> _script = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _gate = new();
    private readonly Task _loop;

    private FakeOpenAiServer(HttpListener listener, int port)
    {
        _listener = listener;
        BaseUrl = $"http://127.0.0.1:{port}/v1";
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string BaseUrl { get; }

    /// <summary>Answered once the script is used up.</summary>
    public FakeResponse Fallback { get; set; } = FakeResponse.Error(500, "{\"error\":\"no scripted response\"}");

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static FakeOpenAiServer Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeOpenAiServer(listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>A loopback port nothing listens on, for connection-refused cases.</summary>
    public static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public FakeOpenAiServer Enqueue(params FakeResponse[] responses)
    {
        lock (_gate)
        {
            foreach (var response in responses)
            {
                _script.Enqueue(response);
            }
        }

        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or HttpListenerException or OperationCanceledException)
        {
            // Stopping the listener ends the pending accept this way.
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or HttpListenerException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        FakeResponse response;
        lock (_gate)
        {
            _requests.Add(new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath,
                context.Request.Headers["Authorization"], body));
            response = _script.Count > 0 ? _script.Dequeue() : Fallback;
        }

        try
        {
            if (response.Hang)
            {
                await Task.Delay(Timeout.Infinite, _stopping.Token);
            }

            context.Response.StatusCode = response.Status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
            {
                context.Response.AddHeader(name, value);
            }

            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stopping.Token);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client gave up (timeout) or the server is stopping.
            context.Response.Abort();
        }
    }
}
