using DeployMind.Domain;

namespace DeployMind.Security.Dockerfiles;

/// <summary>One Dockerfile check (a Trivy DS-xxxx or hadolint DLxxxx rule): what it looks for, why, and the fix.</summary>
public sealed class DockerfileRule
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>Why the misconfiguration matters.</summary>
    public required string Description { get; init; }

    /// <summary>The change that resolves it.</summary>
    public required string Fix { get; init; }

    /// <summary>Finds every place the rule is broken in a parsed document.</summary>
    public required Func<DockerfileDocument, IEnumerable<DockerfileRuleHit>> Check { get; init; }

    public IEnumerable<SecurityFinding> Evaluate(DockerfileDocument document, string filePath)
    {
        foreach (var hit in Check(document))
        {
            yield return new SecurityFinding
            {
                ScanType = ScanType.Dockerfile,
                RuleId = Id,
                Title = Title,
                Severity = Severity,
                Description = hit.Detail is null ? Description : $"{hit.Detail}. {Description}",
                Fix = Fix,
                FilePath = filePath,
                Line = hit.Line,
                EndLine = hit.EndLine,
            };
        }
    }

    public override string ToString() => $"{Id} {Title} ({Severity.ToWire()})";
}

/// <summary>Where a rule is broken, with a short explanation naming the offending value.</summary>
public sealed record DockerfileRuleHit(int Line, int EndLine, string? Detail)
{
    public static DockerfileRuleHit At(DockerInstruction instruction, string? detail = null) =>
        new(instruction.Line, instruction.EndLine, detail);
}
