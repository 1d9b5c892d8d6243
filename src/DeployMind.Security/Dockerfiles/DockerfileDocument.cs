namespace DeployMind.Security.Dockerfiles;

/// <summary>A parsed Dockerfile: its instructions in order, grouped into build stages.</summary>
public sealed class DockerfileDocument
{
    public required IReadOnlyList<DockerInstruction> Instructions { get; init; }

    public required IReadOnlyList<DockerStage> Stages { get; init; }

    /// <summary>Parser directives from the top of the file (escape, syntax, check), keys lowercase.</summary>
    public required IReadOnlyDictionary<string, string> Directives { get; init; }

    /// <summary>Errors that make the file unbuildable; a document with problems is not checked by rules.</summary>
    public required IReadOnlyList<DockerfileParseProblem> Problems { get; init; }

    /// <summary>The character that continues a line: a backslash unless <c># escape=`</c> says otherwise.</summary>
    public char EscapeCharacter { get; init; } = '\\';

    /// <summary>ARG instructions before the first FROM, with their defaults (after build-arg overrides).</summary>
    public IReadOnlyDictionary<string, string?> GlobalArgs { get; init; } = new Dictionary<string, string?>();

    public DockerStage? FinalStage => Stages.Count == 0 ? null : Stages[^1];

    /// <summary>The stage whose name is <paramref name="name"/> (case-insensitive) and that starts before <paramref name="beforeIndex"/>.</summary>
    public DockerStage? FindStage(string name, int beforeIndex = int.MaxValue)
    {
        foreach (var stage in Stages)
        {
            if (stage.Index >= beforeIndex)
            {
                break;
            }

            if (stage.Name is not null && string.Equals(stage.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return stage;
            }
        }

        return null;
    }
}

/// <summary>One instruction, after joining continuation lines and dropping comments inside them.</summary>
public sealed class DockerInstruction
{
    /// <summary>Upper-case instruction name: FROM, RUN, COPY, ...</summary>
    public required string Keyword { get; init; }

    /// <summary>Everything after the keyword, flags included, continuations joined with a space.</summary>
    public required string Arguments { get; init; }

    /// <summary>The arguments with the leading <c>--flag[=value]</c> options removed.</summary>
    public required string Command { get; init; }

    /// <summary>1-based line of the keyword.</summary>
    public required int Line { get; init; }

    /// <summary>1-based last line, including continuation lines and heredoc bodies.</summary>
    public required int EndLine { get; init; }

    public IReadOnlyList<DockerFlag> Flags { get; init; } = [];

    /// <summary>True for exec form: <c>CMD ["app", "--port", "80"]</c>.</summary>
    public bool IsJsonForm { get; init; }

    public IReadOnlyList<string>? JsonArguments { get; init; }

    public IReadOnlyList<DockerHeredoc> Heredocs { get; init; } = [];

    /// <summary>Index of the stage this instruction belongs to; -1 for ARGs before the first FROM.</summary>
    public int StageIndex { get; init; } = -1;

    private ShellScript? _script;

    /// <summary>The RUN script cut into commands, parsed once and shared by every rule (a benign race at worst parses twice).</summary>
    internal ShellScript Script => _script ??= ShellScript.Parse(DockerfileRules.ScriptText(this));

    /// <summary>The value of the first flag named <paramref name="name"/> (without dashes), or null.</summary>
    public string? GetFlag(string name)
    {
        foreach (var flag in Flags)
        {
            if (string.Equals(flag.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return flag.Value ?? string.Empty;
            }
        }

        return null;
    }

    public override string ToString() => $"{Line}: {Keyword} {Arguments}";
}

/// <summary>A <c>--name=value</c> option of an instruction; Value is null for a bare <c>--link</c>.</summary>
public sealed record DockerFlag(string Name, string? Value);

/// <summary>A here-document attached to an instruction (<c>RUN &lt;&lt;EOF ... EOF</c>).</summary>
public sealed record DockerHeredoc(string Name, string Content, bool StripLeadingTabs, bool Quoted, int Line, int EndLine);

/// <summary>A build stage: one FROM and the instructions up to the next FROM.</summary>
public sealed class DockerStage
{
    public required int Index { get; init; }

    /// <summary>The base image with ARG defaults substituted.</summary>
    public required string BaseImage { get; init; }

    /// <summary>The base image as written.</summary>
    public required string RawBaseImage { get; init; }

    /// <summary>The name given with <c>AS name</c>, or null.</summary>
    public string? Name { get; init; }

    public string? Platform { get; init; }

    public required DockerInstruction From { get; init; }

    public required IReadOnlyList<DockerInstruction> Instructions { get; init; }

    /// <summary>The earlier stage this one builds on (<c>FROM build</c>), or null for an image.</summary>
    public DockerStage? BaseStage { get; init; }
}

/// <summary>Why a Dockerfile could not be parsed, and where.</summary>
public sealed record DockerfileParseProblem(int Line, string Message);
