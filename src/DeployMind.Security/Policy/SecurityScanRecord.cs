using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Security.Policy;

/// <summary>Turns a scan report and its scan type's verdict into the <c>security_scans</c> row.</summary>
public static class SecurityScanRecord
{
    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Counts are of the findings that count (waived ones are listed in <c>vulnerabilities</c> with a <c>waived</c>
    /// key but not counted); UNKNOWN is counted as medium, as the gate treats it, so the four counts add up to the total.
    /// </summary>
    public static SecurityScan Build(string deploymentId, ScanReport report, ScanTypeVerdict verdict, DateTime createdAt)
    {
        if (report.ScanType != verdict.ScanType)
        {
            throw new ArgumentException($"the verdict is for {verdict.ScanType.ToWire()} but the report is {report.ScanType.ToWire()}", nameof(verdict));
        }

        var counted = report.Findings.Where(f => verdict.WaiverOf(f) is null).ToList();
        var counts = SeverityCounts.Of(counted);
        var vulnerabilities = new JsonArray();
        foreach (var finding in report.Findings)
        {
            vulnerabilities.Add(FindingJson(finding, verdict.WaiverOf(finding)));
        }

        return new SecurityScan
        {
            DeploymentId = deploymentId,
            ScanType = report.ScanType,
            ScannerName = report.ScannerName,
            ScannerVersion = report.ScannerVersion,
            ScanDurationSeconds = Math.Round(report.Duration.TotalSeconds, 3),
            Passed = verdict.Passed,
            TotalVulnerabilities = counted.Count,
            CriticalCount = counts.Critical,
            HighCount = counts.High,
            MediumCount = counts.Medium + counts.Unknown,
            LowCount = counts.Low,
            Vulnerabilities = vulnerabilities,
            AgentDecision = verdict.Decision,
            AgentReasoning = string.Join('\n', verdict.Reasons),
            Recommendations = RecommendationWriter.Write(report.Findings),
            RawOutput = RawOutput(report),
            CreatedAt = createdAt,
        };
    }

    /// <summary><see cref="SecurityFinding.ToJson"/> plus <c>waived</c>/<c>waived_why</c> when the policy did not count it.</summary>
    public static JsonObject FindingJson(SecurityFinding finding, WaivedFinding? waiver)
    {
        var json = finding.ToJson();
        if (waiver is not null)
        {
            json["waived"] = waiver.Kind.ToWire();
            json["waived_why"] = waiver.Why;
        }

        return json;
    }

    /// <summary>The whole report as compact JSON, problems included; secrets appear only redacted.</summary>
    public static string RawOutput(ScanReport report) => ReportJson(report).ToJsonString(s_compact);

    internal static JsonObject ReportJson(ScanReport report) => new()
    {
        ["scan_type"] = report.ScanType.ToWire(),
        ["scanner_name"] = report.ScannerName,
        ["scanner_version"] = report.ScannerVersion,
        ["duration_seconds"] = Math.Round(report.Duration.TotalSeconds, 3),
        ["findings"] = new JsonArray(report.Findings.Select(f => (JsonNode)f.ToJson()).ToArray()),
        ["problems"] = ProblemsJson(report.Problems),
    };

    internal static JsonArray ProblemsJson(IEnumerable<ScanProblem> problems) => new(problems.Select(p =>
    {
        var json = new JsonObject { ["file"] = p.FilePath };
        if (p.Line is not null)
        {
            json["line"] = p.Line;
        }

        json["message"] = p.Message;
        return (JsonNode)json;
    }).ToArray());
}
