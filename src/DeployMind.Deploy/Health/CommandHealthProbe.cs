using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Health;

/// <summary>Runs the configured command inside the container; healthy when it exits with 0 within the timeout.</summary>
public sealed class CommandHealthProbe(TimeProvider clock) : IHealthProbe
{
    public HealthCheckType Type => HealthCheckType.Command;

    public string Describe(HealthEndpoint endpoint, HealthCheckConfig config) =>
        $"exec {endpoint.Container ?? "?"}: {string.Join(' ', config.Command ?? [])}";

    public async Task<ProbeResult> ProbeAsync(HealthEndpoint endpoint, HealthCheckConfig config, CancellationToken cancellationToken)
    {
        var target = Describe(endpoint, config);
        if (config.Command is not { Count: > 0 } command)
        {
            return new ProbeResult { Healthy = false, Target = target, Error = "health_check.command is empty; give the program and its arguments" };
        }

        if (endpoint.Executor is null || endpoint.Container is null)
        {
            return new ProbeResult { Healthy = false, Target = target, Error = "command checks need the container the version runs in" };
        }

        var started = clock.GetTimestamp();
        var result = await endpoint.Executor.ExecAsync(endpoint.Container, command, config.Timeout, cancellationToken);
        var elapsed = clock.GetElapsedTime(started);
        var output = ProbeResult.Truncate(result.Output.Trim());
        if (result.TimedOut)
        {
            return new ProbeResult { Healthy = false, Target = target, Body = output, Error = $"no answer within {Duration.Format(config.Timeout)}" };
        }

        return new ProbeResult
        {
            Healthy = result.ExitCode == 0,
            Target = target,
            ResponseTime = elapsed,
            Body = output,
            Error = result.ExitCode == 0 ? null : $"exited with {result.ExitCode}",
        };
    }
}
