using DeployMind.Pipeline.Processes;
using DeployMind.Security.Reports;

namespace DeployMind.Security.Agent;

/// <summary>Runs the `trivy` binary through the project's process runner (argument lists, timeouts, process-tree kill).</summary>
public static class TrivyProcess
{
    public static TrivyRunner Runner(IProcessRunner processes, TimeProvider clock, TrivyRunnerOptions? options = null) =>
        new(async (program, arguments, timeout, cancellationToken) =>
        {
            var result = await processes.RunAsync(new CommandLine(program, arguments) { Timeout = timeout }, cancellationToken);
            return (result.ExitCode, result.StandardOutput, result.StandardError);
        }, options, clock);
}
