using System.Text;
using DeployMind.Domain;

namespace DeployMind.Persistence.RuntimeConfig;

/// <summary>One NAME=VALUE of a .env file and the line it starts on.</summary>
public sealed record EnvFileEntry(int Line, string Name, string Value);

/// <summary>One problem in a .env file: its 1-based line and what is wrong there.</summary>
public sealed record EnvFileError(int Line, string Message)
{
    public override string ToString() => $"line {Line}: {Message}";
}

/// <summary>A .env file with problems; every bad line is listed, and nothing was imported.</summary>
public sealed class EnvFileException(string source, IReadOnlyList<EnvFileError> errors)
    : InvalidInputException("file", $"{source} has {errors.Count} problem(s):" + string.Concat(errors.Select(e => $"\n  {source}:{e.Line}: {e.Message}")))
{
    public string File { get; } = source;

    public IReadOnlyList<EnvFileError> Errors { get; } = errors;
}

/// <summary>The result of parsing a .env file: the entries when there are no errors, and all errors otherwise.</summary>
public sealed record EnvFileParseResult(IReadOnlyList<EnvFileEntry> Entries, IReadOnlyList<EnvFileError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>The entries, or an <see cref="EnvFileException"/> listing every bad line.</summary>
    public IReadOnlyList<EnvFileEntry> EntriesOrThrow(string source = ".env") =>
        IsValid ? Entries : throw new EnvFileException(source, Errors);
}

/// <summary>
/// Parses .env files: <c>NAME=VALUE</c> lines, an optional <c>export </c> prefix, <c>#</c> comments
/// (whole lines, or after whitespace following an unquoted value), blank lines, double quotes (with
/// \n \r \t \" \\ \$ escapes, may span lines) and single quotes (literal, may span lines). Values are not
/// expanded (<c>${OTHER}</c> stays as written). A name defined twice is an error.
/// </summary>
public static class EnvFile
{
    public const int MaxValueLength = AppVariableStore.MaxValueLength;

    public static EnvFileParseResult Parse(string text)
    {
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var entries = new List<EnvFileEntry>();
        var errors = new List<EnvFileError>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            if (trimmed.StartsWith("export", StringComparison.Ordinal) && trimmed.Length > 6 && trimmed[6] is ' ' or '\t')
            {
                trimmed = trimmed[6..].TrimStart();
            }

            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                errors.Add(new(lineNumber, "expected NAME=VALUE but there is no '=' on this line (multi-line values must be quoted)"));
                continue;
            }

            var name = trimmed[..equals].Trim();
            var rest = trimmed[(equals + 1)..];
            string? nameProblem = name.Length == 0
                ? "the name before '=' is empty"
                : !AppVariableNames.IsValidName(name)
                    ? $"the name before '=' is not a valid variable name ({DescribeBadName(name)}); use {AppVariableNames.NameForm}"
                    : null;

            var (value, endIndex, problem) = ReadValue(rest.TrimStart(' ', '\t'), lines, i);
            if (nameProblem is not null)
            {
                errors.Add(new(lineNumber, nameProblem));
            }
            else if (problem is not null)
            {
                errors.Add(new(lineNumber, $"{name}: {problem}"));
            }
            else if (seen.TryGetValue(name, out var first))
            {
                errors.Add(new(lineNumber, $"{name} is already set on line {first}; remove one of them"));
            }
            else if (value!.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(new(lineNumber, $"{name}: the value contains a NUL character, which an environment variable cannot hold"));
            }
            else if (value.Length > MaxValueLength)
            {
                errors.Add(new(lineNumber, $"{name}: the value is {value.Length} characters; the limit is {MaxValueLength}"));
            }
            else
            {
                seen[name] = lineNumber;
                entries.Add(new(lineNumber, name, value));
            }

            i = endIndex;
        }

        return new EnvFileParseResult(errors.Count == 0 ? entries : [], errors);
    }

    /// <summary>Reads a value starting on line <paramref name="index"/>; returns the last line index it used.</summary>
    private static (string? Value, int EndIndex, string? Problem) ReadValue(string rest, string[] lines, int index)
    {
        if (rest.Length == 0)
        {
            return ("", index, null);
        }

        var quote = rest[0];
        if (quote is not ('"' or '\''))
        {
            // Unquoted: up to an inline comment (whitespace then #), trailing whitespace dropped.
            var end = rest.Length;
            for (var k = 1; k < rest.Length; k++)
            {
                if (rest[k] == '#' && rest[k - 1] is ' ' or '\t')
                {
                    end = k;
                    break;
                }
            }

            return (rest[..end].TrimEnd(' ', '\t'), index, null);
        }

        var builder = new StringBuilder();
        var text = rest[1..];
        var line = index;
        while (true)
        {
            for (var k = 0; k < text.Length; k++)
            {
                var c = text[k];
                if (c == quote)
                {
                    var after = text[(k + 1)..].TrimStart(' ', '\t');
                    return after.Length == 0 || after[0] == '#'
                        ? (builder.ToString(), line, null)
                        : (null, line, "unexpected text after the closing quote (only a # comment may follow it)");
                }

                if (quote == '"' && c == '\\' && k + 1 < text.Length)
                {
                    var next = text[++k];
                    switch (next)
                    {
                        case 'n': builder.Append('\n'); break;
                        case 'r': builder.Append('\r'); break;
                        case 't': builder.Append('\t'); break;
                        case '"' or '\\' or '$': builder.Append(next); break;
                        default: builder.Append('\\').Append(next); break;
                    }

                    continue;
                }

                builder.Append(c);
            }

            if (++line >= lines.Length)
            {
                return (null, index, $"the {(quote == '"' ? "double" : "single")} quote opened here is never closed");
            }

            builder.Append('\n');
            text = lines[line].TrimEnd('\r');
        }
    }

    /// <summary>Says what is wrong with a name without echoing it: the line may be part of a secret.</summary>
    private static string DescribeBadName(string name)
    {
        if (name.Length > AppVariableNames.MaxNameLength)
        {
            return $"longer than {AppVariableNames.MaxNameLength} characters";
        }

        if (char.IsAsciiDigit(name[0]))
        {
            return "it starts with a digit";
        }

        var bad = name.First(c => !(char.IsAsciiLetterOrDigit(c) || c == '_'));
        return bad switch
        {
            ' ' or '\t' => "it contains whitespace",
            _ when char.IsControl(bad) || bad > '~' => $"it contains the character U+{(int)bad:X4}",
            _ => $"it contains '{bad}'",
        };
    }
}
