using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DeployMind.Build.Optimization;

/// <summary>One Dockerfile instruction with its continuation lines joined and its heredoc bodies attached.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line, int Stage)
{
    public string? Heredoc { get; init; }

    /// <summary>The arguments of a JSON (exec) form instruction, or null for shell form.</summary>
    public IReadOnlyList<string>? ExecArguments
    {
        get
        {
            var text = Arguments.Trim();
            if (!text.StartsWith('['))
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize<string[]>(text);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>Shell text the instruction runs: the arguments plus any heredoc body.</summary>
    public string Script => Heredoc is null ? Arguments : Arguments + "\n" + Heredoc;
}

/// <summary>One FROM and what follows it.</summary>
internal sealed record DockerStage(int Index, string Image, string? Name, int Line)
{
    public List<DockerInstruction> Instructions { get; } = [];
}

/// <summary>
/// A parsed Dockerfile: parser directives (escape), comments, line continuations, heredocs,
/// ARG substitution in FROM and named stages.
/// </summary>
internal sealed partial class DockerfileDocument
{
    private DockerfileDocument(List<DockerInstruction> instructions, List<DockerStage> stages)
    {
        Instructions = instructions;
        Stages = stages;
    }

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage? FinalStage => Stages.Count == 0 ? null : Stages[^1];

    public static DockerfileDocument Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var escape = '\\';
        var index = 0;

        // Parser directives: only at the very top, before any comment that is not a directive or any instruction.
        while (index < lines.Length && Directive().Match(lines[index]) is { Success: true } directive)
        {
            if (directive.Groups[1].Value.Equals("escape", StringComparison.OrdinalIgnoreCase) && directive.Groups[2].Value.Length == 1)
            {
                escape = directive.Groups[2].Value[0];
            }

            index++;
        }

        var instructions = new List<DockerInstruction>();
        var stages = new List<DockerStage>();
        var globalArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        while (index < lines.Length)
        {
            var line = lines[index];
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                index++;
                continue;
            }

            var startLine = index + 1;
            var logical = new StringBuilder();
            while (true)
            {
                var current = lines[index].Trim();
                index++;
                if (current.Length > 0 && current[^1] == escape)
                {
                    logical.Append(current.AsSpan(0, current.Length - 1).TrimEnd()).Append(' ');
                    while (index < lines.Length && lines[index].TrimStart() is { } next && (next.Length == 0 || next.StartsWith('#')))
                    {
                        index++;
                    }

                    if (index < lines.Length)
                    {
                        continue;
                    }
                }
                else
                {
                    logical.Append(current);
                }

                break;
            }

            var content = logical.ToString().Trim();
            var space = content.IndexOfAny([' ', '\t']);
            var keyword = (space < 0 ? content : content[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : content[(space + 1)..].Trim();

            string? heredoc = null;
            var heredocs = HeredocMarker().Matches(arguments);
            if (heredocs.Count > 0 && keyword is "RUN" or "COPY" or "ADD")
            {
                var body = new StringBuilder();
                foreach (Match marker in heredocs)
                {
                    var terminator = marker.Groups["word"].Value;
                    var stripTabs = marker.Groups["dash"].Success;
                    while (index < lines.Length)
                    {
                        var bodyLine = lines[index++];
                        if ((stripTabs ? bodyLine.TrimStart('\t') : bodyLine).TrimEnd() == terminator)
                        {
                            break;
                        }

                        body.AppendLine(bodyLine);
                    }
                }

                heredoc = body.ToString();
            }

            if (keyword == "FROM")
            {
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToArray();
                var image = parts.Length > 0 ? Substitute(parts[0], globalArgs) : "";
                var name = parts.Length >= 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null;
                stages.Add(new DockerStage(stages.Count, image, name, startLine));
            }
            else if (keyword == "ARG" && stages.Count == 0)
            {
                var equals = arguments.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    globalArgs[arguments[..equals].Trim()] = arguments[(equals + 1)..].Trim().Trim('"');
                }
            }

            var instruction = new DockerInstruction(keyword, arguments, startLine, stages.Count - 1) { Heredoc = heredoc };
            instructions.Add(instruction);
            if (stages.Count > 0 && keyword != "FROM")
            {
                stages[^1].Instructions.Add(instruction);
            }
        }

        return new DockerfileDocument(instructions, stages);
    }

    private static string Substitute(string value, Dictionary<string, string> args) =>
        ArgReference().Replace(value, m =>
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value;
            if (args.TryGetValue(name, out var found) && found.Length > 0)
            {
                return found;
            }

            return m.Groups["default"].Success ? m.Groups["default"].Value : m.Value;
        });

    [GeneratedRegex(@"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")]
    private static partial Regex Directive();

    [GeneratedRegex(@"<<(?<dash>-)?[""']?(?<word>[A-Za-z_][A-Za-z0-9_]*)[""']?")]
    private static partial Regex HeredocMarker();

    [GeneratedRegex(@"\$(?:\{(?<braced>\w+)(?::-(?<default>[^}]*))?\}|(?<plain>\w+))")]
    private static partial Regex ArgReference();
}
