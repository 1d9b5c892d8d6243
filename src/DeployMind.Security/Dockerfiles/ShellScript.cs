using System.Text;

namespace DeployMind.Security.Dockerfiles;

/// <summary>Splits text into words the way a POSIX shell would, removing quotes (no expansion).</summary>
internal static class ShellWords
{
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        foreach (var command in ShellScript.Parse(text).Commands)
        {
            words.AddRange(command.Words);
        }

        return words;
    }
}

/// <summary>One simple command of a RUN script: its words and the operator that follows it.</summary>
internal sealed record ShellCommand(IReadOnlyList<string> Words, string FollowedBy)
{
    private static readonly HashSet<string> s_prefixes = new(StringComparer.Ordinal) { "sudo", "env", "command", "exec", "time", "nice", "nohup", "xargs" };

    /// <summary>The program name (basename), after <c>VAR=x</c> assignments and wrappers such as sudo and env.</summary>
    public string Name => NameIndex < Words.Count ? BaseName(Words[NameIndex]) : string.Empty;

    private IReadOnlyList<string>? _arguments;
    private int _nameIndex = -1;

    /// <summary>The words after the program name.</summary>
    public IReadOnlyList<string> Arguments => _arguments ??= NameIndex + 1 < Words.Count ? Words.Skip(NameIndex + 1).ToList() : [];

    /// <summary>The program name as written, before wrappers are skipped (sudo stays sudo).</summary>
    public string RawName
    {
        get
        {
            foreach (var word in Words)
            {
                if (!IsAssignment(word))
                {
                    return BaseName(word);
                }
            }

            return string.Empty;
        }
    }

    private int NameIndex => _nameIndex >= 0 ? _nameIndex : _nameIndex = FindNameIndex();

    private int FindNameIndex()
    {
        var i = 0;
        while (i < Words.Count)
        {
            var word = Words[i];
            if (IsAssignment(word))
            {
                i++;
                continue;
            }

            if (s_prefixes.Contains(BaseName(word)))
            {
                i++;
                while (i < Words.Count && (Words[i].StartsWith('-') || IsAssignment(Words[i])))
                {
                    i++;
                }

                continue;
            }

            break;
        }

        return i;
    }

    /// <summary>The first argument that is not an option: the sub-command of apt-get, apk, pip, npm...</summary>
    public string? SubCommand(params string[] optionsWithValue)
    {
        var args = Arguments;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith('-'))
            {
                if (optionsWithValue.Contains(arg) && !arg.Contains('=', StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            return arg;
        }

        return null;
    }

    public bool Is(string name, string subCommand, params string[] optionsWithValue) =>
        Name == name && string.Equals(SubCommand(optionsWithValue), subCommand, StringComparison.Ordinal);

    public bool HasOption(params string[] options) => Arguments.Any(a => options.Contains(a, StringComparer.Ordinal));

    private static bool IsAssignment(string word)
    {
        var eq = word.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return false;
        }

        for (var i = 0; i < eq; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(word[i]) || word[i] == '_'))
            {
                return false;
            }
        }

        return !char.IsAsciiDigit(word[0]);
    }

    private static string BaseName(string word)
    {
        var slash = word.LastIndexOf('/');
        return slash < 0 ? word : word[(slash + 1)..];
    }
}

/// <summary>
/// A shell script cut into simple commands at <c>&amp;&amp;</c>, <c>||</c>, <c>|</c>, <c>;</c>, <c>&amp;</c>
/// and newlines, respecting quotes, escapes and comments. Enough to reason about RUN instructions.
/// </summary>
internal sealed class ShellScript
{
    private ShellScript(List<ShellCommand> commands) => Commands = commands;

    public IReadOnlyList<ShellCommand> Commands { get; }

    /// <summary>True when a command's output is piped into another (<c>a | b</c>, not <c>a || b</c>).</summary>
    public bool HasPipe => Commands.Any(c => c.FollowedBy == "|");

    public static ShellScript Parse(string text)
    {
        var commands = new List<ShellCommand>();
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var i = 0;

        void EndWord()
        {
            if (inWord)
            {
                words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
        }

        void EndCommand(string op)
        {
            EndWord();
            if (words.Count > 0)
            {
                commands.Add(new ShellCommand([.. words], op));
                words.Clear();
            }
            else if (op == "|" && commands.Count > 0)
            {
                commands[^1] = commands[^1] with { FollowedBy = op };
            }
        }

        while (i < text.Length)
        {
            var c = text[i];
            switch (c)
            {
                case '\'':
                {
                    var close = text.IndexOf('\'', i + 1);
                    close = close < 0 ? text.Length : close;
                    word.Append(text, i + 1, close - i - 1);
                    inWord = true;
                    i = close + 1;
                    continue;
                }

                case '"':
                {
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }

                        word.Append(text[i]);
                        i++;
                    }

                    inWord = true;
                    i++;
                    continue;
                }

                case '\\':
                    if (i + 1 < text.Length)
                    {
                        if (text[i + 1] != '\n')
                        {
                            word.Append(text[i + 1]);
                            inWord = true;
                        }

                        i += 2;
                        continue;
                    }

                    i++;
                    continue;

                case '#' when !inWord:
                {
                    var newline = text.IndexOf('\n', i);
                    i = newline < 0 ? text.Length : newline;
                    continue;
                }

                case ' ' or '\t' or '\r':
                    EndWord();
                    i++;
                    continue;

                case '\n':
                    EndCommand(";");
                    i++;
                    continue;

                case '&' when i > 0 && text[i - 1] is '>' or '<':
                    word.Append(c);
                    inWord = true;
                    i++;
                    continue;

                case '&' or '|':
                {
                    var doubled = i + 1 < text.Length && text[i + 1] == c;
                    EndCommand(doubled ? new string(c, 2) : c.ToString());
                    i += doubled ? 2 : 1;
                    continue;
                }

                case ';':
                case '(' or ')' or '{' or '}' when !inWord:
                    EndCommand(";");
                    i++;
                    continue;

                default:
                    word.Append(c);
                    inWord = true;
                    i++;
                    continue;
            }
        }

        EndCommand(string.Empty);
        return new ShellScript(commands);
    }
}
