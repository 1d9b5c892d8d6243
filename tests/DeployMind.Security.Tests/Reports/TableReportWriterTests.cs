using DeployMind.Domain;
using DeployMind.Security.Policy;
using DeployMind.Security.Reports;
using DeployMind.Security.Tests.Policy;

namespace DeployMind.Security.Tests.Reports;

public sealed class TableReportWriterTests
{
    [Fact]
    public void Write_Reports_GroupedByScanTypeSeveritySortedAndAligned()
    {
        var reports = new[]
        {
            TestFindings.Report(ScanType.Dependencies,
                TestFindings.Dependency("GHSA-low", "debug", Severity.Low, fixedVersion: "2.6.9", installed: "2.6.8"),
                TestFindings.Dependency("GHSA-crit", "lodash", Severity.Critical)),
            TestFindings.Report(ScanType.Dockerfile, TestFindings.Dockerfile("DS-0026", Severity.Low, 9), TestFindings.Dockerfile("DS-0002", Severity.High, 12)),
        };

        var lines = TableReportWriter.Write(reports).Split('\n');

        var dockerHeader = Array.FindIndex(lines, l => l.StartsWith("dockerfile (deploymind-dockerfile 1.0.0): 2 findings", StringComparison.Ordinal));
        var depsHeader = Array.FindIndex(lines, l => l.StartsWith("dependencies (deploymind-osv 1.0.0): 2 findings", StringComparison.Ordinal));
        Assert.True(dockerHeader >= 0 && depsHeader > dockerHeader);
        Assert.StartsWith("  HIGH ", lines[dockerHeader + 2], StringComparison.Ordinal);
        Assert.StartsWith("  LOW ", lines[dockerHeader + 3], StringComparison.Ordinal);
        Assert.StartsWith("  CRITICAL ", lines[depsHeader + 2], StringComparison.Ordinal);
        Assert.Contains("lodash 4.17.15 -> 4.17.21", lines[depsHeader + 2], StringComparison.Ordinal);

        // Columns line up: every row of a table has its ID column at the same offset as the header's.
        var idColumn = lines[depsHeader + 1].IndexOf("ID", StringComparison.Ordinal);
        Assert.Equal("GHSA-crit", lines[depsHeader + 2][idColumn..].Split(' ')[0]);
        Assert.Equal("GHSA-low", lines[depsHeader + 3][idColumn..].Split(' ')[0]);
        var locationColumn = lines[dockerHeader + 1].IndexOf("LOCATION", StringComparison.Ordinal);
        Assert.Equal("Dockerfile:12", lines[dockerHeader + 2][locationColumn..].Split(' ')[0]);
        Assert.Equal("Dockerfile:9", lines[dockerHeader + 3][locationColumn..].Split(' ')[0]);

        Assert.Contains("Total: 4 findings (critical 1, high 1, medium 0, low 2, unknown 0)", lines);
    }

    [Fact]
    public void Write_WithVerdict_ShowsDecisionWaiversAndReasons()
    {
        var reports = new[] { TestFindings.Report(ScanType.Dependencies, TestFindings.Dependency("GHSA-1", "tar", Severity.Critical, fixedVersion: null)) };
        var verdict = (SecurityPolicy.Default with { IgnoreUnfixed = true }).Evaluate(reports, TestFindings.Today);

        var text = TableReportWriter.Write(reports, verdict);

        Assert.Contains("dependencies (deploymind-osv 1.0.0): 1 finding, approve", text, StringComparison.Ordinal);
        Assert.Contains("  CRITICAL (unfixed)  GHSA-1", text, StringComparison.Ordinal);
        Assert.Contains("Total: 1 finding (critical 1, high 0, medium 0, low 0, unknown 0); decision: approve (balanced policy)", text, StringComparison.Ordinal);
        Assert.Contains("  - approve: no findings count toward the policy", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Problems_ListedUnderTheirScanType()
    {
        var text = TableReportWriter.Write([SampleScan.Dockerfile()]);

        Assert.Contains("  problem: docker/Dockerfile.dev:3: unterminated heredoc", text, StringComparison.Ordinal);
        Assert.EndsWith(", 1 problem\n", text, StringComparison.Ordinal);
    }
}
