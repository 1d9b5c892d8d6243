using System.Globalization;
using System.Text;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Deploy.Targets;

/// <summary>How one command runs on a target.</summary>
public sealed record TargetCommandOptions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Output kept per stream; older lines are dropped past it.</summary>
    public const int DefaultMaxCapturedChars = 1024 * 1024;

    public static TargetCommandOptions Default { get; } = new();

    /// <summary>How long the command may run; it is then stopped and the result says <see cref="TargetCommandResult.TimedOut"/>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// Bytes streamed to the command's standard input, which is closed at the end of the stream. Null gives
    /// the command an empty input. The stream is read once and not disposed; SSM targets refuse standard input.
    /// </summary>
    public Stream? StandardInput { get; init; }

    /// <summary>Values replaced by <c>***</c> in the command display, its output and every error about it.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>Called once per redacted output line as the command writes it (local and SSH targets).</summary>
    public Action<OutputLine>? OnOutputLine { get; init; }

    public int MaxCapturedChars { get; init; } = DefaultMaxCapturedChars;

    /// <summary>Options with <paramref name="text"/> (UTF-8) as standard input, e.g. an env file for <c>docker run --env-file /dev/stdin</c>.</summary>
    public TargetCommandOptions WithInput(string text) =>
        this with { StandardInput = new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false) };

    public TargetCommandOptions WithTimeout(TimeSpan timeout) => this with { Timeout = timeout };

    public TargetCommandOptions WithSecrets(params IEnumerable<string?> secrets) =>
        this with { Secrets = [.. Secrets.Concat(secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!))] };
}

/// <summary>What a command did on a target; output and display are already redacted.</summary>
public sealed record TargetCommandResult
{
    /// <summary>The target's name.</summary>
    public required string Target { get; init; }

    /// <summary>The argument list as one line for messages (POSIX-quoted, secrets masked).</summary>
    public required string CommandDisplay { get; init; }

    /// <summary>The exit code; -1 when the command timed out or ended by a signal.</summary>
    public required int ExitCode { get; init; }

    public required string StandardOutput { get; init; }

    public required string StandardError { get; init; }

    public required TimeSpan Duration { get; init; }

    public required bool TimedOut { get; init; }

    public required TimeSpan Timeout { get; init; }

    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>Returns this result when the command exited with 0; throws <see cref="TargetCommandFailedException"/> otherwise.</summary>
    public TargetCommandResult VerifySuccess() => Succeeded ? this : throw new TargetCommandFailedException(this);

    /// <summary>The last lines of standard error (standard output when error is empty), for messages.</summary>
    public string FailureTail(int lines = CommandResult.FailureTailLines)
    {
        var source = string.IsNullOrWhiteSpace(StandardError) ? StandardOutput : StandardError;
        var all = source.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.TakeLast(lines));
    }

    internal static TargetCommandResult From(string target, CommandResult result) => new()
    {
        Target = target,
        CommandDisplay = result.CommandDisplay,
        ExitCode = result.ExitCode,
        StandardOutput = result.StandardOutput,
        StandardError = result.StandardError,
        Duration = result.Duration,
        TimedOut = result.TimedOut,
        Timeout = result.Timeout,
    };

    internal static string Seconds(TimeSpan span) =>
        span.TotalSeconds.ToString(span.TotalSeconds < 10 ? "0.#" : "0", CultureInfo.InvariantCulture);
}

/// <summary>What <see cref="IDeployTarget.DescribeAsync"/> found.</summary>
public sealed record TargetInstanceState
{
    public required string Target { get; init; }

    public required TargetType Type { get; init; }

    /// <summary>True when a command ran on the target (SSH/local: <c>docker version</c>; EC2: the instance is running and SSM answered).</summary>
    public required bool Reachable { get; init; }

    /// <summary>Why the target is not reachable or not usable; null when it is.</summary>
    public string? Error { get; init; }

    /// <summary>The Docker engine's server version on the target; null when it could not be read.</summary>
    public string? DockerVersion { get; init; }

    /// <summary>EC2: <c>pending</c>, <c>running</c>, <c>stopping</c>, <c>stopped</c>, <c>shutting-down</c>, <c>terminated</c>.</summary>
    public string? InstanceState { get; init; }

    /// <summary>EC2: the instance status check (<c>ok</c>, <c>impaired</c>, <c>initializing</c>, <c>insufficient-data</c>, <c>not-applicable</c>).</summary>
    public string? InstanceStatus { get; init; }

    /// <summary>EC2: the system status check, same values as <see cref="InstanceStatus"/>.</summary>
    public string? SystemStatus { get; init; }

    /// <summary>Where the target is: <c>local</c>, <c>user@host:port</c>, or <c>instance-id (region)</c>.</summary>
    public string? Address { get; init; }

    public required DateTimeOffset CheckedAt { get; init; }
}
