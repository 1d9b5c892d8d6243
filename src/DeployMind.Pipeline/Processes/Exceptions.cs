using DeployMind.Domain;

namespace DeployMind.Pipeline.Processes;

/// <summary>A program exited with a non-zero code or was killed after its timeout.</summary>
public sealed class CommandFailedException : DeployMindException
{
    public CommandFailedException(CommandResult result)
        : base(Describe(result))
    {
        Result = result;
    }

    /// <summary>The redacted result, for callers that classify failures (e.g. by a line of standard error).</summary>
    public CommandResult Result { get; }

    public string Program => Result.Program;

    public int ExitCode => Result.ExitCode;

    public bool TimedOut => Result.TimedOut;

    private static string Describe(CommandResult result)
    {
        var head = result.TimedOut
            ? $"'{result.Program}' timed out after {CommandResult.Seconds(result.Timeout)} s and was stopped with its child processes ({result.CommandDisplay})"
            : $"'{result.Program}' exited with code {result.ExitCode} after {CommandResult.Seconds(result.Duration)} s ({result.CommandDisplay})";
        var tail = result.FailureTail();
        return tail.Length == 0 ? head : $"{head}:\n{tail}";
    }
}

/// <summary>The program to run does not exist on PATH (or at the given path).</summary>
public sealed class ProgramNotFoundException : DeployMindException
{
    public ProgramNotFoundException(string program, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Program = program;
    }

    public string Program { get; }
}
