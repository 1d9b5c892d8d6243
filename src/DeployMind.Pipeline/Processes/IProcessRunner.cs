namespace DeployMind.Pipeline.Processes;

/// <summary>Runs external programs; substituted by a fake in orchestrator tests.</summary>
public interface IProcessRunner
{
    /// <summary>
    /// Runs the command to completion or until its timeout, when it is killed with all its child processes
    /// and the result says <see cref="CommandResult.TimedOut"/>. Cancellation kills the process tree too and
    /// throws <see cref="OperationCanceledException"/>. A program that does not exist throws
    /// <see cref="ProgramNotFoundException"/>. A non-zero exit code is not an error here: call
    /// <see cref="CommandResult.VerifySuccess"/>.
    /// </summary>
    Task<CommandResult> RunAsync(CommandLine command, CancellationToken cancellationToken);
}
