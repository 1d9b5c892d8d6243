using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DeployMind.Pipeline.Tests.Source;

/// <summary>
/// A git smart-HTTP server on loopback: HttpListener in front of <c>git http-backend</c>, serving the bare
/// repositories under a root directory, optionally refusing requests without one Authorization header.
/// </summary>
internal sealed class GitHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly string? _requiredAuthorization;
    private readonly Task _acceptLoop;

    public GitHttpServer(string root, string? requiredAuthorization)
    {
        _root = root;
        _requiredAuthorization = requiredAuthorization;
        BaseUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        _listener.Prefixes.Add(BaseUrl.AbsoluteUri);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptAsync);
    }

    public Uri BaseUrl { get; }

    /// <summary>The Authorization header of every request (null when there was none).</summary>
    public ConcurrentQueue<string?> AuthorizationHeaders { get; } = new();

    /// <summary>A loopback port nothing listens on.</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        await _acceptLoop;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var authorization = request.Headers["Authorization"];
            AuthorizationHeaders.Enqueue(authorization);
            if (_requiredAuthorization is not null && authorization != _requiredAuthorization)
            {
                response.StatusCode = 401;
                response.AddHeader("WWW-Authenticate", "Basic realm=\"test\"");
                response.Close();
                return;
            }

            await ServeWithHttpBackendAsync(request, response);
        }
        catch (Exception ex) when (ex is IOException or HttpListenerException or InvalidOperationException)
        {
            response.Abort();
        }
    }

    private async Task ServeWithHttpBackendAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        var start = new ProcessStartInfo("git")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("http-backend");
        start.Environment["GIT_PROJECT_ROOT"] = _root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["REQUEST_METHOD"] = request.HttpMethod;
        start.Environment["PATH_INFO"] = request.Url!.AbsolutePath;
        start.Environment["QUERY_STRING"] = request.Url.Query.TrimStart('?');
        start.Environment["CONTENT_TYPE"] = request.ContentType ?? string.Empty;
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        start.Environment["GIT_PROTOCOL"] = request.Headers["Git-Protocol"] ?? string.Empty;
        if (request.Headers["Content-Encoding"] is { } encoding)
        {
            start.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }

        using var process = Process.Start(start)!;
        var copyIn = Task.Run(async () =>
        {
            await request.InputStream.CopyToAsync(process.StandardInput.BaseStream);
            process.StandardInput.Close();
        });
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.BaseStream;

        foreach (var header in await ReadCgiHeadersAsync(output))
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (header[..colon].Trim(), header[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else
            {
                response.AddHeader(name, value);
            }
        }

        response.SendChunked = true;
        await output.CopyToAsync(response.OutputStream);
        await copyIn;
        await errors;
        await process.WaitForExitAsync();
        response.Close();
    }

    private static async Task<List<string>> ReadCgiHeadersAsync(Stream output)
    {
        var headers = new List<string>();
        var line = new StringBuilder();
        var one = new byte[1];
        while (await output.ReadAsync(one) == 1)
        {
            var c = (char)one[0];
            if (c == '\r')
            {
                continue;
            }

            if (c != '\n')
            {
                line.Append(c);
                continue;
            }

            if (line.Length == 0)
            {
                break;
            }

            headers.Add(line.ToString());
            line.Clear();
        }

        return headers;
    }
}
