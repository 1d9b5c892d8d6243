using System.Text;

namespace DeployMind.Build.Generation;

/// <summary>Turns command lines into exec-form (JSON array) instructions, so the app is PID 1 and gets signals.</summary>
internal static class ExecForm
{
    private static readonly string[] s_shellSyntax = ["&&", "||", "|", ";", ">", "<", "$", "`", "*", "~"];

    /// <summary>Splits a command into arguments; leading NAME=value assignments become environment variables.</summary>
    public static (IReadOnlyList<string> Arguments, IReadOnlyList<KeyValuePair<string, string>> Environment) Parse(string command)
    {
        if (s_shellSyntax.Any(s => command.Contains(s, StringComparison.Ordinal)))
        {
            return (["sh", "-c", command], []);
        }

        var arguments = Split(command);
        var environment = new List<KeyValuePair<string, string>>();
        while (arguments.Count > 1 && IsAssignment(arguments[0]))
        {
            var equals = arguments[0].IndexOf('=', StringComparison.Ordinal);
            environment.Add(new(arguments[0][..equals], arguments[0][(equals + 1)..]));
            arguments.RemoveAt(0);
        }

        return (arguments, environment);
    }

    public static string Json(IEnumerable<string> arguments) => "[" + string.Join(", ", arguments.Select(Quote)) + "]";

    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    private static bool IsAssignment(string token)
    {
        var equals = token.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && token[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(token[0]);
    }

    private static List<string> Split(string command)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var inToken = false;
        foreach (var c in command)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inToken = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inToken)
                {
                    result.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }
            }
            else
            {
                current.Append(c);
                inToken = true;
            }
        }

        if (inToken)
        {
            result.Add(current.ToString());
        }

        return result;
    }
}
