using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Security.Dockerfiles;
using DeployMind.Security.Reports;
using DeployMind.Security.Secrets;
using DeployMind.Security.Tests.Policy;

namespace DeployMind.Security.Tests.Reports;

public sealed class SarifWriterTests
{
    private static JsonObject Write(params ScanReport[] reports) => SarifWriter.Write(reports);

    private static JsonObject RunOf(JsonObject log, string scanner) =>
        log["runs"]!.AsArray().Select(r => r!.AsObject()).Single(r => r["tool"]!["driver"]!["name"]!.GetValue<string>() == scanner);

    [Fact]
    public void Write_AllScanners_MeetsTheSarif210Constraints()
    {
        var text = SarifWriter.WriteString(SampleScan.All(), new SarifOptions { SourceRoot = "/work/app" });
        var log = JsonNode.Parse(text)!;

        Assert.Empty(SarifValidator.Validate(log));
        Assert.Equal(SarifWriter.SchemaUri, log["$schema"]!.GetValue<string>());
        Assert.Equal("2.1.0", log["version"]!.GetValue<string>());
        Assert.Equal(["deploymind-dockerfile", "deploymind-osv", "deploymind-secrets", "trivy"],
            log["runs"]!.AsArray().Select(r => r!["tool"]!["driver"]!["name"]!.GetValue<string>()));
        Assert.Equal("file:///work/app/", log["runs"]![0]!["originalUriBaseIds"]!["%SRCROOT%"]!["uri"]!.GetValue<string>());
    }

    [Fact]
    public void Validate_BrokenLog_ReportsEachViolation()
    {
        // The validator must be able to fail, or the test above proves nothing.
        var log = Write(SampleScan.Dockerfile());
        log["version"] = "2.0.0";
        var result = log["runs"]![0]!["results"]![0]!.AsObject();
        result["ruleIndex"] = 99;
        result["level"] = "fatal";
        result["suppressed"] = true;
        result["locations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"] = "C:\\src\\Dockerfile";
        result["locations"]![0]!["physicalLocation"]!["region"]!["startLine"] = 0;
        log["runs"]![0]!["tool"]!["driver"]!["rules"]![0]!["properties"]!["security-severity"] = "high";

        var errors = SarifValidator.Validate(log);

        Assert.Contains(errors, e => e.Contains("version", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ruleIndex 99", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'fatal' is not a SARIF level", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'suppressed'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("must be relative", StringComparison.Ordinal) || e.Contains("must use '/'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("startLine must be an integer >= 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("security-severity", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Severity.Critical, "error", "9.5")]
    [InlineData(Severity.High, "error", "8.0")]
    [InlineData(Severity.Medium, "warning", "5.5")]
    [InlineData(Severity.Low, "note", "2.0")]
    [InlineData(Severity.Unknown, "note", "0.0")]
    public void Write_FindingOfSeverity_HasLevelAndSecuritySeverity(Severity severity, string level, string securitySeverity)
    {
        var log = Write(TestFindings.Report(ScanType.Dockerfile, TestFindings.Dockerfile("DS-0001", severity, line: 3)));

        var run = log["runs"]![0]!;
        var rule = run["tool"]!["driver"]!["rules"]![0]!;
        Assert.Equal(level, run["results"]![0]!["level"]!.GetValue<string>());
        Assert.Equal(level, rule["defaultConfiguration"]!["level"]!.GetValue<string>());
        Assert.Equal(securitySeverity, rule["properties"]!["security-severity"]!.GetValue<string>());
        Assert.Equal(["security", "dockerfile"], rule["properties"]!["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public void Write_DockerfileFinding_RuleMetadataComesFromTheRuleCatalogue()
    {
        var log = Write(SampleScan.Dockerfile());
        var catalogue = DockerfileRules.All.Single(r => r.Id == "DS-0002");

        var run = RunOf(log, "deploymind-dockerfile");
        var rules = run["tool"]!["driver"]!["rules"]!.AsArray();
        var rule = rules.Single(r => r!["id"]!.GetValue<string>() == "DS-0002")!;
        Assert.Equal("ImageUserShouldNotBeRoot", rule["name"]!.GetValue<string>());
        Assert.Equal(catalogue.Title, rule["shortDescription"]!["text"]!.GetValue<string>());
        Assert.Equal(catalogue.Description, rule["fullDescription"]!["text"]!.GetValue<string>());
        Assert.Equal(catalogue.Fix, rule["help"]!["text"]!.GetValue<string>());
        Assert.Contains("**Fix:**", rule["help"]!["markdown"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("8.0", rule["properties"]!["security-severity"]!.GetValue<string>());
        Assert.Equal(DockerfileScanner.Version, run["tool"]!["driver"]!["version"]!.GetValue<string>());

        var result = run["results"]!.AsArray().First(r => r!["ruleId"]!.GetValue<string>() == "DS-0002")!;
        Assert.Equal("DS-0002", rules[result["ruleIndex"]!.GetValue<int>()]!["id"]!.GetValue<string>());
    }

    [Fact]
    public void Write_SecretFinding_RuleMetadataFromSecretRules()
    {
        var log = Write(SampleScan.Secrets());
        var catalogue = SecretRules.All.Single(r => r.Id == "github-pat");

        var rule = RunOf(log, "deploymind-secrets")["tool"]!["driver"]!["rules"]![0]!;
        Assert.Equal("github-pat", rule["id"]!.GetValue<string>());
        Assert.Equal(catalogue.Description, rule["fullDescription"]!["text"]!.GetValue<string>());
        Assert.Equal(catalogue.Fix, rule["help"]!["text"]!.GetValue<string>());
        Assert.Equal("9.5", rule["properties"]!["security-severity"]!.GetValue<string>());
    }

    [Fact]
    public void Write_WindowsPathAndLine_RelativeForwardSlashUriUnderSrcRoot()
    {
        var log = Write(SampleScan.Dockerfile());

        var location = RunOf(log, "deploymind-dockerfile")["results"]![0]!["locations"]![0]!["physicalLocation"]!;
        Assert.Equal("services/api/Dockerfile", location["artifactLocation"]!["uri"]!.GetValue<string>());
        Assert.Equal("%SRCROOT%", location["artifactLocation"]!["uriBaseId"]!.GetValue<string>());
        Assert.True(location["region"]!["startLine"]!.GetValue<int>() >= 1);
    }

    [Theory]
    [InlineData("src/app.js", null, "src/app.js")]
    [InlineData("./src/my file.js", null, "src/my%20file.js")]
    [InlineData("web\\package-lock.json", null, "web/package-lock.json")]
    [InlineData("/work/app/src/a.py", "/work/app", "src/a.py")]
    [InlineData("/etc/passwd", "/work/app", null)]
    [InlineData("/work/app/a.py", null, null)]
    public void RelativeUri_Path_IsRelativeWithForwardSlashesOrNull(string path, string? root, string? expected)
    {
        Assert.Equal(expected, SarifWriter.RelativeUri(path, root));
    }

    [Fact]
    public void Write_DependencyWithoutLine_PointsAtItsLockfileLineOne()
    {
        var log = Write(SampleScan.Dependencies());

        var results = log["runs"]![0]!["results"]!.AsArray();
        var debug = results.Single(r => r!["ruleId"]!.GetValue<string>() == "GHSA-low")!;
        var location = debug["locations"]![0]!["physicalLocation"]!;
        Assert.Equal("web/package-lock.json", location["artifactLocation"]!["uri"]!.GetValue<string>());
        Assert.Equal(1, location["region"]!["startLine"]!.GetValue<int>());
        Assert.Null(location["region"]!["endLine"]);
        Assert.Equal("debug 2.6.8 is affected by GHSA-low (LOW): debug advisory GHSA-low. Fixed in 2.6.9.", debug["message"]!["text"]!.GetValue<string>());
        var lodash = results.Single(r => r!["ruleId"]!.GetValue<string>() == "GHSA-35jh-r3h4-6jhm")!;
        Assert.EndsWith("Fix: npm install lodash@4.17.21", lodash["message"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OsPackageWithoutFile_PointsAtTheDefaultArtifact()
    {
        var log = SarifWriter.Write(TrivyReportImporter.Import(TrivyFixtures.Image, "image.json"), new SarifOptions { DefaultArtifactUri = "deploy/Dockerfile" });

        Assert.Empty(SarifValidator.Validate(log));
        var location = log["runs"]![0]!["results"]![0]!["locations"]![0]!["physicalLocation"]!;
        Assert.Equal("deploy/Dockerfile", location["artifactLocation"]!["uri"]!.GetValue<string>());
        Assert.Equal("https://github.com/aquasecurity/trivy", log["runs"]![0]!["tool"]!["driver"]!["informationUri"]!.GetValue<string>());
    }

    [Fact]
    public void Write_TrivyReports_OneRunWithRulesFromAllThreeTypes()
    {
        var log = Write([.. SampleScan.Trivy()]);

        var run = Assert.Single(log["runs"]!.AsArray())!;
        var ids = run["tool"]!["driver"]!["rules"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(["DS-0001", "DS-0002", "DS-0026", "CVE-2021-23337", "CVE-2021-44906", "CVE-2024-99999", "aws-access-key-id", "github-pat"], ids);
        Assert.Equal("0.58.1", run["tool"]!["driver"]!["version"]!.GetValue<string>());
    }

    [Fact]
    public void Write_SameRuleTwice_OneRuleTwoResultsWithTheWorstSeverity()
    {
        var log = Write(TestFindings.Report(ScanType.Dependencies,
            TestFindings.Dependency("GHSA-1", "a", Severity.Low, file: "a/package-lock.json"),
            TestFindings.Dependency("GHSA-1", "a", Severity.High, file: "b/package-lock.json")));

        var run = log["runs"]![0]!;
        var rule = Assert.Single(run["tool"]!["driver"]!["rules"]!.AsArray())!;
        Assert.Equal("8.0", rule["properties"]!["security-severity"]!.GetValue<string>());
        Assert.Equal(2, run["results"]!.AsArray().Count);
        Assert.All(run["results"]!.AsArray(), r => Assert.Equal(0, r!["ruleIndex"]!.GetValue<int>()));
    }

    [Fact]
    public void Write_Fingerprints_StablePerFindingAndDistinctAcrossFindings()
    {
        var first = Write(SampleScan.Dependencies());
        var second = Write(SampleScan.Dependencies());

        var prints = first["runs"]![0]!["results"]!.AsArray().Select(r => r!["partialFingerprints"]![SarifWriter.FingerprintKey]!.GetValue<string>()).ToList();
        var again = second["runs"]![0]!["results"]!.AsArray().Select(r => r!["partialFingerprints"]![SarifWriter.FingerprintKey]!.GetValue<string>()).ToList();
        Assert.Equal(prints, again);
        Assert.Equal(prints.Count, prints.Distinct().Count());
    }

    [Fact]
    public void Write_ScanProblems_BecomeToolExecutionNotifications()
    {
        var log = Write(SampleScan.Dockerfile());

        var notification = RunOf(log, "deploymind-dockerfile")["invocations"]![0]!["toolExecutionNotifications"]![0]!;
        Assert.Equal("docker/Dockerfile.dev: unterminated heredoc", notification["message"]!["text"]!.GetValue<string>());
        Assert.Equal(3, notification["locations"]![0]!["physicalLocation"]!["region"]!["startLine"]!.GetValue<int>());
    }

    [Fact]
    public void Write_NoReports_EmptyRunsStillValid()
    {
        var log = Write();

        Assert.Empty(log["runs"]!.AsArray());
        Assert.Empty(SarifValidator.Validate(log));
    }

    [Fact]
    public void Write_SecretFinding_MessageShowsOnlyTheRedactedMatch()
    {
        var secrets = SampleScan.Secrets();

        var text = SarifWriter.WriteString([secrets]);

        var finding = secrets.Findings[0];
        Assert.Equal($"{finding.Title} (CRITICAL): {finding.RedactedMatch!.Trim()}", JsonNode.Parse(text)!["runs"]![0]!["results"]![0]!["message"]!["text"]!.GetValue<string>());
        Assert.Contains("*****", finding.RedactedMatch, StringComparison.Ordinal);
        Assert.DoesNotContain(SampleScan.RawSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SampleScan.RawSecret[4..], text, StringComparison.Ordinal);
    }
}
