using System.Globalization;

namespace DeployMind.Pipeline.Processes;

/// <summary>What a finished (or timed-out) program did; output is already redacted.</summary>
public sealed record CommandResult
{
    /// <summary>Lines of standard error quoted in a failure message.</summary>
    public const int FailureTailLines = 10;

    /// <summary>The program as it was given (file name or path).</summary>
    public required string Program { get; init; }

    /// <summary>Program and arguments, redacted, for messages.</summary>
    public required string CommandDisplay { get; init; }

    /// <summary>The exit code; -1 when the program was killed after a timeout.</summary>
    public required int ExitCode { get; init; }

    public required string StandardOutput { get; init; }

    public required string StandardError { get; init; }

    public required TimeSpan Duration { get; init; }

    public required bool TimedOut { get; init; }

    /// <summary>The limit the program ran under.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>True when older standard output was dropped to keep capture bounded.</summary>
    public bool StandardOutputTruncated { get; init; }

    /// <summary>True when older standard error was dropped to keep capture bounded.</summary>
    public bool StandardErrorTruncated { get; init; }

    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>Returns this result when the program exited with 0; throws <see cref="CommandFailedException"/> otherwise.</summary>
    public CommandResult VerifySuccess()
    {
        if (!Succeeded)
        {
            throw new CommandFailedException(this);
        }

        return this;
    }

    /// <summary>The last lines of standard error (standard output when error is empty), for messages.</summary>
    public string FailureTail(int lines = FailureTailLines)
    {
        var source = string.IsNullOrWhiteSpace(StandardError) ? StandardOutput : StandardError;
        var all = source.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.TakeLast(lines));
    }

    internal static string Seconds(TimeSpan span) =>
        span.TotalSeconds.ToString(span.TotalSeconds < 10 ? "0.#" : "0", CultureInfo.InvariantCulture);
}
