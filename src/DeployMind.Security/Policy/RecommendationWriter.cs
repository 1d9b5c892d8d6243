using System.Globalization;
using DeployMind.Domain;
using DeployMind.Security.Dockerfiles;

namespace DeployMind.Security.Policy;

/// <summary>
/// Concrete next steps per finding group: the upgrade command of a vulnerable package, the Dockerfile change at
/// its line, the removal and rotation of a secret. Most severe first.
/// </summary>
public static class RecommendationWriter
{
    public const string IgnoreFileName = ".deploymindignore";

    /// <summary>One line per group of findings, most severe first.</summary>
    public static IReadOnlyList<string> For(IEnumerable<SecurityFinding> findings)
    {
        var lines = new List<(Severity Severity, string Key, string Text)>();
        var all = findings.ToList();

        foreach (var group in all.Where(f => f.ScanType == ScanType.Dependencies)
                     .GroupBy(f => (f.Package, f.InstalledVersion, f.FilePath)))
        {
            var worst = group.Max(f => f.Severity);
            var ids = string.Join(", ", group.Select(f => f.RuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            var package = group.Key.Package ?? group.First().RuleId;
            var where = group.Key.FilePath is null ? "" : $" ({group.Key.FilePath})";
            var withFix = group.Where(f => !string.IsNullOrWhiteSpace(f.FixedVersion)).ToList();
            string action;
            if (withFix.Count == 0)
            {
                action = $"no fixed version of {package} is published; replace it or record a time-limited exception";
            }
            else
            {
                // The finding of the worst severity with a fix decides the command: it closes the advisory that matters most.
                var best = withFix.OrderByDescending(f => f.Severity).ThenBy(f => f.RuleId, StringComparer.Ordinal).First();
                action = !string.IsNullOrWhiteSpace(best.Fix) ? best.Fix! : $"upgrade {package} to {best.FixedVersion}";
            }

            var installed = group.Key.InstalledVersion is null ? "" : $" {group.Key.InstalledVersion}";
            lines.Add((worst, $"1|{package}", $"{package}{installed}{where} [{ids}]: {action}"));
        }

        foreach (var finding in all.Where(f => f.ScanType == ScanType.Dockerfile))
        {
            var fix = finding.Fix ?? DockerfileRules.All.FirstOrDefault(r => r.Id == finding.RuleId)?.Fix ?? finding.Title;
            var at = finding.Line is { } line
                ? string.Create(CultureInfo.InvariantCulture, $"{finding.FilePath ?? "Dockerfile"} line {line}")
                : finding.FilePath ?? "Dockerfile";
            lines.Add((finding.Severity, string.Create(CultureInfo.InvariantCulture, $"2|{finding.FilePath}|{finding.Line:D9}|{finding.RuleId}"),
                $"{at} ({finding.RuleId} {finding.Title}): {fix}"));
        }

        foreach (var finding in all.Where(f => f.ScanType == ScanType.Secrets))
        {
            var at = finding.Line is { } line
                ? string.Create(CultureInfo.InvariantCulture, $"{finding.FilePath}:{line}")
                : finding.FilePath ?? "the source";
            lines.Add((finding.Severity, string.Create(CultureInfo.InvariantCulture, $"3|{finding.FilePath}|{finding.Line:D9}|{finding.RuleId}"),
                $"{finding.Title} ({finding.RuleId}): remove from {at}, rotate the credential, add to {IgnoreFileName} only if it is a test fixture"));
        }

        return lines.OrderByDescending(l => l.Severity).ThenBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Text).ToList();
    }

    /// <summary>The recommendations as text, one per line; null when there is nothing to do.</summary>
    public static string? Write(IEnumerable<SecurityFinding> findings)
    {
        var lines = For(findings);
        return lines.Count == 0 ? null : string.Join('\n', lines.Select(l => "- " + l));
    }
}
