using System.Net;

namespace DeployMind.Proxy.Admin;

/// <summary>A call to the proxy's admin API failed: unreachable, timed out, refused the token (401),
/// rejected the input (400, every problem in <see cref="Errors"/>) or failed on its side.</summary>
public sealed class ProxyAdminException : Exception
{
    public ProxyAdminException(string message, HttpStatusCode? statusCode = null,
        IReadOnlyDictionary<string, string[]>? errors = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    /// <summary>The HTTP status the admin API answered with; null when there was no answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Validation problems by field (e.g. <c>backends[1].weight</c>).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>True when the call got no answer within its timeout.</summary>
    public bool IsTimeout => InnerException is TimeoutException;
}
