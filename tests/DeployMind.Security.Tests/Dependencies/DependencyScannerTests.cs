using DeployMind.Domain;
using DeployMind.Security.Dependencies;

namespace DeployMind.Security.Tests.Dependencies;

public sealed class DependencyScannerTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static Task<ScanReport> Scan(string root, DependencyScanOptions? options = null) =>
        new DependencyScanner(TestData.Advisories).ScanAsync(root, options ?? new DependencyScanOptions(), CancellationToken.None);

    [Fact]
    public async Task ScanAsync_MalformedLockfiles_AreReportedWithPositionAndOthersStillScanned()
    {
        using var temp = new TempDirectory();
        temp.File("web/package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": { oops }\n}");
        temp.File("api/requirements.txt", "Jinja2==3.0.0\n");
        temp.File("ruby/Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack 2.2.3\n");
        temp.File("java/pom.xml", "<project>\n  <dependencies>\n    <dependency>\n  </dependencies>\n</project>");
        temp.File("rust/Cargo.lock", "[[package]]\nname = \"smallvec\"\nversion = \"0.6.9\nsource = \"x\"\n");
        temp.File("node/pnpm-lock.yaml", "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0: [unclosed\n");
        temp.File("odd/package-lock.json", "[1, 2, 3]");

        var report = await Scan(temp.Path);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(("Jinja2", "GHSA-h5c8-rqwp-cp95", "api/requirements.txt"), (finding.Package, finding.RuleId, finding.FilePath));
        var problems = report.Problems.ToDictionary(p => p.FilePath);
        Assert.Equal(3, problems["web/package-lock.json"].Line);
        Assert.Equal(4, problems["ruby/Gemfile.lock"].Line);
        Assert.Equal(4, problems["java/pom.xml"].Line);
        Assert.Equal(3, problems["rust/Cargo.lock"].Line);
        Assert.NotNull(problems["node/pnpm-lock.yaml"].Line);
        Assert.Contains("odd/package-lock.json", problems.Keys);
        Assert.All(report.Problems, p => Assert.StartsWith("malformed", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScanAsync_WholeFixtureTree_FindsEveryExpectedMatchOnce()
    {
        var expected = ExpectedMatchesTests.Fixtures
            .Sum(row => ((string)row[1]).Split('|', StringSplitOptions.RemoveEmptyEntries).Sum(entry => entry.Split(' ').Length - 1));

        var report = await Scan(TestData.Lockfiles);

        Assert.Equal(expected, report.Findings.Count);
        Assert.Equal(ScanType.Dependencies, report.ScanType);
        Assert.Equal("deploymind-osv", report.ScannerName);
        Assert.All(report.Problems, p => Assert.StartsWith("not checkable", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScanAsync_DevExcluded_DropsDevDependencies()
    {
        var report = await Scan(TestData.Lockfile("npm/v1-trivy"), new DependencyScanOptions { IncludeDev = false });

        Assert.Equal(["body-parser@1.18.3", "ms@1.0.0", "qs@6.5.2"], report.Findings.Select(f => $"{f.Package}@{f.InstalledVersion}").Order());
    }

    [Fact]
    public async Task ScanAsync_InformationalExcluded_DropsRustSecNotices()
    {
        var all = await Scan(TestData.Lockfile("cargo/trivy-ci-test"));
        var report = await Scan(TestData.Lockfile("cargo/trivy-ci-test"), new DependencyScanOptions { IncludeInformational = false });

        Assert.Contains(all.Findings, f => f.RuleId == "RUSTSEC-2018-0017");
        Assert.DoesNotContain(report.Findings, f => f.RuleId == "RUSTSEC-2018-0017");
        Assert.Equal(all.Findings.Count - 1, report.Findings.Count);
    }

    [Fact]
    public async Task ScanAsync_Log4Shell_FindingCarriesSeverityAliasesFixAndPosition()
    {
        var report = await Scan(TestData.Lockfile("maven/log4jpwn"));

        var finding = report.Findings.Single(f => f.RuleId == "GHSA-jfh8-c2jp-5v3q");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("org.apache.logging.log4j:log4j-core", finding.Package);
        Assert.Equal("2.14.0", finding.InstalledVersion);
        Assert.Equal("2.15.0", finding.FixedVersion);
        Assert.Equal("Maven", finding.Ecosystem);
        Assert.Contains("CVE-2021-44228", finding.Aliases);
        Assert.Equal("pom.xml", finding.FilePath);
        Assert.Equal(27, finding.Line); // the <dependency> element
        Assert.Equal("set <version>2.15.0</version> for org.apache.logging.log4j:log4j-core in pom.xml", finding.Fix);
        Assert.Equal("CVE-2021-44228", finding.ToJson()["cve"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("requirements/trivy-integration", "GHSA-h5c8-rqwp-cp95", "pip install 'Jinja2>=3.1.3'")]
    [InlineData("go/trivy-integration", "GO-2021-0113", "go get golang.org/x/text@v0.3.7")]
    [InlineData("cargo/trivy-ci-test", "RUSTSEC-2021-0003", "cargo update -p smallvec --precise 0.6.14")]
    [InlineData("composer/trivy-integration", "GHSA-25mq-v84q-4j7r", "composer require guzzlehttp/guzzle:^7.4.5")]
    [InlineData("nuget/trivy-integration", "GHSA-5crp-9r3c-p9vr", "dotnet add package Newtonsoft.Json --version 13.0.1")]
    [InlineData("bundler/scalibr-rails", "GHSA-wq4h-7r42-5hrr", "bundle update rack (to 2.2.3.1 or later)")]
    [InlineData("npm/v1-trivy", "GHSA-qwcr-r2fm-qrc7", "npm install body-parser@1.20.3")]
    [InlineData("yarn/berry-trivy-happy", "GHSA-fwr7-v2mv-hh25", "yarn add async@3.2.2")]
    [InlineData("pnpm/v6-trivy-integration", "GHSA-gxr4-xjj5-5px2", "pnpm add jquery@3.5.0")]
    [InlineData("poetry/v2.0-trivy-integration", "PYSEC-2023-221", "poetry add 'werkzeug>=2.3.8'")]
    [InlineData("pnpm/v5.4-trivy-many", "GHSA-p8p7-x288-28g6", "No fixed version of request is published; remove or replace it, or accept the risk explicitly.")]
    public async Task ScanAsync_Finding_FixIsTheEcosystemUpgradeCommand(string fixture, string id, string fix)
    {
        var report = await Scan(TestData.Lockfile(fixture));

        Assert.Equal(fix, report.Findings.First(f => f.RuleId == id).Fix);
    }

    [Fact]
    public async Task ScanAsync_NestedNpmDependency_CarriesItsDependencyPath()
    {
        var report = await Scan(TestData.Lockfile("npm/v1-trivy"));

        var ms = report.Findings.Single(f => f.Package == "ms" && f.InstalledVersion == "0.7.2");
        Assert.Equal(["debug", "ms"], ms.DependencyPath);
    }

    [Fact]
    public async Task ScanAsync_UnpinnedRequirements_ReportedNotCheckable()
    {
        var report = await Scan(TestData.Lockfile("requirements/trivy-integration"));

        var problem = Assert.Single(report.Problems);
        Assert.Equal("requirements.txt", problem.FilePath);
        Assert.Contains("MarkupSafe", problem.Message, StringComparison.Ordinal);
        Assert.StartsWith("not checkable", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_EmptyDatabase_ReportsItMissing()
    {
        using var temp = new TempDirectory();
        using var database = VulnerabilityDatabase.Open(Path.Combine(temp.Path, "vuln.db"), new ManualTime(s_now));

        var report = await new DependencyScanner(database, new ManualTime(s_now))
            .ScanAsync(TestData.Lockfile("maven/log4jpwn"), new DependencyScanOptions(), CancellationToken.None);

        Assert.Empty(report.Findings);
        Assert.Contains(report.Problems, p => p.FilePath == database.Path && p.Message.Contains("missing or empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScanAsync_StaleDatabase_StillMatchesAndReportsTheAge()
    {
        using var temp = new TempDirectory();
        var time = new ManualTime(s_now);
        using var database = VulnerabilityDatabase.Open(Path.Combine(temp.Path, "vuln.db"), time);
        await database.ImportAsync([TestData.OsvDirectory], CancellationToken.None);
        var scanner = new DependencyScanner(database, time);
        var options = new DependencyScanOptions { MaxDatabaseAge = TimeSpan.FromDays(7) };

        var fresh = await scanner.ScanAsync(TestData.Lockfile("maven/log4jpwn"), options, CancellationToken.None);
        time.Now = s_now.AddDays(8);
        var stale = await scanner.ScanAsync(TestData.Lockfile("maven/log4jpwn"), options, CancellationToken.None);

        Assert.Empty(fresh.Problems);
        Assert.Equal(2, fresh.Findings.Count);
        Assert.Equal(2, stale.Findings.Count);
        Assert.Contains(stale.Problems, p => p.Message.Contains("stale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScanAsync_FromDatabase_MatchesTheSameAsTheInMemoryIndex()
    {
        using var temp = new TempDirectory();
        using var database = VulnerabilityDatabase.Open(Path.Combine(temp.Path, "vuln.db"), new ManualTime(s_now));
        await database.ImportAsync([TestData.OsvDirectory], CancellationToken.None);

        var fromDatabase = await new DependencyScanner(database, new ManualTime(s_now))
            .ScanAsync(TestData.Lockfiles, new DependencyScanOptions(), CancellationToken.None);
        var fromIndex = await Scan(TestData.Lockfiles);

        Assert.Equal(
            fromIndex.Findings.Select(f => f.Fingerprint).Order(),
            fromDatabase.Findings.Select(f => f.Fingerprint).Order());
    }

    [Fact]
    public async Task ScanAsync_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new DependencyScanner(TestData.Advisories).ScanAsync(TestData.Lockfiles, new DependencyScanOptions(), cancelled.Token));
    }

    [Fact]
    public async Task ScanAsync_MissingRoot_ReportsIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "dm-no-such-" + Guid.NewGuid().ToString("N"));

        var report = await Scan(missing);

        Assert.Empty(report.Findings);
        Assert.Equal(missing, Assert.Single(report.Problems).FilePath);
    }
}
