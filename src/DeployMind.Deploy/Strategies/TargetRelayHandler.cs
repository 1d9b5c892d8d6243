using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DeployMind.Deploy.Targets;

namespace DeployMind.Deploy.Strategies;

/// <summary>
/// Sends HTTP requests from the target itself, with <c>curl</c> run through the target's transport: the way to a proxy admin
/// API that only listens on the target's loopback (remote SSH hosts, EC2 through SSM). The request line, headers (the bearer
/// token) and body go to curl as a config file on standard input, so none of them appears in a command line.
/// </summary>
public sealed class TargetRelayHandler(IDeployTarget target, TimeSpan timeout) : HttpMessageHandler, Health.ITcpRelay
{
    private const string StatusMarker = "\n--deploymind-status:";

    /// <summary>
    /// Connects from the target with curl: the time it took to connect (curl's time_connect, 0 when it never did) tells
    /// whether the port accepted the connection, whatever the service behind it answers.
    /// </summary>
    public async Task<string?> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var url = $"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port.ToString(CultureInfo.InvariantCulture)}/";
        var result = await target.RunAsync(
            ["curl", "--silent", "--output", "/dev/null", "--connect-timeout", seconds, "--max-time", seconds, "--write-out", "%{time_connect}", url],
            TargetCommandOptions.Default.WithTimeout(timeout + TimeSpan.FromSeconds(5)), cancellationToken);
        if (result.ExitCode == 127)
        {
            return $"curl is not installed on target '{target.Name}'; TCP checks from the target use it";
        }

        var connected = double.TryParse(result.StandardOutput.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var time) && time > 0;
        return connected ? null : result.ExitCode == 28 ? "connection timed out" : "connection refused (nothing listens on the port)";
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var config = new StringBuilder();
        config.Append("url = ").Append(Quote(request.RequestUri!.AbsoluteUri)).Append('\n');
        config.Append("request = ").Append(Quote(request.Method.Method)).Append('\n');
        foreach (var header in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
        {
            config.Append("header = ").Append(Quote($"{header.Key}: {string.Join(", ", header.Value)}")).Append('\n');
        }

        if (request.Content is not null)
        {
            config.Append("data-binary = ").Append(Quote(await request.Content.ReadAsStringAsync(cancellationToken))).Append('\n');
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var secrets = request.Headers.Authorization?.Parameter is { } token ? new[] { token } : [];
        var result = await target.RunAsync(
            ["curl", "--silent", "--show-error", "--max-time", seconds, "--config", "-", "--write-out", StatusMarker + "%{http_code}"],
            TargetCommandOptions.Default.WithTimeout(timeout + TimeSpan.FromSeconds(5)).WithInput(config.ToString()).WithSecrets(secrets), cancellationToken);
        var output = result.StandardOutput;
        var marker = output.LastIndexOf(StatusMarker, StringComparison.Ordinal);
        if (result.ExitCode == 127 || (marker < 0 && result.StandardError.Contains("not found", StringComparison.OrdinalIgnoreCase)))
        {
            throw new HttpRequestException($"curl is not installed on target '{target.Name}'; the edge proxy's admin API is reached through it");
        }

        if (marker < 0 || !int.TryParse(output[(marker + StatusMarker.Length)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status == 0)
        {
            throw new HttpRequestException($"no answer from {request.RequestUri} on target '{target.Name}': {result.FailureTail(3)}");
        }

        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(output[..marker], Encoding.UTF8),
            RequestMessage = request,
        };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return response;
    }

    /// <summary>A curl config string: double-quoted with backslash escapes.</summary>
    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
}
