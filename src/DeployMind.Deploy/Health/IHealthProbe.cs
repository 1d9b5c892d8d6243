using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Health;

/// <summary>Asks one endpoint once whether it is healthy. Implementations never throw for an unhealthy answer; they return it.</summary>
public interface IHealthProbe
{
    HealthCheckType Type { get; }

    /// <summary>Probes once; the caller bounds the call with the check's timeout through <paramref name="cancellationToken"/>.</summary>
    Task<ProbeResult> ProbeAsync(HealthEndpoint endpoint, HealthCheckConfig config, CancellationToken cancellationToken);

    /// <summary>What is probed, for messages and health_checks.check_url.</summary>
    string Describe(HealthEndpoint endpoint, HealthCheckConfig config);
}
