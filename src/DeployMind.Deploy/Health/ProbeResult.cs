namespace DeployMind.Deploy.Health;

/// <summary>One probe's answer. Anything other than a matching answer in time is unhealthy, with <see cref="Error"/> saying why.</summary>
public sealed record ProbeResult
{
    /// <summary>Bodies are kept up to this many characters in health_checks.response_body.</summary>
    public const int MaxStoredBody = 1024;

    public required bool Healthy { get; init; }

    /// <summary>What was probed: the URL, tcp://host:port, or the command.</summary>
    public required string Target { get; init; }

    public TimeSpan? ResponseTime { get; init; }

    public int? StatusCode { get; init; }

    /// <summary>The response body or command output, truncated to <see cref="MaxStoredBody"/>.</summary>
    public string? Body { get; init; }

    public string? Error { get; init; }

    public static string? Truncate(string? text) =>
        text is null ? null : text.Length <= MaxStoredBody ? text : text[..MaxStoredBody] + "…";
}
