namespace DeployMind.Pipeline.Processes;

/// <summary>Which stream of a running program a line came from.</summary>
public enum OutputStream
{
    StandardOutput,
    StandardError,
}

/// <summary>One line a program wrote, already redacted.</summary>
public readonly record struct OutputLine(OutputStream Stream, string Text);

/// <summary>
/// A program to run: the file and its argument list (never a shell string), where and with what
/// environment, how long it may take, and which strings must never appear in logs or results.
/// </summary>
public sealed record CommandLine
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Output kept per stream by default; older lines are dropped past it.</summary>
    public const int DefaultMaxCapturedChars = 4 * 1024 * 1024;

    public CommandLine(string fileName, params IEnumerable<string> arguments)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            throw new ArgumentException("a program name is required", nameof(fileName));
        }

        FileName = fileName;
        Arguments = [.. arguments];
    }

    /// <summary>The program: a name looked up on PATH, or a path to it.</summary>
    public string FileName { get; init; }

    public IReadOnlyList<string> Arguments { get; init; }

    /// <summary>Working directory; the current directory when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment overrides on top of this process's environment; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>How long the program may run before it and every process it started are killed.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Text written to the program's standard input, which is then closed. Null gives it an empty input.</summary>
    public string? StandardInput { get; init; }

    /// <summary>Values replaced by <c>***</c> in every log line, result and exception about this command.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>Called once per output line, in the order the program wrote them per stream, one call at a time.</summary>
    public Action<OutputLine>? OnOutputLine { get; init; }

    /// <summary>Characters kept per stream; when a program writes more, the oldest lines are dropped.</summary>
    public int MaxCapturedChars { get; init; } = DefaultMaxCapturedChars;

    /// <summary>Program and arguments as one line for messages, with secrets masked.</summary>
    public string Display(Redactor redactor) =>
        redactor.Redact(string.Join(' ', Arguments.Prepend(FileName).Select(Quote)));

    private static string Quote(string argument) =>
        argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
