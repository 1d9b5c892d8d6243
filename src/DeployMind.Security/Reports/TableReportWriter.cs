using System.Globalization;
using System.Text;
using DeployMind.Domain;
using DeployMind.Security.Policy;

namespace DeployMind.Security.Reports;

/// <summary>Aligned plain text for a terminal: one table per scan type, most severe first, and a summary line.</summary>
public static class TableReportWriter
{
    private const int MaxTitle = 60;
    private const int MaxDetail = 48;

    public static string Write(IReadOnlyList<ScanReport> reports, PolicyVerdict? verdict = null)
    {
        var text = new StringBuilder();
        foreach (var group in reports.GroupBy(r => r.ScanType).OrderBy(g => g.Key))
        {
            var findings = JsonReportWriter.Ordered(group.SelectMany(r => r.Findings)).ToList();
            var scanners = string.Join(", ", group.Select(r => $"{r.ScannerName} {r.ScannerVersion}").Distinct(StringComparer.Ordinal));
            text.Append(CultureInfo.InvariantCulture, $"{group.Key.ToWire()} ({scanners}): {findings.Count} {(findings.Count == 1 ? "finding" : "findings")}");
            if (verdict is not null && verdict.PerScanType.TryGetValue(group.Key, out var typeVerdict))
            {
                text.Append(CultureInfo.InvariantCulture, $", {typeVerdict.Decision.ToWire()}");
            }

            text.Append('\n');
            if (findings.Count > 0)
            {
                var rows = new List<string[]> { new[] { "SEVERITY", "ID", "LOCATION", Detail(group.Key), "TITLE" } };
                rows.AddRange(findings.Select(f => Row(f, verdict)));
                AppendAligned(text, rows);
            }

            foreach (var problem in group.SelectMany(r => r.Problems))
            {
                var at = problem.Line is { } line ? string.Create(CultureInfo.InvariantCulture, $"{problem.FilePath}:{line}") : problem.FilePath;
                text.Append(CultureInfo.InvariantCulture, $"  problem: {at}: {problem.Message}\n");
            }

            text.Append('\n');
        }

        var counts = SeverityCounts.Of(reports.SelectMany(r => r.Findings));
        text.Append(CultureInfo.InvariantCulture,
            $"Total: {counts.Total} {(counts.Total == 1 ? "finding" : "findings")} (critical {counts.Critical}, high {counts.High}, medium {counts.Medium}, low {counts.Low}, unknown {counts.Unknown})");
        var problems = reports.Sum(r => r.Problems.Count);
        if (problems > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {problems} {(problems == 1 ? "problem" : "problems")}");
        }

        if (verdict is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; decision: {verdict.Decision.ToWire()} ({verdict.Preset.ToWire()} policy)");
        }

        text.Append('\n');
        if (verdict is not null)
        {
            foreach (var reason in verdict.Reasons)
            {
                text.Append(CultureInfo.InvariantCulture, $"  - {reason}\n");
            }
        }

        return text.ToString();
    }

    private static string Detail(ScanType scanType) => scanType switch
    {
        ScanType.Dependencies => "PACKAGE",
        ScanType.Secrets => "MATCH",
        _ => "FIX",
    };

    private static string[] Row(SecurityFinding finding, PolicyVerdict? verdict)
    {
        var severity = finding.Severity.ToWire();
        if (verdict?.WaiverOf(finding) is { } waiver)
        {
            severity += $" ({waiver.Kind.ToWire()})";
        }

        var location = finding.FilePath is null ? "-"
            : finding.Line is { } line ? string.Create(CultureInfo.InvariantCulture, $"{finding.FilePath}:{line}") : finding.FilePath;
        var detail = finding.ScanType switch
        {
            ScanType.Dependencies => $"{finding.Package} {finding.InstalledVersion} -> {finding.FixedVersion ?? "no fix"}",
            // Only the redacted match is ever shown.
            ScanType.Secrets => finding.RedactedMatch ?? "",
            _ => finding.Fix ?? "",
        };
        return [severity, finding.RuleId, location, Shorten(OneLine(detail).Trim(), MaxDetail), Shorten(OneLine(finding.Title), MaxTitle)];
    }

    private static void AppendAligned(StringBuilder text, List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            text.Append("  ");
            for (var i = 0; i < row.Length; i++)
            {
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            text.Append('\n');
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Replace('\t', ' ');

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 3), "...");
}
