using DeployMind.Domain;
using DeployMind.Security.Dockerfiles;
using DeployMind.Security.Policy;
using static DeployMind.Security.Tests.Policy.TestFindings;

namespace DeployMind.Security.Tests.Policy;

public sealed class RecommendationWriterTests
{
    [Fact]
    public void For_DependencyWithFixCommand_UsesTheCommand()
    {
        var lines = RecommendationWriter.For([Dependency("GHSA-1", "lodash", Severity.Critical, fix: "npm install lodash@4.17.21")]);

        Assert.Equal(["lodash 4.17.15 (package-lock.json) [GHSA-1]: npm install lodash@4.17.21"], lines);
    }

    [Fact]
    public void For_DependencyWithoutFixCommand_SaysUpgradeToFixedVersion()
    {
        var lines = RecommendationWriter.For([Dependency("GHSA-1", "lodash", Severity.High, fixedVersion: "4.17.21")]);

        Assert.Equal(["lodash 4.17.15 (package-lock.json) [GHSA-1]: upgrade lodash to 4.17.21"], lines);
    }

    [Fact]
    public void For_DependencyWithoutFixedVersion_SaysNoneIsPublished()
    {
        var lines = RecommendationWriter.For([Dependency("GHSA-1", "tar", Severity.High, fixedVersion: null, fix: "No fixed version of tar is published")]);

        Assert.Equal(["tar 4.17.15 (package-lock.json) [GHSA-1]: no fixed version of tar is published; replace it or record a time-limited exception"], lines);
    }

    [Fact]
    public void For_SeveralAdvisoriesOfOnePackage_OneLineWithTheWorstAdvisorysCommand()
    {
        var lines = RecommendationWriter.For(
        [
            Dependency("GHSA-low", "lodash", Severity.Low, fixedVersion: "4.17.16", fix: "npm install lodash@4.17.16"),
            Dependency("GHSA-crit", "lodash", Severity.Critical, fixedVersion: "4.17.21", fix: "npm install lodash@4.17.21"),
        ]);

        Assert.Equal(["lodash 4.17.15 (package-lock.json) [GHSA-crit, GHSA-low]: npm install lodash@4.17.21"], lines);
    }

    [Fact]
    public void For_DockerfileFinding_GivesTheRuleFixWithTheLine()
    {
        var rule = DockerfileRules.All.Single(r => r.Id == "DS-0002");
        var finding = Dockerfile("DS-0002", Severity.High, line: 14, fix: null, file: "services/api/Dockerfile") with { Title = rule.Title };

        var lines = RecommendationWriter.For([finding]);

        Assert.Equal([$"services/api/Dockerfile line 14 (DS-0002 {rule.Title}): {rule.Fix}"], lines);
    }

    [Fact]
    public void For_Secret_SaysRemoveRotateAndIgnoreOnlyFixtures()
    {
        var lines = RecommendationWriter.For([Secret("github-pat", Severity.Critical, file: "src/config.js", line: 7)]);

        Assert.Equal(["secret github-pat (github-pat): remove from src/config.js:7, rotate the credential, add to .deploymindignore only if it is a test fixture"], lines);
    }

    [Fact]
    public void For_MixedFindings_MostSevereFirst()
    {
        var lines = RecommendationWriter.For(
        [
            Dockerfile("DS-0026", Severity.Low, line: 1),
            Dependency("GHSA-1", "qs", Severity.Medium, fixedVersion: "6.10.3"),
            Secret("aws-access-key-id", Severity.Critical),
        ]);

        Assert.Equal(3, lines.Count);
        Assert.Contains("remove from src/config.js:3", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("qs ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("Dockerfile line 1 (DS-0026", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Write_NoFindings_IsNull()
    {
        Assert.Null(RecommendationWriter.Write([]));
        Assert.Equal("- upgrade qs to 6.10.3", RecommendationWriter.Write([Dependency("GHSA-1", "qs", Severity.Medium, fixedVersion: "6.10.3") with { FilePath = null, InstalledVersion = null }])!.Replace("qs [GHSA-1]: ", "", StringComparison.Ordinal));
    }
}
