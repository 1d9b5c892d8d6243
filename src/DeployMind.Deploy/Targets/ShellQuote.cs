using System.Text;

namespace DeployMind.Deploy.Targets;

/// <summary>
/// POSIX shell quoting for transports that only take a command line (SSH exec, SSM's AWS-RunShellScript):
/// every argument becomes one word whatever it contains, so no argument is ever interpreted by the shell.
/// </summary>
public static class ShellQuote
{
    /// <summary>
    /// One argument as a single shell word: left bare when it is made only of characters no POSIX shell treats
    /// specially, otherwise wrapped in single quotes with each embedded <c>'</c> written as <c>'\''</c>.
    /// </summary>
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (argument.Contains('\0'))
        {
            throw new ArgumentException("a shell argument cannot contain a NUL character", nameof(argument));
        }

        if (argument.Length > 0 && argument.All(IsSafe))
        {
            return argument;
        }

        var quoted = new StringBuilder(argument.Length + 2);
        quoted.Append('\'');
        foreach (var c in argument)
        {
            if (c == '\'')
            {
                quoted.Append("'\\''");
            }
            else
            {
                quoted.Append(c);
            }
        }

        return quoted.Append('\'').ToString();
    }

    /// <summary>The arguments as one command line, each quoted by <see cref="Quote"/>.</summary>
    public static string Join(IEnumerable<string> arguments) => string.Join(' ', arguments.Select(Quote));

    // ASCII letters and digits and punctuation that no POSIX shell (nor zsh, whose leading '=' and '~' expand) treats specially.
    private static bool IsSafe(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '_' or '.' or '/' or ':' or '@' or '+' or ',';
}
