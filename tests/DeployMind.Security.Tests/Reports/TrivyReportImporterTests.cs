using DeployMind.Domain;
using DeployMind.Security.Reports;

namespace DeployMind.Security.Tests.Reports;

public sealed class TrivyReportImporterTests
{
    private static IReadOnlyList<ScanReport> ImportFs() => TrivyReportImporter.Import(TrivyFixtures.Filesystem, "trivy-fs.json");

    [Fact]
    public void Import_FilesystemReport_OneReportPerScanTypeWithTrivyVersion()
    {
        var reports = ImportFs();

        Assert.Equal([ScanType.Dockerfile, ScanType.Dependencies, ScanType.Secrets], reports.Select(r => r.ScanType));
        Assert.All(reports, r => Assert.Equal("trivy", r.ScannerName));
        Assert.All(reports, r => Assert.Equal("0.58.1", r.ScannerVersion));
        Assert.All(reports, r => Assert.Empty(r.Problems));
    }

    [Fact]
    public void Import_LangPkgsVulnerability_MapsEveryField()
    {
        var dependencies = ImportFs().Single(r => r.ScanType == ScanType.Dependencies);

        var lodash = dependencies.Findings.Single(f => f.Package == "lodash");
        Assert.Equal(ScanType.Dependencies, lodash.ScanType);
        Assert.Equal("CVE-2021-23337", lodash.RuleId);
        Assert.Equal(["GHSA-35jh-r3h4-6jhm"], lodash.Aliases);
        Assert.Equal("nodejs-lodash: command injection via template", lodash.Title);
        Assert.Equal(Severity.High, lodash.Severity);
        Assert.Equal("4.17.15", lodash.InstalledVersion);
        Assert.Equal("4.17.21", lodash.FixedVersion);
        Assert.Equal("npm", lodash.Ecosystem);
        Assert.Equal("package-lock.json", lodash.FilePath);
        Assert.Equal("npm install lodash@4.17.21", lodash.Fix);
        Assert.StartsWith("Lodash versions prior to 4.17.21 are vulnerable", lodash.Description, StringComparison.Ordinal);
        Assert.Contains("CVSS v3 7.2 (ghsa, CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H)", lodash.Description, StringComparison.Ordinal);
        Assert.Contains("Status: fixed.", lodash.Description, StringComparison.Ordinal);
        Assert.Contains("More: https://avd.aquasec.com/nvd/cve-2021-23337", lodash.Description, StringComparison.Ordinal);
        Assert.Equal("CVE-2021-23337", lodash.ToJson()["cve"]!.GetValue<string>());
    }

    [Fact]
    public void Import_SeveralFixedVersions_UpgradeCommandUsesTheFirst()
    {
        var minimist = ImportFs().SelectMany(r => r.Findings).Single(f => f.Package == "minimist");

        Assert.Equal(Severity.Critical, minimist.Severity);
        Assert.Equal("1.2.6, 0.2.4", minimist.FixedVersion);
        Assert.Equal("npm install minimist@1.2.6", minimist.Fix);
    }

    [Fact]
    public void Import_EmptyFixedVersionAndUnknownSeverityWord_UnfixedAndUnknown()
    {
        var leftPad = ImportFs().SelectMany(r => r.Findings).Single(f => f.Package == "left-pad");

        Assert.Null(leftPad.FixedVersion);
        Assert.Null(leftPad.Fix);
        Assert.Equal(Severity.Unknown, leftPad.Severity);
        Assert.Equal("CVE-2024-99999 in left-pad", leftPad.Title);
    }

    [Fact]
    public void Import_ConfigResult_OnlyFailedChecksWithNormalisedIdsAndLines()
    {
        var dockerfile = ImportFs().Single(r => r.ScanType == ScanType.Dockerfile);

        Assert.Equal(["DS-0001", "DS-0002", "DS-0026"], dockerfile.Findings.Select(f => f.RuleId));
        var latest = dockerfile.Findings[0];
        Assert.Equal("':latest' tag used", latest.Title);
        Assert.Equal(Severity.Medium, latest.Severity);
        Assert.Equal("Dockerfile", latest.FilePath);
        Assert.Equal(1, latest.Line);
        Assert.Equal(1, latest.EndLine);
        Assert.Equal("Add a tag to the image in the 'FROM' statement", latest.Fix);
        Assert.StartsWith("Specify a tag in the 'FROM' statement for image 'node'. When using", latest.Description, StringComparison.Ordinal);
        var root = dockerfile.Findings[1];
        Assert.Null(root.Line);
        Assert.Equal(Severity.High, root.Severity);
    }

    [Theory]
    [InlineData("DS002", "DS-0002")]
    [InlineData("DS-0002", "DS-0002")]
    [InlineData("AVD-DS-0031", "DS-0031")]
    [InlineData("ds26", "DS-0026")]
    [InlineData("KSV001", "KSV-0001")]
    [InlineData("custom.rule", "custom.rule")]
    public void NormalizeCheckId_TrivyForms_BecomeDsDashFourDigits(string id, string expected)
    {
        Assert.Equal(expected, TrivyReportImporter.NormalizeCheckId(id));
    }

    [Fact]
    public void Import_SecretResult_MapsRuleLineAndKeepsTheMaskedMatch()
    {
        var secrets = ImportFs().Single(r => r.ScanType == ScanType.Secrets);

        var aws = secrets.Findings[0];
        Assert.Equal("aws-access-key-id", aws.RuleId);
        Assert.Equal("AWS Access Key ID", aws.Title);
        Assert.Equal(Severity.Critical, aws.Severity);
        Assert.Equal("config/app.env", aws.FilePath);
        Assert.Equal(2, aws.Line);
        Assert.Equal("AWS_ACCESS_KEY_ID=****" + "*****", aws.RedactedMatch);
        Assert.StartsWith("AWS: ", aws.Description, StringComparison.Ordinal);
        Assert.StartsWith("aws-access-key-id:config/app.env:", aws.Fingerprint, StringComparison.Ordinal);
        Assert.NotNull(aws.Fix);
    }

    [Fact]
    public void Import_SecretTrivyDidNotMask_IsRedactedAfterFourCharacters()
    {
        var token = ImportFs().Single(r => r.ScanType == ScanType.Secrets).Findings[1];

        Assert.Equal("GITHUB_TOKEN=ghp_***** # deploy bot", token.RedactedMatch);
        Assert.DoesNotContain(TrivyFixtures.UnmaskedGithubToken, token.ToJson().ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TrivyFixtures.UnmaskedGithubToken[4..12], token.ToJson().ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID=AKIA****************", "AWS_ACCESS_KEY_ID=AKIA*****")]
    [InlineData("password: \"hunter2\"", "password: \"*****\"")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "Authorization: Bear*****")]
    [InlineData("api_key = 'abcd1234efgh5678ijkl' # rotated 2024", "api_key = 'abcd*****' # rotated 2024")]
    [InlineData("token: xyz", "token: *****")]
    [InlineData("sk_live_51HqLyjWDarjtT1zdp7dcXYZ", "sk_l*****")]
    public void Redact_Match_ShowsAtMostFourCharactersOfTheSecretPart(string match, string expected)
    {
        Assert.Equal(expected, TrivyReportImporter.Redact(match));
    }

    [Fact]
    public void Import_ImageReport_OsPackagesHaveNoFileAndADockerfileFix()
    {
        var reports = TrivyReportImporter.Import(TrivyFixtures.Image, "image.json");

        var report = Assert.Single(reports);
        Assert.Equal(ScanType.Dependencies, report.ScanType);
        Assert.Equal("unknown", report.ScannerVersion);
        var libc = report.Findings[0];
        Assert.Null(libc.FilePath);
        Assert.Equal("debian", libc.Ecosystem);
        Assert.Equal("RUN apt-get update && apt-get install -y --only-upgrade libc6 (fixed in 2.36-9+deb12u7), or move to a newer base image", libc.Fix);
        Assert.Null(report.Findings[1].FixedVersion);
        Assert.Equal("registry.local/shop/web:1.4.2 (debian 12.5)", libc.Fingerprint!.Split(':', 2)[1][..43]);
    }

    [Fact]
    public void Import_MalformedJson_ThrowsNamingFileLineAndPosition()
    {
        const string broken = "{\n  \"SchemaVersion\": 2,\n  \"Results\": [ { \"Target\": \"x\" \"Class\": \"secret\" } ]\n}";

        var error = Assert.Throws<TrivyReportException>(() => TrivyReportImporter.Import(broken, "reports/trivy.json"));

        Assert.IsAssignableFrom<DeployMindException>(error);
        Assert.Equal("reports/trivy.json", error.FileName);
        Assert.Equal(3, error.Line);
        Assert.Equal(32, error.Position);
        Assert.StartsWith("reports/trivy.json:3:32: not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_TruncatedReport_ThrowsWithPosition()
    {
        var truncated = TrivyFixtures.Filesystem[..200];

        var error = Assert.Throws<TrivyReportException>(() => TrivyReportImporter.Import(truncated, "cut.json"));

        Assert.NotNull(error.Line);
        Assert.True(error.Line > 1);
    }

    [Theory]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"Results\": []}", "unsupported SchemaVersion none")]
    [InlineData("{\"SchemaVersion\": 1, \"Results\": []}", "unsupported SchemaVersion 1")]
    [InlineData("{\"SchemaVersion\": 2, \"Results\": {}}", "$.Results must be an array")]
    public void Import_WrongShape_ThrowsExplaining(string json, string expected)
    {
        var error = Assert.Throws<TrivyReportException>(() => TrivyReportImporter.Import(json, "r.json"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("r.json: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_BadEntries_AreProblemsWithTheirJsonPathNotCrashes()
    {
        const string json = """
            {
              "SchemaVersion": 2,
              "Results": [
                { "Target": "go.sum", "Class": "lang-pkgs", "Type": "gomod", "Vulnerabilities": "oops" },
                { "Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [ 42, { "PkgName": "x" }, { "VulnerabilityID": "CVE-1", "PkgName": "y", "Severity": 3 } ] },
                { "Target": "k8s/deploy.yaml", "Class": "config", "Type": "kubernetes", "Misconfigurations": [ { "ID": "KSV001", "Status": "FAIL" } ] },
                { "Target": "LICENSE", "Class": "license", "Licenses": [] },
                "junk"
              ]
            }
            """;

        var reports = TrivyReportImporter.Import(json, "bad.json");

        var dependencies = reports.Single(r => r.ScanType == ScanType.Dependencies);
        var finding = Assert.Single(dependencies.Findings);
        Assert.Equal(Severity.Unknown, finding.Severity);
        var messages = reports.SelectMany(r => r.Problems).Select(p => p.Message).Distinct().ToList();
        Assert.Contains("$.Results[0].Vulnerabilities must be an array, found a string; skipped", messages);
        Assert.Contains("$.Results[1].Vulnerabilities[0] is a number, not an object; skipped", messages);
        Assert.Contains("$.Results[1].Vulnerabilities[1]: VulnerabilityID or PkgName missing; skipped", messages);
        Assert.Contains("$.Results[2]: 1 kubernetes misconfigurations in k8s/deploy.yaml skipped; DeployMind records Dockerfile misconfigurations only", messages);
        Assert.Contains("$.Results[4] is a string, not an object; skipped", messages);
        Assert.All(reports.SelectMany(r => r.Problems), p => Assert.Equal("bad.json", p.FilePath));
    }

    [Fact]
    public void Import_NoResults_NoReports()
    {
        Assert.Empty(TrivyReportImporter.Import("{\"SchemaVersion\": 2, \"ArtifactName\": \".\"}", "empty.json"));
        Assert.Empty(TrivyReportImporter.Import("{\"SchemaVersion\": 2, \"Results\": null}", "empty.json"));
    }

    [Fact]
    public void Import_SecretResultWithNoSecrets_StillYieldsACleanSecretsReport()
    {
        var reports = TrivyReportImporter.Import("""{"SchemaVersion": 2, "Results": [ { "Target": "a.env", "Class": "secret" } ]}""", "clean.json");

        var report = Assert.Single(reports);
        Assert.Equal(ScanType.Secrets, report.ScanType);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public void ImportFile_MissingFile_ThrowsNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-trivy-{Guid.NewGuid():N}.json");

        var error = Assert.Throws<TrivyReportException>(() => TrivyReportImporter.ImportFile(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains("could not be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportFile_ReportOnDisk_IsImported()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trivy-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, TrivyFixtures.Image);
        try
        {
            Assert.Equal(2, TrivyReportImporter.ImportFile(path).Single().Findings.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
