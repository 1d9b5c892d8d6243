using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DeployMind.Security.Dockerfiles;

/// <summary>
/// Parses Dockerfile text the way BuildKit reads it: parser directives, line continuations with the
/// configured escape character, comments inside continuations, heredocs, flags, JSON and shell forms,
/// build stages and ARG substitution in FROM. Errors are collected with their line, never thrown.
/// </summary>
public static partial class DockerfileParser
{
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
        "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    };

    private static readonly HashSet<string> s_flagKeywords = new(StringComparer.Ordinal) { "FROM", "RUN", "COPY", "ADD", "HEALTHCHECK" };

    private static readonly HashSet<string> s_jsonKeywords = new(StringComparer.Ordinal) { "RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME" };

    private static readonly HashSet<string> s_heredocKeywords = new(StringComparer.Ordinal) { "RUN", "COPY", "ADD" };

    private static readonly HashSet<string> s_knownDirectives = new(StringComparer.OrdinalIgnoreCase) { "escape", "syntax", "check" };

    [GeneratedRegex(@"^#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(.*?)[ \t]*$")]
    private static partial Regex DirectiveRegex();

    [GeneratedRegex(@"(?<!<)<<(-?)([""']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")]
    private static partial Regex HeredocMarkerRegex();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.-]*$")]
    private static partial Regex StageNameRegex();

    public static DockerfileDocument Parse(string text) => Parse(text, buildArgs: null);

    /// <param name="text">The Dockerfile content.</param>
    /// <param name="buildArgs">Values given with <c>--build-arg</c>; they override ARG defaults.</param>
    public static DockerfileDocument Parse(string text, IReadOnlyDictionary<string, string>? buildArgs)
    {
        var lines = SplitLines(text);
        var problems = new List<DockerfileParseProblem>();
        var directives = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var escape = '\\';
        var index = ReadDirectives(lines, directives, problems, ref escape);

        var raw = new List<DockerInstruction>();
        while (index < lines.Count)
        {
            var line = lines[index];
            if (IsBlank(line) || IsComment(line))
            {
                index++;
                continue;
            }

            var startLine = index + 1;
            var logical = new StringBuilder();
            var continues = AppendPhysicalLine(logical, line, escape);
            index++;
            while (continues && index < lines.Count)
            {
                var next = lines[index];
                index++;
                if (IsComment(next) || IsBlank(next))
                {
                    continue;
                }

                logical.Append(' ');
                continues = AppendPhysicalLine(logical, next, escape);
            }

            var endLine = index;
            var instruction = ParseInstruction(logical.ToString().Trim(), startLine, ref endLine, lines, ref index, problems);
            if (instruction is not null)
            {
                raw.Add(instruction);
            }
        }

        return Assemble(raw, directives, escape, buildArgs, problems);
    }

    /// <summary>Splits <c>KEY=value KEY2="a b"</c> (or the legacy <c>KEY value</c>) into pairs; quotes are removed.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ParseKeyValues(string command, bool allowLegacyForm = true)
    {
        var words = ShellWords.Split(command);
        var pairs = new List<KeyValuePair<string, string?>>();
        if (words.Count == 0)
        {
            return pairs;
        }

        if (allowLegacyForm && !words[0].Contains('=', StringComparison.Ordinal))
        {
            // ENV KEY value with spaces: everything after the first word is the value.
            var key = words[0];
            var value = words.Count > 1 ? string.Join(' ', words.Skip(1)) : null;
            pairs.Add(new(key, value));
            return pairs;
        }

        foreach (var word in words)
        {
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(eq < 0 ? new(word, null) : new(word[..eq], word[(eq + 1)..]));
        }

        return pairs;
    }

    /// <summary>Expands <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c> and <c>${VAR:+alt}</c>; unknown variables are left as written.</summary>
    public static string Substitute(string value, IReadOnlyDictionary<string, string?> variables, char escape = '\\')
    {
        if (!value.Contains('$', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c == escape && i + 1 < value.Length && value[i + 1] == '$')
            {
                result.Append('$');
                i += 2;
                continue;
            }

            if (c != '$' || i + 1 >= value.Length)
            {
                result.Append(c);
                i++;
                continue;
            }

            if (value[i + 1] == '{')
            {
                var close = value.IndexOf('}', i + 2);
                if (close < 0)
                {
                    result.Append(value, i, value.Length - i);
                    break;
                }

                var body = value.AsSpan(i + 2, close - i - 2);
                result.Append(ExpandBraced(body, variables, value.AsSpan(i, close - i + 1)));
                i = close + 1;
                continue;
            }

            var end = i + 1;
            while (end < value.Length && (char.IsAsciiLetterOrDigit(value[end]) || value[end] == '_'))
            {
                end++;
            }

            if (end == i + 1)
            {
                result.Append(c);
                i++;
                continue;
            }

            var name = value[(i + 1)..end];
            if (variables.TryGetValue(name, out var known) && known is not null)
            {
                result.Append(known);
            }
            else
            {
                result.Append(value, i, end - i);
            }

            i = end;
        }

        return result.ToString();
    }

    private static string ExpandBraced(ReadOnlySpan<char> body, IReadOnlyDictionary<string, string?> variables, ReadOnlySpan<char> original)
    {
        var opIndex = body.IndexOfAny(":-+");
        var name = (opIndex < 0 ? body : body[..opIndex]).ToString();
        variables.TryGetValue(name, out var known);
        if (opIndex < 0)
        {
            return known ?? original.ToString();
        }

        var op = body[opIndex..];
        var colon = op.StartsWith(":");
        if (colon)
        {
            op = op[1..];
        }

        if (op.IsEmpty)
        {
            return known ?? original.ToString();
        }

        var word = op[1..].ToString();
        var isSet = known is not null && (!colon || known.Length > 0);
        return op[0] switch
        {
            '-' => isSet ? known! : word,
            '+' => isSet ? word : string.Empty,
            _ => original.ToString(),
        };
    }

    private static int ReadDirectives(List<string> lines, Dictionary<string, string> directives, List<DockerfileParseProblem> problems, ref char escape)
    {
        var index = 0;
        while (index < lines.Count)
        {
            var match = DirectiveRegex().Match(lines[index]);
            if (!match.Success || !s_knownDirectives.Contains(match.Groups[1].Value))
            {
                break;
            }

            var key = match.Groups[1].Value.ToLowerInvariant();
            var value = match.Groups[2].Value;
            if (!directives.TryAdd(key, value))
            {
                problems.Add(new(index + 1, $"parser directive '{key}' is given more than once"));
            }
            else if (key == "escape")
            {
                if (value is "\\" or "`")
                {
                    escape = value[0];
                }
                else
                {
                    problems.Add(new(index + 1, $"invalid escape directive '{value}': use '\\' or '`'"));
                }
            }

            index++;
        }

        return index;
    }

    private static DockerInstruction? ParseInstruction(
        string logical, int startLine, ref int endLine, List<string> lines, ref int index, List<DockerfileParseProblem> problems)
    {
        var split = logical.AsSpan().IndexOfAny(' ', '\t');
        var keyword = (split < 0 ? logical : logical[..split]).ToUpperInvariant();
        var arguments = split < 0 ? string.Empty : logical[(split + 1)..].Trim();
        if (!s_keywords.Contains(keyword))
        {
            problems.Add(new(startLine, $"unknown instruction '{Truncate(keyword)}'"));
            return null;
        }

        var heredocs = s_heredocKeywords.Contains(keyword)
            ? ReadHeredocs(arguments, startLine, lines, ref index, problems)
            : [];
        if (heredocs.Count > 0)
        {
            endLine = heredocs[^1].EndLine;
        }

        var flags = new List<DockerFlag>();
        var command = s_flagKeywords.Contains(keyword) ? StripFlags(arguments, flags) : arguments;
        IReadOnlyList<string>? json = null;
        if (s_jsonKeywords.Contains(keyword) && command.StartsWith('['))
        {
            json = TryParseJsonArray(command);
        }

        if (keyword == "SHELL" && json is null)
        {
            problems.Add(new(startLine, "SHELL requires the JSON form, e.g. SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]"));
        }

        if (arguments.Length == 0 && keyword is not ("CMD" or "ENTRYPOINT"))
        {
            problems.Add(new(startLine, $"{keyword} requires at least one argument"));
            return null;
        }

        return new DockerInstruction
        {
            Keyword = keyword,
            Arguments = arguments,
            Command = command,
            Line = startLine,
            EndLine = endLine,
            Flags = flags,
            IsJsonForm = json is not null,
            JsonArguments = json,
            Heredocs = heredocs,
        };
    }

    private static List<DockerHeredoc> ReadHeredocs(string arguments, int startLine, List<string> lines, ref int index, List<DockerfileParseProblem> problems)
    {
        var heredocs = new List<DockerHeredoc>();
        if (!arguments.Contains("<<", StringComparison.Ordinal))
        {
            return heredocs;
        }

        foreach (Match marker in HeredocMarkerRegex().Matches(arguments))
        {
            var stripTabs = marker.Groups[1].Value == "-";
            var quoted = marker.Groups[2].Value.Length > 0;
            var name = marker.Groups[3].Value;
            var bodyStart = index + 1;
            var content = new StringBuilder();
            var terminated = false;
            while (index < lines.Count)
            {
                var line = lines[index];
                index++;
                var candidate = stripTabs ? line.TrimStart('\t') : line;
                if (candidate == name)
                {
                    terminated = true;
                    break;
                }

                content.Append(candidate).Append('\n');
            }

            if (!terminated)
            {
                problems.Add(new(startLine, $"heredoc <<{name} is not terminated: expected a line '{name}' before the end of the file"));
                break;
            }

            heredocs.Add(new DockerHeredoc(name, content.ToString(), stripTabs, quoted, bodyStart, index));
        }

        return heredocs;
    }

    private static string StripFlags(string arguments, List<DockerFlag> flags)
    {
        var rest = arguments.AsSpan();
        while (rest.StartsWith("--") && rest.Length > 2 && rest[2] != ' ')
        {
            var end = rest.IndexOfAny(' ', '\t');
            var token = end < 0 ? rest[2..] : rest[2..end];
            var eq = token.IndexOf('=');
            flags.Add(eq < 0
                ? new DockerFlag(token.ToString(), null)
                : new DockerFlag(token[..eq].ToString(), token[(eq + 1)..].ToString()));
            rest = end < 0 ? [] : rest[end..].TrimStart();
        }

        return rest.ToString();
    }

    private static string[]? TryParseJsonArray(string command)
    {
        try
        {
            using var document = JsonDocument.Parse(command);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var items = new List<string>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                items.Add(element.GetString()!);
            }

            return [.. items];
        }
        catch (JsonException)
        {
            // Docker runs a command that merely starts with '[' in shell form.
            return null;
        }
    }

    private static DockerfileDocument Assemble(
        List<DockerInstruction> raw, Dictionary<string, string> directives, char escape,
        IReadOnlyDictionary<string, string>? buildArgs, List<DockerfileParseProblem> problems)
    {
        var globalArgs = new Dictionary<string, string?>(StringComparer.Ordinal);
        var instructions = new List<DockerInstruction>(raw.Count);
        var stages = new List<DockerStage>();
        var stagesByName = new Dictionary<string, DockerStage>(StringComparer.OrdinalIgnoreCase);
        List<DockerInstruction>? current = null;
        DockerInstruction? currentFrom = null;
        (string Raw, string Image, string? Name, string? Platform, DockerStage? Base)? pending = null;

        void CloseStage()
        {
            if (pending is { } p && currentFrom is not null && current is not null)
            {
                var stage = new DockerStage
                {
                    Index = stages.Count,
                    RawBaseImage = p.Raw,
                    BaseImage = p.Image,
                    Name = p.Name,
                    Platform = p.Platform,
                    From = currentFrom,
                    Instructions = current,
                    BaseStage = p.Base,
                };
                stages.Add(stage);
                if (stage.Name is not null)
                {
                    stagesByName.TryAdd(stage.Name, stage);
                }
            }
        }

        foreach (var item in raw)
        {
            if (item.Keyword == "FROM")
            {
                CloseStage();
                var words = ShellWords.Split(item.Command);
                string? name = null;
                if (words.Count == 3 && string.Equals(words[1], "AS", StringComparison.OrdinalIgnoreCase))
                {
                    name = words[2];
                    if (!StageNameRegex().IsMatch(name))
                    {
                        problems.Add(new(item.Line, $"invalid stage name '{Truncate(name)}': use letters, digits, '_', '.' and '-', starting with a letter"));
                    }
                }
                else if (words.Count != 1)
                {
                    problems.Add(new(item.Line, "FROM expects 'image[:tag] [AS name]'"));
                }

                var rawImage = words.Count > 0 ? words[0] : string.Empty;
                var image = Substitute(rawImage, globalArgs, escape);
                var baseStage = stagesByName.GetValueOrDefault(image);
                var stageIndex = stages.Count;
                var from = WithStage(item, stageIndex);
                current = [from];
                currentFrom = from;
                instructions.Add(from);
                pending = (rawImage, image, name, from.GetFlag("platform"), baseStage);
                continue;
            }

            if (current is null)
            {
                if (item.Keyword == "ARG")
                {
                    foreach (var (key, value) in ParseKeyValues(item.Command, allowLegacyForm: false))
                    {
                        globalArgs[key] = buildArgs is not null && buildArgs.TryGetValue(key, out var overridden) ? overridden : value;
                    }

                    instructions.Add(item);
                }
                else
                {
                    problems.Add(new(item.Line, $"{item.Keyword} before the first FROM: only ARG may come before FROM"));
                    instructions.Add(item);
                }

                continue;
            }

            var staged = WithStage(item, stages.Count);
            current.Add(staged);
            instructions.Add(staged);
        }

        CloseStage();
        if (raw.Count == 0)
        {
            problems.Add(new(1, "the Dockerfile has no instructions"));
        }
        else if (stages.Count == 0)
        {
            problems.Add(new(raw[0].Line, "the Dockerfile has no FROM instruction"));
        }

        return new DockerfileDocument
        {
            Instructions = instructions,
            Stages = stages,
            Directives = directives,
            Problems = problems,
            EscapeCharacter = escape,
            GlobalArgs = globalArgs,
        };
    }

    private static DockerInstruction WithStage(DockerInstruction item, int stageIndex) => new()
    {
        Keyword = item.Keyword,
        Arguments = item.Arguments,
        Command = item.Command,
        Line = item.Line,
        EndLine = item.EndLine,
        Flags = item.Flags,
        IsJsonForm = item.IsJsonForm,
        JsonArguments = item.JsonArguments,
        Heredocs = item.Heredocs,
        StageIndex = stageIndex,
    };

    /// <summary>Appends a physical line; returns true when it ends with the escape character (the instruction continues).</summary>
    private static bool AppendPhysicalLine(StringBuilder logical, string line, char escape)
    {
        var trimmed = line.AsSpan().TrimEnd();
        if (trimmed.Length > 0 && trimmed[^1] == escape)
        {
            logical.Append(trimmed[..^1]);
            return true;
        }

        logical.Append(line);
        return false;
    }

    private static bool IsBlank(string line) => line.AsSpan().Trim().IsEmpty;

    private static bool IsComment(string line) => line.AsSpan().TrimStart().StartsWith("#");

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var span = text.AsSpan();
        if (span.Length > 0 && span[0] == '\uFEFF')
        {
            span = span[1..];
        }

        while (true)
        {
            var newline = span.IndexOf('\n');
            var line = newline < 0 ? span : span[..newline];
            if (line.EndsWith("\r"))
            {
                line = line[..^1];
            }

            if (newline >= 0 || line.Length > 0)
            {
                lines.Add(line.ToString());
            }

            if (newline < 0)
            {
                break;
            }

            span = span[(newline + 1)..];
        }

        return lines;
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
