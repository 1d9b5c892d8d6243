using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Security.Policy;
using DeployMind.Security.Reports;
using DeployMind.Security.Tests.Policy;

namespace DeployMind.Security.Tests.Reports;

public sealed class JsonReportWriterTests
{
    [Fact]
    public void Write_WithVerdict_StableDocumentWithScansCountsFindingsProblemsAndPolicy()
    {
        var reports = new[] { SampleScan.Dependencies(), SampleScan.Dockerfile() };
        var policy = SecurityPolicy.Default with { IgnoreUnfixed = true };
        var verdict = policy.Evaluate(reports, TestFindings.Today);

        var document = JsonNode.Parse(JsonReportWriter.WriteString(reports, verdict))!;

        Assert.Equal("deploymind-scan/1", document["format"]!.GetValue<string>());
        var scans = document["scans"]!.AsArray();
        Assert.Equal(["dockerfile", "dependencies"], scans.Select(s => s!["scan_type"]!.GetValue<string>()));
        var deps = scans[1]!;
        Assert.Equal("deploymind-osv", deps["scanner_name"]!.GetValue<string>());
        Assert.Equal(1.234, deps["duration_seconds"]!.GetValue<double>());
        Assert.Equal("reject", deps["decision"]!.GetValue<string>());
        Assert.False(deps["passed"]!.GetValue<bool>());
        Assert.Equal(1, deps["counts"]!["critical"]!.GetValue<int>());
        Assert.Equal(1, deps["counts"]!["unknown"]!.GetValue<int>());
        Assert.Equal(3, deps["counts"]!["total"]!.GetValue<int>());
        // Most severe first; waived findings are listed with why.
        Assert.Equal(["GHSA-35jh-r3h4-6jhm", "GHSA-low", "GHSA-unscored"], deps["findings"]!.AsArray().Select(f => f!["id"]!.GetValue<string>()));
        Assert.Equal("unfixed", deps["findings"]![2]!["waived"]!.GetValue<string>());
        Assert.Equal("docker/Dockerfile.dev", scans[0]!["problems"]![0]!["file"]!.GetValue<string>());

        var policyJson = document["policy"]!;
        Assert.Equal("balanced", policyJson["preset"]!.GetValue<string>());
        Assert.Equal("reject", policyJson["decision"]!.GetValue<string>());
        Assert.StartsWith("reject: 1 critical vulnerability in dependencies", policyJson["reasons"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("critical", policyJson["scan_types"]!["dependencies"]!["reject_at"]!.GetValue<string>());
        Assert.Equal(1, policyJson["scan_types"]!["dependencies"]!["waived"]!.GetValue<int>());
        Assert.Equal(reports.Sum(r => r.Findings.Count), document["counts"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public void Write_SameInputTwice_SameText()
    {
        var reports = SampleScan.All();

        Assert.Equal(JsonReportWriter.WriteString(reports), JsonReportWriter.WriteString(reports));
    }

    [Fact]
    public void Write_WithoutVerdict_HasNoPolicyOrDecisions()
    {
        var document = JsonReportWriter.Write([TestFindings.Report(ScanType.Secrets)]);

        Assert.Null(document["policy"]);
        Assert.Null(document["scans"]![0]!["decision"]);
        Assert.Equal(0, document["counts"]!["total"]!.GetValue<int>());
    }
}
