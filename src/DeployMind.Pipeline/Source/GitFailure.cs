using DeployMind.Pipeline.Processes;

namespace DeployMind.Pipeline.Source;

/// <summary>Reads git's (English, redacted) messages to tell an unusable remote from a missing revision.</summary>
internal static class GitFailure
{
    private static readonly string[] s_authentication =
    [
        "authentication failed", "could not read username", "could not read password", "permission denied",
        "access denied", "returned error: 401", "returned error: 403", "terminal prompts disabled", "invalid credentials",
        "host key verification failed",
    ];

    private static readonly string[] s_notFound =
    [
        "repository not found", "does not appear to be a git repository", "returned error: 404", "not a git repository",
        "no such file or directory",
    ];

    private static readonly string[] s_unknownRevision =
    [
        "couldn't find remote ref", "not our ref", "no such remote ref", "unadvertised object", "bad object",
        "invalid index-pack output", "unknown revision",
    ];

    public static bool IsUnknownRevision(CommandResult result) =>
        !result.TimedOut && ContainsAny(result.StandardError, s_unknownRevision);

    public static SourceUnavailableException Unavailable(CommandResult result, GitRemote remote, GitOptions options)
    {
        if (result.TimedOut)
        {
            return new SourceUnavailableException(SourceUnavailableReason.TimedOut, remote.Display,
                $"git {Verb(result)} did not finish within {CommandResult.Seconds(result.Timeout)} s ({nameof(GitOptions)}.{nameof(GitOptions.CloneTimeout)})");
        }

        var line = remote.Redactor.Redact(KeyLine(result));
        if (ContainsAny(result.StandardError, s_authentication))
        {
            var hint = !remote.IsGitHub ? string.Empty
                : remote.TokenAvailable ? $" (check that the token in {options.TokenEnvironmentVariable} is valid and can read this repository)"
                : $" (the repository may be private: set {options.TokenEnvironmentVariable} to a token that can read it)";
            return new SourceUnavailableException(SourceUnavailableReason.AuthenticationFailed, remote.Display, line + hint);
        }

        return ContainsAny(result.StandardError, s_notFound)
            ? new SourceUnavailableException(SourceUnavailableReason.RepositoryNotFound, remote.Display, line)
            : new SourceUnavailableException(SourceUnavailableReason.Unreachable, remote.Display, line);
    }

    /// <summary>The line of git's output that says what went wrong: the first <c>fatal:</c>, else the first <c>error:</c>, else the last line.</summary>
    public static string KeyLine(CommandResult result)
    {
        var lines = (result.StandardError + "\n" + result.StandardOutput)
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.FirstOrDefault(l => l.StartsWith("fatal:", StringComparison.Ordinal))
               ?? lines.FirstOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal))
               ?? lines.LastOrDefault()
               ?? $"git exited with code {result.ExitCode}";
    }

    private static string Verb(CommandResult result)
    {
        var display = result.CommandDisplay;
        var space = display.IndexOf(' ', StringComparison.Ordinal);
        var rest = space < 0 ? string.Empty : display[(space + 1)..];
        var verb = rest.Split(' ', 2)[0];
        return verb is "-C" ? rest.Split(' ', 4).ElementAtOrDefault(2) ?? "command" : verb;
    }

    private static bool ContainsAny(string text, string[] needles) =>
        needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase));
}
