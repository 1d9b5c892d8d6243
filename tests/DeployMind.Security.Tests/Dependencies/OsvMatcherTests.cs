using DeployMind.Domain;
using DeployMind.Security.Dependencies;
using DeployMind.Security.Dependencies.Osv;

namespace DeployMind.Security.Tests.Dependencies;

public sealed class OsvMatcherTests
{
    private static OsvMatcher Matcher(params OsvRecord[] records) => new(new AdvisoryIndex(records));

    private static OsvRecord Synthetic(string id, string ecosystem, string package, string eventsJson, string aliases = "", string extra = "") =>
        OsvRecord.Parse($$"""
            {
              "id": "{{id}}",
              "modified": "2024-01-01T00:00:00Z",
              "aliases": [{{aliases}}],
              {{extra}}
              "affected": [{ "package": { "ecosystem": "{{ecosystem}}", "name": "{{package}}" },
                             "ranges": [{ "type": "ECOSYSTEM", "events": {{eventsJson}} }] }]
            }
            """);

    [Fact]
    public void Match_WithdrawnRecord_IsIgnored()
    {
        var matcher = new OsvMatcher(TestData.Advisories);

        var matches = matcher.Match(Ecosystems.Npm, "jsonwebtoken", "8.5.1");

        var match = Assert.Single(matches);
        Assert.Equal("GHSA-8cf7-32gw-wr33", match.Id);
        Assert.DoesNotContain(matches, m => m.Id == "GHSA-27h2-hvpr-p74q" || m.Aliases.Contains("GHSA-27h2-hvpr-p74q"));
        Assert.Equal("9.0.0", match.FixedVersion);
    }

    [Fact]
    public void Match_WithdrawnGoAndRustRecords_AreIgnored()
    {
        var matcher = new OsvMatcher(TestData.Advisories);

        Assert.Empty(matcher.Match(Ecosystems.Go, "k8s.io/kubernetes", "1.20.0"));
        Assert.Empty(matcher.Match(Ecosystems.CratesIo, "git2", "0.15.0"));
    }

    [Theory]
    [InlineData("request", "2.88.2", true)]
    [InlineData("request", "2.88.3", false)]
    [InlineData("@cypress/request", "2.88.11", true)]
    [InlineData("@cypress/request", "3.0.0", false)]
    public void Match_LastAffected_IsInclusive(string package, string version, bool affected)
    {
        var matcher = new OsvMatcher(TestData.Advisories);

        var matches = matcher.Match(Ecosystems.Npm, package, version);

        Assert.Equal(affected, matches.Any(m => m.Id == "GHSA-p8p7-x288-28g6"));
        if (affected)
        {
            Assert.Null(matches.Single(m => m.Id == "GHSA-p8p7-x288-28g6").FixedVersion);
        }
    }

    [Theory]
    [InlineData("4.0.0", "6.2.4")]
    [InlineData("6.5.2", "6.5.3")]
    [InlineData("6.10.1", "6.10.3")]
    public void Match_MultipleRanges_FixedVersionEndsTheRangeHoldingTheVersion(string version, string fixedVersion)
    {
        var match = Assert.Single(new OsvMatcher(TestData.Advisories).Match(Ecosystems.Npm, "qs", version));

        Assert.Equal(fixedVersion, match.FixedVersion);
    }

    [Theory]
    [InlineData("6.5.3")]
    [InlineData("6.2.4")]
    [InlineData("6.11.0")]
    public void Match_VersionEqualToFixed_IsNotAffected(string version) =>
        Assert.Empty(new OsvMatcher(TestData.Advisories).Match(Ecosystems.Npm, "qs", version));

    [Fact]
    public void Match_PrereleaseInsidePrereleaseBound_IsAffected()
    {
        var matcher = new OsvMatcher(TestData.Advisories);

        var ids = matcher.Match(Ecosystems.Npm, "express", "5.0.0-beta.1").Select(m => m.Id).Order().ToList();

        Assert.Equal(["GHSA-qw6h-vgh9-j6wx", "GHSA-rv95-896h-c2vc"], ids);
        Assert.Equal(["GHSA-qw6h-vgh9-j6wx"], matcher.Match(Ecosystems.Npm, "express", "5.0.0-beta.3").Select(m => m.Id));
    }

    [Fact]
    public void Match_AliasedRecordsOfOneVulnerability_MergeIntoOneMatch()
    {
        var ghsa = Synthetic("GHSA-aaaa-bbbb-cccc", "PyPI", "Example-Pkg", """[{"introduced":"0"},{"fixed":"2.0"}]""", "\"CVE-2024-0001\"",
            """ "database_specific": { "severity": "HIGH" }, """);
        var pysec = Synthetic("PYSEC-2024-1", "PyPI", "example_pkg", """[{"introduced":"1.0"},{"fixed":"2.1"}]""", "\"CVE-2024-0001\", \"GHSA-aaaa-bbbb-cccc\"");
        var other = Synthetic("PYSEC-2024-2", "PyPI", "example-pkg", """[{"introduced":"0"},{"fixed":"3.0"}]""", "\"CVE-2024-0002\"");

        var matches = Matcher(ghsa, pysec, other).Match(Ecosystems.PyPI, "EXAMPLE.pkg", "1.5");

        Assert.Equal(2, matches.Count);
        var merged = matches.Single(m => m.Id == "GHSA-aaaa-bbbb-cccc");
        Assert.Equal(["CVE-2024-0001", "PYSEC-2024-1"], merged.Aliases);
        Assert.Equal(2, merged.Records.Count);
        Assert.Equal("2.1", merged.FixedVersion); // the upgrade must fix both records
        Assert.Equal(Severity.High, merged.Severity);
        Assert.Equal("PYSEC-2024-2", matches.Single(m => m != merged).Id);
    }

    [Fact]
    public void Match_ExplicitVersionsList_MatchesNonNormalizedSpellings()
    {
        var record = OsvRecord.Parse("""
            { "id": "PYSEC-X", "affected": [{ "package": { "ecosystem": "PyPI", "name": "lxml" }, "versions": ["1.0.beta", "2.0alpha1"] }] }
            """);

        Assert.Single(Matcher(record).Match(Ecosystems.PyPI, "lxml", "1.0b0"));
        Assert.Single(Matcher(record).Match(Ecosystems.PyPI, "lxml", "2.0a1"));
        Assert.Empty(Matcher(record).Match(Ecosystems.PyPI, "lxml", "2.0"));
    }

    [Fact]
    public void Match_GitRangeOnly_IsIgnoredForVersions()
    {
        var record = OsvRecord.Parse("""
            { "id": "X-1", "affected": [{ "package": { "ecosystem": "PyPI", "name": "p" },
              "ranges": [{ "type": "GIT", "repo": "https://example.invalid/p", "events": [{"introduced":"0"},{"fixed":"abcdef"}] }] }] }
            """);

        Assert.Empty(Matcher(record).Match(Ecosystems.PyPI, "p", "1.0"));
    }

    [Theory]
    [InlineData("1.4.9", true)]
    [InlineData("1.5.0", false)]
    [InlineData("2.0.0", false)]
    public void Match_LimitEvent_EndsTheRange(string version, bool affected)
    {
        var record = Synthetic("X-2", "npm", "p", """[{"introduced":"1.0.0"},{"limit":"1.5.0"}]""");

        Assert.Equal(affected, Matcher(record).Match(Ecosystems.Npm, "p", version).Count == 1);
    }

    [Fact]
    public void Match_UnsortedEvents_AreWalkedInVersionOrder()
    {
        var record = Synthetic("X-3", "npm", "p", """[{"fixed":"2.0.0"},{"introduced":"1.5.0"},{"fixed":"1.2.0"},{"introduced":"0"}]""");

        Assert.Single(Matcher(record).Match(Ecosystems.Npm, "p", "1.1.0"));
        Assert.Empty(Matcher(record).Match(Ecosystems.Npm, "p", "1.3.0"));
        Assert.Equal("2.0.0", Matcher(record).Match(Ecosystems.Npm, "p", "1.9.0").Single().FixedVersion);
    }

    [Fact]
    public void Match_MultiEcosystemRecord_MatchesOnlyTheQueriedEcosystem()
    {
        var matcher = new OsvMatcher(TestData.Advisories);

        Assert.Single(matcher.Match(Ecosystems.NuGet, "JQuery", "3.4.1"));
        Assert.Single(matcher.Match(Ecosystems.Maven, "org.webjars.npm:jquery", "3.4.1"));
        Assert.Empty(matcher.Match(Ecosystems.RubyGems, "jquery", "3.4.1"));
        Assert.Single(matcher.Match(Ecosystems.RubyGems, "jquery-rails", "4.3.5"));
        Assert.Empty(matcher.Match(Ecosystems.RubyGems, "jquery-rails", "4.4.0"));
    }

    [Fact]
    public void Match_RangeAuthoritativeOverLastKnownAffectedText_AffectsRequests2320()
    {
        var match = Assert.Single(new OsvMatcher(TestData.Advisories).Match(Ecosystems.PyPI, "requests", "2.32.0"));

        Assert.Equal("GHSA-9wx4-h78v-vm56", match.Id);
        Assert.Equal("2.32.2", match.FixedVersion);
    }

    [Fact]
    public void Match_InformationalRustSec_IsMarked()
    {
        var match = Assert.Single(new OsvMatcher(TestData.Advisories).Match(Ecosystems.CratesIo, "tempdir", "0.3.7"));

        Assert.Equal("unmaintained", match.Informational);
        Assert.Null(match.FixedVersion);
    }

    [Theory]
    [InlineData("GHSA-jfh8-c2jp-5v3q", Severity.Critical)] // CVSS 3.1 vector, 10.0
    [InlineData("GHSA-269g-pwp5-87pp", Severity.Medium)]   // CVSS 4.4
    [InlineData("GHSA-5crp-9r3c-p9vr", Severity.Low)]      // no vector: database rating LOW
    [InlineData("GHSA-8cf7-32gw-wr33", Severity.Medium)]   // no vector: database rating MODERATE
    [InlineData("GO-2023-1737", Severity.Unknown)]         // Go records carry no severity
    public void SeverityOf_Record_UsesCvssElseDatabaseRating(string id, Severity expected) =>
        Assert.Equal(expected, OsvMatcher.SeverityOf(TestData.Record(id)).Severity);

    [Fact]
    public void Match_GoVersionWithLeadingV_IsMatchedAgainstSemverRange()
    {
        var ids = new OsvMatcher(TestData.Advisories).Match(Ecosystems.Go, "github.com/gin-gonic/gin", "v1.8.1").Select(m => m.Id);

        Assert.Equal(["GO-2023-1737"], ids);
    }

    [Fact]
    public void Match_RecordWithExplicitNulls_IsReadAsEmptyLists()
    {
        var record = OsvRecord.Parse("""
            { "id": "X-4", "aliases": null, "severity": null,
              "affected": [{ "package": { "ecosystem": "npm", "name": "p" }, "versions": null,
                             "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "0" }, null, { "fixed": "1.0.0" }] }] }] }
            """);

        var match = Assert.Single(Matcher(record).Match(Ecosystems.Npm, "p", "0.9.0"));

        Assert.Empty(match.Aliases);
        Assert.Equal("1.0.0", match.FixedVersion);
    }

    [Theory]
    [InlineData("Packagist", "GuzzleHttp/Guzzle", "7.4.4", "GHSA-25mq-v84q-4j7r")]
    [InlineData("Packagist", "guzzlehttp/guzzle", "v6.5.7", "GHSA-25mq-v84q-4j7r")]
    [InlineData("NuGet", "newtonsoft.json", "12.0.3", "GHSA-5crp-9r3c-p9vr")]
    [InlineData("PyPI", "Py_Yaml", "5.3.1", null)]
    [InlineData("PyPI", "pyyaml", "5.3.1", "GHSA-8q59-q68h-6hv4")]
    [InlineData("RubyGems", "rack", "2.1.4", "GHSA-wq4h-7r42-5hrr")]
    [InlineData("RubyGems", "rack", "2.1.4.1", null)]
    [InlineData("Maven", "org.apache.logging.log4j:log4j-core", "2.12.1", "GHSA-jfh8-c2jp-5v3q")]
    [InlineData("Maven", "org.apache.logging.log4j:log4j-core", "2.12.2", null)]
    [InlineData("Maven", "org.apache.logging.log4j:log4j-core", "2.15.0-rc1", "GHSA-jfh8-c2jp-5v3q")]
    public void Match_EcosystemNamesAndOrders_FollowTheEcosystem(string ecosystem, string name, string version, string? id)
    {
        var matches = new OsvMatcher(TestData.Advisories).Match(ecosystem, name, version);

        Assert.Equal(id is null ? [] : [id], matches.Select(m => m.Id));
    }

    [Theory]
    [InlineData("PyPI", "pyyaml", "not a version")]
    [InlineData("Packagist", "guzzlehttp/guzzle", "dev-main")]
    [InlineData("npm", "lodash", "latest")]
    public void Match_VersionOutsideTheScheme_IsNotRangeMatched(string ecosystem, string name, string version) =>
        Assert.Empty(new OsvMatcher(TestData.Advisories).Match(ecosystem, name, version));
}
