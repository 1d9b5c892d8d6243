using System.Net.Sockets;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Health;

/// <summary>Healthy when a TCP connection to the port is accepted.</summary>
public sealed class TcpHealthProbe(TimeProvider clock) : IHealthProbe
{
    public HealthCheckType Type => HealthCheckType.Tcp;

    public string Describe(HealthEndpoint endpoint, HealthCheckConfig config) => $"tcp://{endpoint.Host}:{endpoint.Port}";

    public async Task<ProbeResult> ProbeAsync(HealthEndpoint endpoint, HealthCheckConfig config, CancellationToken cancellationToken)
    {
        var target = Describe(endpoint, config);
        var started = clock.GetTimestamp();
        if (endpoint.Relay is ITcpRelay relay)
        {
            var refused = await relay.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
            return refused is null
                ? new ProbeResult { Healthy = true, Target = target, ResponseTime = clock.GetElapsedTime(started) }
                : new ProbeResult { Healthy = false, Target = target, Error = refused };
        }

        using var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
            return new ProbeResult { Healthy = true, Target = target, ResponseTime = clock.GetElapsedTime(started) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (SocketException ex)
        {
            return new ProbeResult { Healthy = false, Target = target, Error = HttpHealthProbe.Explain(ex) };
        }
    }
}
