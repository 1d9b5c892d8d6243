using DeployMind.Domain;
using DeployMind.Security.Policy;
using DeployMind.Security.Reports;
using DeployMind.Security.Tests.Policy;

namespace DeployMind.Security.Tests.Reports;

/// <summary>Whatever the output, a secret the scanners saw never appears in it, not even in part.</summary>
public sealed class RedactionTests
{
    public static TheoryData<string> RawSecrets => new() { SampleScan.RawSecret, TrivyFixtures.UnmaskedGithubToken };

    [Theory]
    [MemberData(nameof(RawSecrets))]
    public void EveryOutput_SecretsFound_NeverContainsTheRawSecret(string secret)
    {
        var reports = SampleScan.All();
        var verdict = SecurityPolicy.Default.Evaluate(reports, TestFindings.Today);
        var rows = verdict.PerScanType.Values.SelectMany(v => reports.Where(r => r.ScanType == v.ScanType)
            .Select(r => SecurityScanRecord.Build("deploy-20261128-abc123", r, v, DateTime.UnixEpoch))).ToList();

        string[] outputs =
        [
            SarifWriter.WriteString(reports),
            JsonReportWriter.WriteString(reports, verdict),
            TableReportWriter.Write(reports, verdict),
            string.Join('\n', verdict.Reasons),
            .. rows.Select(r => $"{r.Vulnerabilities!.ToJsonString()}\n{r.RawOutput}\n{r.Recommendations}\n{r.AgentReasoning}"),
        ];

        Assert.Contains(reports, r => r.ScanType == ScanType.Secrets && r.Findings.Count > 0);
        foreach (var output in outputs)
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
            // Nothing past the first 4 characters either (a long slice would identify the secret).
            Assert.DoesNotContain(secret[4..16], output, StringComparison.Ordinal);
        }
    }
}
