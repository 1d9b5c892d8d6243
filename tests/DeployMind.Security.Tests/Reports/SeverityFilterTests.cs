using DeployMind.Domain;
using DeployMind.Security.Policy;
using DeployMind.Security.Reports;
using DeployMind.Security.Tests.Policy;

namespace DeployMind.Security.Tests.Reports;

public sealed class SeverityFilterTests
{
    private static readonly ScanReport[] s_reports =
    [
        TestFindings.Report(ScanType.Dependencies,
            TestFindings.Dependency("GHSA-high", "express", Severity.High),
            TestFindings.Dependency("GHSA-low", "debug", Severity.Low)),
        TestFindings.Report(ScanType.Dockerfile, TestFindings.Dockerfile("DS-0001", Severity.Medium)),
    ];

    [Fact]
    public void Parse_CommaSeparatedCaseInsensitive_KeepsThoseSeverities()
    {
        var filter = SeverityFilter.Parse("critical, HIGH");

        Assert.Equal(new HashSet<Severity> { Severity.Critical, Severity.High }, filter.Severities);
        Assert.Equal("CRITICAL,HIGH", filter.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" , ")]
    public void Parse_Nothing_KeepsEverySeverity(string? text)
    {
        Assert.Equal(5, SeverityFilter.Parse(text).Severities.Count);
    }

    [Fact]
    public void Parse_UnknownWord_ThrowsNamingItAndTheChoices()
    {
        var error = Assert.Throws<InvalidInputException>(() => SeverityFilter.Parse("CRITICAL,SEVERE"));

        Assert.Equal("severity", error.Field);
        Assert.Contains("'SEVERE'", error.Message, StringComparison.Ordinal);
        Assert.Contains("UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_Filter_KeepsOnlyMatchingFindingsAndEveryReport()
    {
        var filtered = SeverityFilter.Parse("HIGH,MEDIUM").Apply(s_reports);

        Assert.Equal(2, filtered.Count);
        Assert.Equal(["GHSA-high"], filtered[0].Findings.Select(f => f.RuleId));
        Assert.Equal(["DS-0001"], filtered[1].Findings.Select(f => f.RuleId));
        Assert.Equal(2, s_reports[0].Findings.Count);
    }

    [Fact]
    public void AtLeast_Medium_IncludesMediumAndAbove()
    {
        Assert.Equal(new HashSet<Severity> { Severity.Medium, Severity.High, Severity.Critical }, SeverityFilter.AtLeast(Severity.Medium).Severities);
    }

    [Fact]
    public void Compute_FindingAtFilteredSeverityRemains_ReturnsTheExitCode()
    {
        Assert.Equal(3, ScanExitCode.Compute(s_reports, SeverityFilter.Parse("HIGH,CRITICAL"), 3));
        Assert.Equal(1, ScanExitCode.Compute(s_reports, SeverityFilter.All, 1));
    }

    [Fact]
    public void Compute_NothingAtFilteredSeverity_ReturnsZero()
    {
        Assert.Equal(0, ScanExitCode.Compute(s_reports, SeverityFilter.Parse("CRITICAL"), 3));
        Assert.Equal(0, ScanExitCode.Compute([], SeverityFilter.All, 3));
    }

    [Fact]
    public void Compute_OnlyWaivedFindingsAtSeverity_ReturnsZero()
    {
        var policy = SecurityPolicy.Default with { Exceptions = [new PolicyExemption("GHSA-high")] };
        var verdict = policy.Evaluate(s_reports, TestFindings.Today);

        Assert.Equal(0, ScanExitCode.Compute(s_reports, SeverityFilter.Parse("HIGH"), 3, verdict));
        Assert.Equal(3, ScanExitCode.Compute(s_reports, SeverityFilter.Parse("HIGH"), 3));
    }
}
