using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Security.Policy;
using static DeployMind.Security.Tests.Policy.TestFindings;

namespace DeployMind.Security.Tests.Policy;

public sealed class SecurityScanRecordTests
{
    private static readonly DateTime s_createdAt = new(2026, 11, 28, 13, 30, 15, 123, DateTimeKind.Utc);

    [Fact]
    public void Build_DependencyReport_FillsEveryColumn()
    {
        var critical = Dependency("GHSA-35jh-r3h4-6jhm", "lodash", Severity.Critical, aliases: ["CVE-2021-23337"], fix: "npm install lodash@4.17.21");
        var high = Dependency("GHSA-2", "qs", Severity.High, fixedVersion: "6.10.3", installed: "6.5.2");
        var unknown = Dependency("GHSA-3", "left-pad", Severity.Unknown, fixedVersion: "1.3.0", installed: "1.1.0");
        var unfixed = Dependency("GHSA-4", "tar", Severity.Low, fixedVersion: null, installed: "2.2.2");
        var report = Report(ScanType.Dependencies, critical, high, unknown, unfixed) with
        {
            Problems = [new ScanProblem("yarn.lock", 12, "unexpected entry; skipped")],
        };
        var verdict = (SecurityPolicy.Default with { IgnoreUnfixed = true }).Evaluate([report], Today);

        var row = SecurityScanRecord.Build("deploy-20261128-abc123", report, verdict.PerScanType[ScanType.Dependencies], s_createdAt);

        Assert.Equal("deploy-20261128-abc123", row.DeploymentId);
        Assert.Equal(ScanType.Dependencies, row.ScanType);
        Assert.Equal("deploymind-osv", row.ScannerName);
        Assert.Equal("1.0.0", row.ScannerVersion);
        Assert.Equal(1.234, row.ScanDurationSeconds);
        Assert.False(row.Passed);
        Assert.Equal(AgentDecision.Reject, row.AgentDecision);
        // Counted only (the unfixed LOW is waived); UNKNOWN counted as medium so the four add up to the total.
        Assert.Equal(3, row.TotalVulnerabilities);
        Assert.Equal(1, row.CriticalCount);
        Assert.Equal(1, row.HighCount);
        Assert.Equal(1, row.MediumCount);
        Assert.Equal(0, row.LowCount);
        Assert.Equal(row.TotalVulnerabilities, row.CriticalCount + row.HighCount + row.MediumCount + row.LowCount);

        var vulnerabilities = row.Vulnerabilities!;
        Assert.Equal(4, vulnerabilities.Count);
        Assert.True(JsonNode.DeepEquals(critical.ToJson(), vulnerabilities[0]));
        Assert.Equal("CVE-2021-23337", vulnerabilities[0]!["cve"]!.GetValue<string>());
        Assert.Equal("unfixed", vulnerabilities[3]!["waived"]!.GetValue<string>());
        Assert.Null(vulnerabilities[0]!["waived"]);

        Assert.StartsWith("reject: 1 critical vulnerability in dependencies (lodash GHSA-35jh-r3h4-6jhm)", row.AgentReasoning, StringComparison.Ordinal);
        Assert.Contains("warn: 1 high vulnerability in dependencies (qs GHSA-2)", row.AgentReasoning, StringComparison.Ordinal);
        Assert.StartsWith("- lodash 4.17.15 (package-lock.json) [GHSA-35jh-r3h4-6jhm]: npm install lodash@4.17.21", row.Recommendations, StringComparison.Ordinal);
        Assert.Contains("- qs 6.5.2 (package-lock.json) [GHSA-2]: upgrade qs to 6.10.3", row.Recommendations, StringComparison.Ordinal);

        var raw = JsonNode.Parse(row.RawOutput!)!;
        Assert.DoesNotContain('\n', row.RawOutput!);
        Assert.Equal("dependencies", raw["scan_type"]!.GetValue<string>());
        Assert.Equal("deploymind-osv", raw["scanner_name"]!.GetValue<string>());
        Assert.Equal(4, raw["findings"]!.AsArray().Count);
        Assert.Equal("yarn.lock", raw["problems"]![0]!["file"]!.GetValue<string>());
        Assert.Equal(12, raw["problems"]![0]!["line"]!.GetValue<int>());

        Assert.Equal(DateTimeKind.Utc, row.CreatedAt.Kind);
        Assert.Equal(s_createdAt, row.CreatedAt);
    }

    [Fact]
    public void Build_CleanDockerfileReport_PassesAndApproves()
    {
        var report = Report(ScanType.Dockerfile);
        var verdict = SecurityPolicy.Default.Evaluate([report], Today);

        var row = SecurityScanRecord.Build("deploy-20261128-abc123", report, verdict.PerScanType[ScanType.Dockerfile], s_createdAt);

        Assert.True(row.Passed);
        Assert.Equal(AgentDecision.Approve, row.AgentDecision);
        Assert.Equal(0, row.TotalVulnerabilities);
        Assert.Empty(row.Vulnerabilities!);
        Assert.Null(row.Recommendations);
        Assert.Equal("approve: no Dockerfile misconfigurations count", row.AgentReasoning);
    }

    [Fact]
    public void Build_WarnedScan_StillPasses()
    {
        var report = Report(ScanType.Dockerfile, Dockerfile("DS-0002", Severity.High, line: 4));
        var verdict = SecurityPolicy.Default.Evaluate([report], Today);

        var row = SecurityScanRecord.Build("deploy-20261128-abc123", report, verdict.PerScanType[ScanType.Dockerfile], s_createdAt);

        Assert.True(row.Passed);
        Assert.Equal(AgentDecision.Warn, row.AgentDecision);
        Assert.Equal(1, row.HighCount);
        Assert.Equal("- Dockerfile line 4 (DS-0002 rule DS-0002): do the fix", row.Recommendations);
    }

    [Fact]
    public void Build_VerdictOfAnotherScanType_Throws()
    {
        var report = Report(ScanType.Dockerfile);
        var verdict = SecurityPolicy.Default.Evaluate([Report(ScanType.Secrets)], Today);

        Assert.Throws<ArgumentException>(() => SecurityScanRecord.Build("deploy-20261128-abc123", report, verdict.PerScanType[ScanType.Secrets], s_createdAt));
    }
}
