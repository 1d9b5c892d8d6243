namespace DeployMind.Deploy.Strategies;

/// <summary>How application versions and edge proxies are run on targets.</summary>
public sealed class DockerAppHostOptions
{
    /// <summary>The edge proxy image (scripts/proxy-image.sh builds it); streamed to a target from the local engine when it lacks it.</summary>
    public string ProxyImage { get; set; } = "deploymind/proxy:latest";

    /// <summary>Loopback ports application versions are given (each version its own, passed as PORT).</summary>
    public int AppPortFrom { get; set; } = 20000;

    public int AppPortTo { get; set; } = 29999;

    /// <summary>Loopback ports the proxies' admin APIs listen on.</summary>
    public int AdminPortFrom { get; set; } = 40000;

    public int AdminPortTo { get; set; } = 44999;

    /// <summary>The bound of one docker command on a target (runs, stops, inspects).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a new edge proxy may take to answer its admin API.</summary>
    public TimeSpan ProxyStartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The bound of one call to a proxy's admin API.</summary>
    public TimeSpan AdminTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
