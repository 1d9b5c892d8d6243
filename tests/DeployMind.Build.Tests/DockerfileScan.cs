using DeployMind.Security;
using DeployMind.Security.Dockerfiles;

namespace DeployMind.Build.Tests;

/// <summary>Runs the security scanner's own Dockerfile rules over generated text, so a Dockerfile the scanner would flag fails here first.</summary>
internal static class DockerfileScan
{
    private static readonly DockerfileScanner s_scanner = new();

    /// <summary>Every parse problem and every finding the generator does not produce on purpose, one line each.</summary>
    public static IReadOnlyList<string> Violations(string dockerfile)
    {
        var result = s_scanner.ScanText(dockerfile);
        return
        [
            .. result.Problems.Select(p => $"parse problem at line {p.Line}: {p.Message}"),
            .. result.Findings.Where(f => !Accepted(f, result.Document)).Select(f => $"{f.RuleId} ({f.Severity}) at line {f.Line}: {f.Title}"),
        ];
    }

    private static bool Accepted(SecurityFinding finding, DockerfileDocument document) => finding.RuleId switch
    {
        // The generator leaves HEALTHCHECK out only when the runtime image has no way to probe (distroless, a bare base), and says so in its notes.
        "DS-0026" => true,
        // Build-stage RUNs stay separate so a source change does not rerun the dependency install; the build stage is not shipped.
        "DL3059" => document.FinalStage is { } final && finding.Line < final.From.Line,
        // Distribution package versions are not pinned: mirrors drop old versions, which would break builds of unchanged code.
        "DL3008" => true,
        _ => false,
    };
}
