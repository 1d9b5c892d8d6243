using DeployMind.Domain;
using DeployMind.Security.Dockerfiles;
using DeployMind.Security.Secrets;
using DeployMind.Security.Tests.Policy;

namespace DeployMind.Security.Tests.Reports;

/// <summary>Reports as the real scanners produce them over a small bad project, plus a Trivy import.</summary>
internal static class SampleScan
{
    /// <summary>The raw secret in <c>src/config.js</c>; no output may contain it.</summary>
    public const string RawSecret = "ghp_Zq7Lw2Xk9Rb4Tn6Vm1Pc8Hd3Jf5Gs0Ay2Ue7";

    public static ScanReport Dockerfile() => new()
    {
        ScanType = ScanType.Dockerfile,
        ScannerName = DockerfileScanner.Name,
        ScannerVersion = DockerfileScanner.Version,
        Findings = new DockerfileScanner().ScanText("""
            FROM ubuntu
            RUN apt-get update
            RUN apt-get install curl
            EXPOSE 22
            CMD python app.py
            """, "services\\api\\Dockerfile").Findings,
        Problems = [new ScanProblem("docker/Dockerfile.dev", 3, "unterminated heredoc")],
    };

    public static ScanReport Secrets()
    {
        var findings = new SecretScanner().ScanText("src/config.js", $"module.exports = {{\n  githubToken: \"{RawSecret}\",\n}};\n");
        if (findings.Count == 0)
        {
            throw new InvalidOperationException("the sample secret no longer matches a rule; pick another");
        }

        return new ScanReport { ScanType = ScanType.Secrets, ScannerName = SecretScanner.Name, ScannerVersion = SecretScanner.Version, Findings = findings };
    }

    public static ScanReport Dependencies() => TestFindings.Report(ScanType.Dependencies,
        TestFindings.Dependency("GHSA-35jh-r3h4-6jhm", "lodash", Severity.Critical, aliases: ["CVE-2021-23337"], fix: "npm install lodash@4.17.21"),
        TestFindings.Dependency("GHSA-unscored", "left-pad", Severity.Unknown, fixedVersion: null, installed: "1.1.0"),
        TestFindings.Dependency("GHSA-low", "debug", Severity.Low, fixedVersion: "2.6.9", installed: "2.6.8", file: "web/package-lock.json"));

    public static IReadOnlyList<ScanReport> All() =>
        [Dockerfile(), Dependencies(), Secrets(), .. Trivy()];

    public static IReadOnlyList<ScanReport> Trivy() => Security.Reports.TrivyReportImporter.Import(TrivyFixtures.Filesystem, "trivy.json");
}
