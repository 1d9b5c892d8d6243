using DeployMind.Proxy.Admin;
using Microsoft.Extensions.Logging;

namespace DeployMind.Proxy;

/// <summary>How to run a proxy (the <c>deploymind-proxy</c> command line maps onto these).</summary>
public sealed class ProxyHostOptions
{
    /// <summary>Public endpoint, HOST:PORT (port 0 picks a free one).</summary>
    public string Listen { get; set; } = "127.0.0.1:0";

    /// <summary>Admin endpoint, HOST:PORT; must be a loopback address.</summary>
    public string Admin { get; set; } = "127.0.0.1:0";

    /// <summary>Bearer token of the admin API (at least 16 characters); required.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Where the backend set is persisted; restored from it at start when it exists.</summary>
    public string? StateFile { get; set; }

    /// <summary>Backends to start with when there is no state file yet.</summary>
    public IReadOnlyList<ProxyBackend> Backends { get; set; } = [];

    /// <summary>Drain timeout used when a backend-set change does not give one.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for a backend's response headers or the next piece of its body.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Longest wait for a connection to a backend.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a backend that refused a connection is skipped while another backend is live.</summary>
    public TimeSpan UnreachableCooldown { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long stopping waits for in-flight requests.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Minimum level written to the console; null writes no log.</summary>
    public LogLevel? ConsoleLogLevel { get; set; }

    /// <summary>Clock for drain timeouts and timestamps (tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal const int MinimumTokenLength = 16;
}
