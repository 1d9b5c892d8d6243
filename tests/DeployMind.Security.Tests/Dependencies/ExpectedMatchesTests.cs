using DeployMind.Security.Dependencies;

namespace DeployMind.Security.Tests.Dependencies;

/// <summary>The expected matches of <c>testdata/README.md</c>: every fixture scanned against every record of <c>testdata/osv</c>.</summary>
public sealed class ExpectedMatchesTests
{
    private const string Lodash = "GHSA-p6mc-m468-83gw GHSA-jf85-cpcp-j695 GHSA-35jh-r3h4-6jhm GHSA-29mw-wpgm-hmr9";
    private const string Requests = "PYSEC-2023-74 GHSA-9wx4-h78v-vm56";
    private const string Rails = "actionpack@7.0.2.2 GHSA-8xww-x3g3-6jcv|rack@2.2.3 GHSA-wq4h-7r42-5hrr|nokogiri@1.13.3 GHSA-crjr-9rc5-ghw8";
    private const string XNet2020 = "GO-2022-0236 GO-2022-0969 GO-2022-1144 GO-2023-1571 GO-2023-2102";

    /// <summary>Fixture folder, then "package@version ID [ID...]" entries separated by '|' (empty: no matches).</summary>
    public static TheoryData<string, string> Fixtures => new()
    {
        { "npm/v1-nodejs-goof-image-app", "express@4.13.4 GHSA-rv95-896h-c2vc GHSA-qw6h-vgh9-j6wx|minimist@1.2.5 GHSA-xvch-5gv4-984h|qs@4.0.0 GHSA-hrpp-h998-j3pp|debug@2.2.0 GHSA-gxpj-cx7g-858c|ms@0.7.1 GHSA-w9mr-4mfr-499f" },
        { "npm/v1-trivy", "body-parser@1.18.3 GHSA-qwcr-r2fm-qrc7|qs@6.5.2 GHSA-hrpp-h998-j3pp|debug@2.5.2 GHSA-gxpj-cx7g-858c|ms@0.7.2 GHSA-w9mr-4mfr-499f|ms@1.0.0 GHSA-w9mr-4mfr-499f" },
        { "npm/v3-trivy", "body-parser@1.18.3 GHSA-qwcr-r2fm-qrc7|qs@6.5.2 GHSA-hrpp-h998-j3pp|debug@2.5.2 GHSA-gxpj-cx7g-858c|ms@0.7.2 GHSA-w9mr-4mfr-499f|ms@1.0.0 GHSA-w9mr-4mfr-499f" },
        { "npm/v2-osv-scanner-in-place-npm", "request@2.88.2 GHSA-p8p7-x288-28g6|semver@4.3.6 GHSA-c2qf-rxjj-qqgw" },
        { "npm/v2-scalibr-alias", "" },
        { "npm/v2-scalibr-files", "" },
        { "npm/v3-trivy-workspace", "debug@2.5.2 GHSA-gxpj-cx7g-858c|ms@0.7.2 GHSA-w9mr-4mfr-499f" },
        { "npm/v3-aspire-postgres-node-service", "" },
        { "yarn/v1-trivy-happy", $"lodash@4.17.11 {Lodash}|jquery@3.4.1 GHSA-gxr4-xjj5-5px2|ansi-regex@3.0.0 GHSA-93q8-gq69-wqmw" },
        { "yarn/v1-scalibr-aliases", "" },
        { "yarn/berry-scalibr-aliases", "" },
        { "yarn/v1-scalibr-prerelease", "node-fetch@3.0.0-beta.9 GHSA-r683-j2x4-v87g" },
        { "yarn/v1-scalibr-commits", "" },
        { "yarn/berry-trivy-happy", "async@3.2.0 GHSA-fwr7-v2mv-hh25" },
        { "yarn/berry-scalibr-commits", "" },
        { "pnpm/v5.4-trivy-many", "request@2.88.2 GHSA-p8p7-x288-28g6" },
        { "pnpm/v6-trivy-integration", $"lodash@4.17.4 {Lodash}|jquery@3.3.9 GHSA-gxr4-xjj5-5px2" },
        { "pnpm/v9-trivy", "" },
        { "requirements/trivy-integration", "Flask@2.0.0 GHSA-m2qf-hxjv-5gpq|Jinja2@3.0.0 GHSA-h5c8-rqwp-cp95|Werkzeug@0.11 PYSEC-2023-221" },
        { "requirements/trivy-hashes", "Jinja2@3.0.0 GHSA-h5c8-rqwp-cp95" },
        { "requirements/trivy-operators-markers", "" },
        { "requirements/scalibr-include", "" },
        { "requirements/scalibr-extras", "pyjwt@2.1.0 GHSA-ffqj-6fqr-9h24" },
        { "poetry/v1.1-trivy-flask", "flask@1.0.3 GHSA-m2qf-hxjv-5gpq" },
        { "poetry/v2.1-trivy-flask", "flask@1.0.3 GHSA-m2qf-hxjv-5gpq" },
        { "poetry/v2.0-trivy-integration", "werkzeug@0.14 PYSEC-2023-221" },
        { "poetry/v1.1-scalibr-source-git", "" },
        { "pipenv/trivy-ci-test", $"django@2.0.9 GHSA-wh4h-v3f2-r2pp|requests@2.21.0 {Requests}|urllib3@1.24.1 GHSA-v845-jxx5-vc9f|pyyaml@5.1 GHSA-8q59-q68h-6hv4|jinja2@2.10.1 GHSA-h5c8-rqwp-cp95|pyjwt@1.7.1 GHSA-ffqj-6fqr-9h24|black@18.6b4 GHSA-fj7x-q9j7-g6q6" },
        { "pipenv/trivy-django", $"requests@2.21.0 {Requests}|urllib3@1.24.2 GHSA-v845-jxx5-vc9f|pyyaml@5.1 GHSA-8q59-q68h-6hv4" },
        { "uv/trivy-normal", "requests@2.32.0 GHSA-9wx4-h78v-vm56" },
        { "uv/trivy-integration", "werkzeug@0.11.1 PYSEC-2023-221" },
        { "uv/scalibr-source-git", "" },
        { "go/gin-examples-2020", $"github.com/gin-gonic/gin@1.5.0 GO-2020-0001 GO-2021-0052 GO-2023-1737|golang.org/x/crypto@0.0.0-20190308221718-c2843e01d9a2 GO-2020-0012 GO-2021-0356 GO-2022-0968 GO-2023-2402|golang.org/x/net@0.0.0-20190620200207-3b0461eec859 {XNet2020}" },
        { "go/gin-examples-2022", "github.com/gin-gonic/gin@1.8.1 GO-2023-1737|golang.org/x/crypto@0.0.0-20220722155217-630584e8d5aa GO-2023-2402|golang.org/x/net@0.0.0-20220725212005-46097bf591d3 GO-2022-0969 GO-2022-1144 GO-2023-1495 GO-2023-1571 GO-2023-2102" },
        { "go/go-gin-example", "github.com/dgrijalva/jwt-go@3.1.0+incompatible GO-2020-0017|github.com/gin-gonic/gin@1.4.0 GO-2020-0001 GO-2021-0052 GO-2023-1737|golang.org/x/image@0.0.0-20180628062038-cc896f830ced GO-2023-1572|golang.org/x/sys@0.0.0-20190921204832-2dccfee4fd3e GO-2022-0493" },
        { "go/trivy-integration", "golang.org/x/crypto@0.0.0-20201002170205-7f63de1d35b0 GO-2021-0356 GO-2022-0968 GO-2023-2402|golang.org/x/net@0.0.0-20211111083644-e5c967477495 GO-2022-0969 GO-2022-1144 GO-2023-1571 GO-2023-2102|golang.org/x/sys@0.0.0-20211205182925-97ca703d548d GO-2022-0493|golang.org/x/text@0.3.6 GO-2021-0113|gopkg.in/yaml.v3@3.0.0-20210107192922-496545a6307b GO-2022-0603" },
        { "go/osv-scanner-call-analysis", "github.com/gogo/protobuf@1.3.1 GO-2021-0053|github.com/ipfs/go-bitfield@1.0.0 GO-2023-1558|golang.org/x/image@0.4.0 GO-2023-1572" },
        { "go/osv-scanner-replace-local", "" },
        { "cargo/trivy-ci-test", "smallvec@0.6.9 RUSTSEC-2019-0009 RUSTSEC-2019-0012 RUSTSEC-2021-0003|ammonia@1.9.0 RUSTSEC-2019-0001 RUSTSEC-2021-0074|openssl@0.8.3 RUSTSEC-2016-0001|idna@0.1.5 RUSTSEC-2024-0421|remove_dir_all@0.5.1 RUSTSEC-2023-0018|tempdir@0.3.7 RUSTSEC-2018-0017" },
        { "cargo/trivy-normal", "idna@0.1.5 RUSTSEC-2024-0421" },
        { "cargo/trivy-integration", "" },
        { "cargo/osv-scanner-deprecated-vuln", "net2@0.2.33 RUSTSEC-2020-0078" },
        { "bundler/scalibr-rails", Rails },
        { "bundler/scalibr-local-gem", Rails },
        { "bundler/scalibr-git-gem", "rack@2.2.3 GHSA-wq4h-7r42-5hrr" },
        { "composer/trivy-integration", "guzzlehttp/guzzle@7.4.4 GHSA-25mq-v84q-4j7r|guzzlehttp/psr7@1.8.3 GHSA-q7rv-6hp3-vh96" },
        { "composer/osv-scanner-insecure", "league/flysystem@1.0.8 GHSA-9f46-5r25-5wfm" },
        { "composer/osv-scanner-many-with-insecure", "league/flysystem@1.0.8 GHSA-9f46-5r25-5wfm" },
        { "nuget/trivy-integration", "Newtonsoft.Json@12.0.3 GHSA-5crp-9r3c-p9vr" },
        { "nuget/trivy-multi-target", "Newtonsoft.Json@12.0.3 GHSA-5crp-9r3c-p9vr" },
        { "nuget/osv-scanner-patched", "" },
        { "maven/log4jpwn", "org.apache.logging.log4j:log4j-core@2.14.0 GHSA-jfh8-c2jp-5v3q|junit:junit@4.11 GHSA-269g-pwp5-87pp" },
        { "maven/osv-scanner-log4j-web", "" },
        { "maven/scalibr-dependency-management", "" },
        { "maven/scalibr-interpolation", "" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task ScanAsync_Fixture_ReportsExactlyTheExpectedMatches(string fixture, string expected)
    {
        var scanner = new DependencyScanner(TestData.Advisories);

        var report = await scanner.ScanAsync(TestData.Lockfile(fixture), new DependencyScanOptions(), CancellationToken.None);

        var expectedPairs = expected.Split('|', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(entry =>
            {
                var parts = entry.Split(' ');
                return parts.Skip(1).Select(id => $"{parts[0]} {id}");
            })
            .Order(StringComparer.Ordinal)
            .ToList();
        var actualPairs = report.Findings
            .Select(f => $"{f.Package}@{f.InstalledVersion} {f.RuleId}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expectedPairs, actualPairs);
        Assert.All(report.Problems, p => Assert.StartsWith("not checkable", p.Message, StringComparison.Ordinal));
    }
}
