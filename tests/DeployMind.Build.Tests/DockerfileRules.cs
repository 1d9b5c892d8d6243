using System.Text.RegularExpressions;
using DeployMind.Build.Optimization;

namespace DeployMind.Build.Tests;

/// <summary>
/// The HIGH/CRITICAL Dockerfile rules of our security scanner (Trivy DS-xxxx and hadolint parity), applied to generated text,
/// so a generated Dockerfile that the scanner would reject fails here first.
/// </summary>
internal static partial class DockerfileRules
{
    public static IReadOnlyList<string> Violations(string dockerfile)
    {
        var document = DockerfileDocument.Parse(dockerfile);
        var problems = new List<string>();
        var stageNames = document.Stages.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var stage in document.Stages)
        {
            var (_, tag) = DockerfileAnalyzer.SplitImage(stage.Image);
            if (!stageNames.Contains(stage.Image) && (tag is null || tag == "latest" || stage.Image.Contains('{', StringComparison.Ordinal)))
            {
                problems.Add($"DS-0001 unpinned base {stage.Image}");
            }
        }

        var final = document.FinalStage!;
        var user = final.Instructions.LastOrDefault(i => i.Keyword == "USER");
        if (user is null || user.Arguments.Split(':')[0] is "root" or "0")
        {
            problems.Add("DS-0002 runs as root");
        }

        foreach (var instruction in document.Instructions)
        {
            var text = instruction.Script;
            switch (instruction.Keyword)
            {
                case "WORKDIR" when !instruction.Arguments.StartsWith('/'):
                    problems.Add($"DS-0009 relative WORKDIR {instruction.Arguments}");
                    break;
                case "WORKDIR" when instruction.Arguments is "/" or "/bin" or "/usr" or "/etc" or "/sbin" or "/lib" or "/proc" or "/sys" or "/boot" or "/dev":
                    problems.Add($"DS-0030 WORKDIR on a system directory {instruction.Arguments}");
                    break;
                case "MAINTAINER":
                    problems.Add("DS-0022 MAINTAINER");
                    break;
                case "EXPOSE" when instruction.Arguments.Split(' ').Any(p => !int.TryParse(p.Split('/')[0], out var port) || port is < 1 or > 65535 || port == 22):
                    problems.Add($"DS-0004/0008 bad EXPOSE {instruction.Arguments}");
                    break;
                case "COPY" when instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray() is { Length: > 2 } parts && !parts[^1].EndsWith('/'):
                    problems.Add($"DS-0011 COPY with several sources not ending with / : {instruction.Arguments}");
                    break;
                case "COPY" when FromFlag().Match(instruction.Arguments) is { Success: true } from &&
                                 document.Stages[instruction.Stage].Name is { } current && from.Groups[1].Value.Equals(current, StringComparison.OrdinalIgnoreCase):
                    problems.Add("DS-0006 COPY --from the current stage");
                    break;
                case "CMD" or "ENTRYPOINT" when instruction.ExecArguments is null:
                    problems.Add($"DL3025 {instruction.Keyword} not in exec form");
                    break;
                case "RUN":
                    if (RunCd().IsMatch(text))
                    {
                        problems.Add("DS-0013 RUN cd");
                    }

                    if (text.Contains("sudo ", StringComparison.Ordinal))
                    {
                        problems.Add("DS-0010 sudo");
                    }

                    if (AptInstall().IsMatch(text) && (!Regex.IsMatch(text, @"\s-y\b|--yes|--assume-yes") || !text.Contains("--no-install-recommends", StringComparison.Ordinal)
                                                      || !text.Contains("rm -rf /var/lib/apt/lists", StringComparison.Ordinal)))
                    {
                        problems.Add("DS-0021/DS-0029/DL3009 apt-get install without -y, --no-install-recommends or list cleanup");
                    }

                    if (text.Contains("apt-get update", StringComparison.Ordinal) && !AptInstall().IsMatch(text))
                    {
                        problems.Add("DS-0017 apt-get update alone");
                    }

                    if (text.Contains("dist-upgrade", StringComparison.Ordinal))
                    {
                        problems.Add("DS-0024 dist-upgrade");
                    }

                    if (Regex.IsMatch(text, @"\bapk\s+add\b") && !text.Contains("--no-cache", StringComparison.Ordinal))
                    {
                        problems.Add("DS-0025 apk add without --no-cache");
                    }

                    if (Regex.IsMatch(text, @"\bpip3?\s+install\b|-m\s+pip\s+install") && !text.Contains("--no-cache-dir", StringComparison.Ordinal))
                    {
                        problems.Add("DL3042 pip install without --no-cache-dir");
                    }

                    break;
            }
        }

        foreach (var stage in document.Stages)
        {
            if (stage.Instructions.Count(i => i.Keyword == "CMD") > 1)
            {
                problems.Add("DS-0016 multiple CMD");
            }

            if (stage.Instructions.Count(i => i.Keyword == "ENTRYPOINT") > 1)
            {
                problems.Add("DS-0007 multiple ENTRYPOINT");
            }

            if (stage.Instructions.Count(i => i.Keyword == "HEALTHCHECK") > 1)
            {
                problems.Add("DS-0023 multiple HEALTHCHECK");
            }
        }

        var aliases = document.Stages.Select(s => s.Name).OfType<string>().ToList();
        if (aliases.Count != aliases.Distinct(StringComparer.OrdinalIgnoreCase).Count())
        {
            problems.Add("DS-0012 duplicate stage aliases");
        }

        if (SecretEnv().IsMatch(dockerfile))
        {
            problems.Add("DS-0031 secret in ENV/ARG");
        }

        return problems;
    }

    [GeneratedRegex(@"(^|&&|;)\s*cd\s")]
    private static partial Regex RunCd();

    [GeneratedRegex(@"\bapt(-get)?\s+(-\S+\s+)*install\b")]
    private static partial Regex AptInstall();

    [GeneratedRegex(@"--from=(\S+)")]
    private static partial Regex FromFlag();

    [GeneratedRegex(@"(?im)^(ENV|ARG)\s+.*(PASSWORD|SECRET|TOKEN|API_KEY)\w*\s*=")]
    private static partial Regex SecretEnv();
}
