using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Security.Policy;

namespace DeployMind.Security.Reports;

/// <summary>
/// The <c>--format json</c> document: a stable, versioned shape with one entry per scan (scanner, counts, findings
/// as stored in security_scans, problems) and the policy verdict when there is one.
/// </summary>
public static class JsonReportWriter
{
    public const string FormatVersion = "deploymind-scan/1";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string WriteString(IReadOnlyList<ScanReport> reports, PolicyVerdict? verdict = null) =>
        Write(reports, verdict).ToJsonString(s_indented);

    public static JsonObject Write(IReadOnlyList<ScanReport> reports, PolicyVerdict? verdict = null)
    {
        var scans = new JsonArray();
        foreach (var report in reports.OrderBy(r => r.ScanType).ThenBy(r => r.ScannerName, StringComparer.Ordinal))
        {
            var findings = new JsonArray();
            foreach (var finding in Ordered(report.Findings))
            {
                findings.Add(SecurityScanRecord.FindingJson(finding, verdict?.WaiverOf(finding)));
            }

            var scan = new JsonObject
            {
                ["scan_type"] = report.ScanType.ToWire(),
                ["scanner_name"] = report.ScannerName,
                ["scanner_version"] = report.ScannerVersion,
                ["duration_seconds"] = Math.Round(report.Duration.TotalSeconds, 3),
                ["counts"] = Counts(SeverityCounts.Of(report.Findings)),
            };
            if (verdict is not null && verdict.PerScanType.TryGetValue(report.ScanType, out var typeVerdict))
            {
                scan["decision"] = typeVerdict.Decision.ToWire();
                scan["passed"] = typeVerdict.Passed;
            }

            scan["findings"] = findings;
            scan["problems"] = SecurityScanRecord.ProblemsJson(report.Problems);
            scans.Add(scan);
        }

        var document = new JsonObject
        {
            ["format"] = FormatVersion,
            ["counts"] = Counts(SeverityCounts.Of(reports.SelectMany(r => r.Findings))),
            ["scans"] = scans,
        };
        if (verdict is not null)
        {
            document["policy"] = Verdict(verdict);
        }

        return document;
    }

    /// <summary>Most severe first, then by file, line and rule, so the output is stable across runs.</summary>
    internal static IEnumerable<SecurityFinding> Ordered(IEnumerable<SecurityFinding> findings) =>
        findings.OrderByDescending(f => f.Severity)
            .ThenBy(f => f.FilePath ?? "", StringComparer.Ordinal)
            .ThenBy(f => f.Line ?? 0)
            .ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ThenBy(f => f.Package ?? "", StringComparer.Ordinal);

    private static JsonObject Counts(SeverityCounts counts) => new()
    {
        ["critical"] = counts.Critical,
        ["high"] = counts.High,
        ["medium"] = counts.Medium,
        ["low"] = counts.Low,
        ["unknown"] = counts.Unknown,
        ["total"] = counts.Total,
    };

    private static JsonObject Verdict(PolicyVerdict verdict)
    {
        var perType = new JsonObject();
        foreach (var (scanType, typeVerdict) in verdict.PerScanType)
        {
            perType[scanType.ToWire()] = new JsonObject
            {
                ["decision"] = typeVerdict.Decision.ToWire(),
                ["passed"] = typeVerdict.Passed,
                ["reject_at"] = PolicyThreshold.Describe(typeVerdict.Thresholds.RejectAt),
                ["warn_at"] = PolicyThreshold.Describe(typeVerdict.Thresholds.WarnAt),
                ["counted"] = Counts(typeVerdict.Counts),
                ["waived"] = typeVerdict.WaivedFindings.Count,
            };
        }

        return new JsonObject
        {
            ["preset"] = verdict.Preset.ToWire(),
            ["decision"] = verdict.Decision.ToWire(),
            ["passed"] = verdict.Passed,
            ["reasons"] = new JsonArray(verdict.Reasons.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
            ["scan_types"] = perType,
            ["expired_exceptions"] = new JsonArray(verdict.ExpiredExemptions.Select(e => (JsonNode)new JsonObject
            {
                ["id"] = e.Id,
                ["expires"] = e.Expires?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            }).ToArray()),
        };
    }
}
