using DeployMind.Security.Dependencies;
using DeployMind.Security.Dependencies.Lockfiles;

namespace DeployMind.Security.Tests.Dependencies;

public sealed class LockfileParserTests
{
    private static LockfileParseResult Parse(string relative)
    {
        var path = TestData.Lockfile(relative);
        var parser = new LockfileDetector().ParserFor(Path.GetFileName(path)) ?? throw new InvalidOperationException($"no parser for {relative}");
        return parser.Parse(path, relative);
    }

    private static int DistinctPairs(LockfileParseResult result) =>
        result.Dependencies.Select(d => (Ecosystems.NormalizeName(d.Ecosystem, d.Name), d.Version)).Distinct().Count();

    private static Dependency Single(LockfileParseResult result, string name, string version) =>
        Assert.Single(result.Dependencies, d => d.Name == name && d.Version == version);

    [Theory]
    [InlineData("npm/v1-nodejs-goof-image-app/package-lock.json", "npm", 63)]
    [InlineData("npm/v1-trivy/package-lock.json", "npm", 31)]
    [InlineData("npm/v3-trivy/package-lock.json", "npm", 31)]
    [InlineData("npm/v2-osv-scanner-in-place-npm/package-lock.json", "npm", 106)]
    [InlineData("npm/v2-scalibr-alias/package-lock.json", "npm", 3)]
    [InlineData("npm/v2-scalibr-files/package-lock.json", "npm", 2)]
    [InlineData("npm/v3-trivy-workspace/package-lock.json", "npm", 4)]
    [InlineData("npm/v3-aspire-postgres-node-service/package-lock.json", "npm", 160)]
    [InlineData("yarn/v1-trivy-happy/yarn.lock", "npm", 18)]
    [InlineData("yarn/berry-trivy-happy/yarn.lock", "npm", 16)]
    [InlineData("yarn/v1-scalibr-aliases/yarn.lock", "npm", 3)]
    [InlineData("yarn/berry-scalibr-aliases/yarn.lock", "npm", 3)]
    [InlineData("yarn/v1-scalibr-prerelease/yarn.lock", "npm", 5)]
    [InlineData("yarn/v1-scalibr-commits/yarn.lock", "npm", 0)]
    [InlineData("yarn/berry-scalibr-commits/yarn.lock", "npm", 0)]
    [InlineData("pnpm/v5.4-trivy-many/pnpm-lock.yaml", "npm", 134)]
    [InlineData("pnpm/v6-trivy-integration/pnpm-lock.yaml", "npm", 2)]
    [InlineData("pnpm/v9-trivy/pnpm-lock.yaml", "npm", 17)]
    [InlineData("requirements/trivy-integration/requirements.txt", "PyPI", 7)]
    [InlineData("poetry/v1.1-trivy-flask/poetry.lock", "PyPI", 15)]
    [InlineData("poetry/v2.1-trivy-flask/poetry.lock", "PyPI", 15)]
    [InlineData("poetry/v1.1-scalibr-source-git/poetry.lock", "PyPI", 0)]
    [InlineData("uv/trivy-normal/uv.lock", "PyPI", 20)]
    [InlineData("uv/scalibr-source-git/uv.lock", "PyPI", 0)]
    [InlineData("go/gin-examples-2020/go.mod", "Go", 18)]
    [InlineData("go/gin-examples-2022/go.mod", "Go", 14)]
    [InlineData("go/go-gin-example/go.mod", "Go", 29)]
    [InlineData("go/trivy-integration/go.mod", "Go", 18)]
    [InlineData("go/osv-scanner-replace-local/go.mod", "Go", 0)]
    [InlineData("cargo/trivy-ci-test/Cargo.lock", "crates.io", 73)]
    [InlineData("bundler/scalibr-rails/Gemfile.lock", "RubyGems", 46)]
    [InlineData("bundler/scalibr-local-gem/Gemfile.lock", "RubyGems", 29)]
    [InlineData("composer/osv-scanner-many-with-insecure/composer.lock", "Packagist", 6)]
    [InlineData("nuget/trivy-multi-target/packages.lock.json", "NuGet", 40)]
    [InlineData("maven/log4jpwn/pom.xml", "Maven", 5)]
    public void Parse_RealFixture_ExtractsTheRegistryPackages(string relative, string ecosystem, int pairs)
    {
        var result = Parse(relative);

        Assert.Equal(pairs, DistinctPairs(result));
        Assert.All(result.Dependencies, d => Assert.Equal(ecosystem, d.Ecosystem));
        Assert.All(result.Dependencies, d => Assert.Equal(relative, d.FilePath));
    }

    [Fact]
    public void Parse_PackageLockV1_NestsDependencyPathAndDevFlag()
    {
        var result = Parse("npm/v1-trivy/package-lock.json");

        var ms = Single(result, "ms", "0.7.2");
        Assert.True(ms.IsDev);
        Assert.Equal(["debug", "ms"], ms.DependencyPath);
        Assert.NotNull(ms.Line);
        Assert.False(Single(result, "body-parser", "1.18.3").IsDev);
    }

    [Fact]
    public void Parse_PackageLockV3_PathFromNodeModulesNesting()
    {
        var result = Parse("npm/v3-trivy/package-lock.json");

        var ms = Single(result, "ms", "0.7.2");
        Assert.Equal(["debug", "ms"], ms.DependencyPath);
        Assert.True(ms.IsDev);
        var text = File.ReadAllLines(TestData.Lockfile("npm/v3-trivy/package-lock.json"));
        Assert.Contains("\"node_modules/debug/node_modules/ms\"", text[ms.Line!.Value - 1], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PackageLockAliases_UseTheRealPackageName()
    {
        var names = Parse("npm/v2-scalibr-alias/package-lock.json").Dependencies.Select(d => $"{d.Name}@{d.Version}").Order().ToList();

        Assert.Equal(["@babel/code-frame@7.0.0", "string-width@4.2.0", "string-width@5.1.2"], names);
    }

    [Fact]
    public void Parse_YarnAliases_ResolveToTheRealName()
    {
        foreach (var file in new[] { "yarn/v1-scalibr-aliases/yarn.lock", "yarn/berry-scalibr-aliases/yarn.lock" })
        {
            var names = Parse(file).Dependencies.Select(d => $"{d.Name}@{d.Version}").Order().ToList();
            Assert.Equal(["@babel/helper-validator-identifier@7.22.20", "ansi-regex@5.0.1", "ansi-regex@6.0.1"], names);
        }
    }

    [Fact]
    public void Parse_YarnClassic_LineIsTheEntryHeader()
    {
        var result = Parse("yarn/v1-trivy-happy/yarn.lock");
        var lodash = Single(result, "lodash", "4.17.11");

        var header = File.ReadAllLines(TestData.Lockfile("yarn/v1-trivy-happy/yarn.lock"))[lodash.Line!.Value - 1];

        Assert.StartsWith("lodash@", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PnpmPeerSuffixes_AreStrippedFromVersions()
    {
        Assert.Single(Parse("pnpm/v5.4-trivy-many/pnpm-lock.yaml").Dependencies, d => d.Name == "debug" && d.Version == "4.3.4");
        var v9 = Parse("pnpm/v9-trivy/pnpm-lock.yaml");
        Assert.Single(v9.Dependencies, d => d.Name == "debug" && d.Version == "4.3.4");
        Assert.DoesNotContain(v9.Dependencies, d => d.Name == "lodash" || d.Name == "is-negative" || d.Name == "package1");
    }

    [Fact]
    public void Parse_RequirementsWithRanges_ReportsThemNotCheckable()
    {
        var result = Parse("requirements/trivy-operators-markers/requirements.txt");

        Assert.Equal(["Django@2.3.4", "SomeProject@5.4"], result.Dependencies.Select(d => $"{d.Name}@{d.Version}").Order().ToList());
        Assert.Contains(result.Problems, p => p.Line == 1 && p.Message.Contains("keyring", StringComparison.Ordinal) && p.Message.StartsWith("not checkable", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Message.Contains("numpyNew has no version", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RequirementsInclude_FollowsDashRAndReportsItsFile()
    {
        var result = Parse("requirements/scalibr-include/requirements.txt");

        var pandas = Single(result, "pandas", "2.2.3");
        Assert.Equal("requirements/scalibr-include/other-requirements.txt", pandas.FilePath);
        Single(result, "docopt", "0.6.1");
        Assert.Contains(result.Problems, p => p.Message.Contains("requests", StringComparison.Ordinal) && p.Message.Contains("== 2.8.*", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RequirementsHashContinuations_KeepThePin()
    {
        var jinja = Single(Parse("requirements/trivy-hashes/requirements.txt"), "Jinja2", "3.0.0");

        Assert.Equal(4, jinja.Line);
    }

    [Fact]
    public void Parse_PipfileLock_DevelopIsDev()
    {
        var result = Parse("pipenv/trivy-ci-test/Pipfile.lock");

        Assert.True(Single(result, "black", "18.6b4").IsDev);
        Assert.False(Single(result, "django", "2.0.9").IsDev);
        Assert.DoesNotContain(result.Dependencies, d => d.Name == "django-postgres-extra");
        Assert.Equal(2, result.Dependencies.Count(d => d.Name == "urllib3"));
    }

    [Fact]
    public void Parse_PoetryV1AndV2_AgreeOnPackages()
    {
        var v1 = Parse("poetry/v1.1-trivy-flask/poetry.lock").Dependencies.Select(d => $"{d.Name}@{d.Version}").Order();
        var v2 = Parse("poetry/v2.1-trivy-flask/poetry.lock").Dependencies.Select(d => $"{d.Name}@{d.Version}").Order();

        Assert.Equal(v1, v2);
    }

    [Fact]
    public void Parse_GoMod_StripsVAndKeepsIncompatible()
    {
        var result = Parse("go/go-gin-example/go.mod");

        var jwt = Single(result, "github.com/dgrijalva/jwt-go", "3.1.0+incompatible");
        Assert.Contains("github.com/dgrijalva/jwt-go", File.ReadAllLines(TestData.Lockfile("go/go-gin-example/go.mod"))[jwt.Line!.Value - 1], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_GoModReplaceWithModule_UsesTheReplacement()
    {
        using var temp = new TempDirectory();
        var path = temp.File("go.mod", """
            module example.com/app

            require (
                golang.org/x/net v0.1.0
                golang.org/x/text v0.3.0 // indirect
            )
            replace golang.org/x/net => example.com/fork/net v0.2.0
            replace golang.org/x/text v0.3.0 => ../text
            """);

        var result = new GoModParser().Parse(path, "go.mod");

        var dependency = Assert.Single(result.Dependencies);
        Assert.Equal(("example.com/fork/net", "0.2.0"), (dependency.Name, dependency.Version));
    }

    [Fact]
    public void Parse_GoSumWithoutGoMod_TakesNewestVersionPerModule()
    {
        using var temp = new TempDirectory();
        var path = temp.File("go.sum", """
            golang.org/x/text v0.3.0 h1:abc=
            golang.org/x/text v0.3.0/go.mod h1:def=
            golang.org/x/text v0.3.7/go.mod h1:ghi=
            """);

        var dependency = Assert.Single(new GoModParser().Parse(path, "go.sum").Dependencies);

        Assert.Equal("0.3.7", dependency.Version);
    }

    [Fact]
    public void Parse_CargoLock_SkipsLocalCratesAndKeepsTwoVersionsOfOne()
    {
        var result = Parse("cargo/trivy-integration/Cargo.lock");

        Assert.Equal(["1.0.2", "2.7.4"], result.Dependencies.Where(d => d.Name == "memchr").Select(d => d.Version).Order());
        Assert.DoesNotContain(result.Dependencies, d => d.Name == "app");
    }

    [Fact]
    public void Parse_GemfileLock_StripsPlatformAndSkipsPathAndGitGems()
    {
        Single(Parse("bundler/scalibr-rails/Gemfile.lock"), "nokogiri", "1.13.3");
        var local = Parse("bundler/scalibr-local-gem/Gemfile.lock");
        Assert.DoesNotContain(local.Dependencies, d => d.Name == "backbone-on-rails");
        Single(local, "eco-source", "1.1.0.rc.1");
        Assert.DoesNotContain(Parse("bundler/scalibr-git-gem/Gemfile.lock").Dependencies, d => d.Name.StartsWith("hanami", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NuGetMultiTarget_ReportsEachPackageOnce()
    {
        var result = Parse("nuget/trivy-multi-target/packages.lock.json");

        Assert.Equal(result.Dependencies.Count, DistinctPairs(result));
        Single(result, "Newtonsoft.Json", "12.0.3");
    }

    [Fact]
    public void Parse_PomXml_TestScopeIsDevAndPluginsAreIgnored()
    {
        var result = Parse("maven/log4jpwn/pom.xml");

        Assert.True(Single(result, "junit:junit", "4.11").IsDev);
        Assert.False(Single(result, "org.apache.logging.log4j:log4j-core", "2.14.0").IsDev);
        Assert.DoesNotContain(result.Dependencies, d => d.Name.Contains("plugin", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_PomXmlProperties_InterpolatedAndRangesNotCheckable()
    {
        var result = Parse("maven/scalibr-interpolation/pom.xml");

        Single(result, "org.mine:mypackage", "1.0.0");
        Single(result, "org.mine:my.package", "2.3.4");
        var problem = Assert.Single(result.Problems);
        Assert.Contains("org.mine:ranged-package", problem.Message, StringComparison.Ordinal);
        Assert.NotNull(problem.Line);
    }

    [Fact]
    public void Parse_PomXmlDependencyVersion_WinsOverDependencyManagement()
    {
        Single(Parse("maven/scalibr-dependency-management/pom.xml"), "io.netty:netty-all", "4.1.9");
    }

    [Fact]
    public void Detect_SourceTree_FindsLockfilesAndSkipsVendoredFolders()
    {
        using var temp = new TempDirectory();
        temp.File("package-lock.json", "{}");
        temp.File("node_modules/x/package-lock.json", "{}");
        temp.File("vendor/composer.lock", "{}");
        temp.File(".git/yarn.lock", "");
        temp.File("svc/go.mod", "module a");
        temp.File("svc/go.sum", "");
        temp.File("py/requirements-dev.txt", "");
        temp.File("README.md", "");

        var found = new LockfileDetector().Detect(temp.Path).Select(f => f.RelativePath).ToList();

        Assert.Equal(["package-lock.json", "py/requirements-dev.txt", "svc/go.mod"], found);
    }

    [Theory]
    [InlineData("npm/v3-trivy/package-lock.json", "qs", "6.5.2", "body-parser > qs")]
    [InlineData("npm/v2-osv-scanner-in-place-npm/package-lock.json", "request", "2.88.2", "npm-registry-client > request")]
    [InlineData("yarn/v1-trivy-happy/yarn.lock", "ansi-regex", "3.0.0", "wide-align > string-width > strip-ansi > ansi-regex")]
    [InlineData("yarn/berry-trivy-happy/yarn.lock", "async", "3.2.0", "async")]
    [InlineData("pnpm/v5.4-trivy-many/pnpm-lock.yaml", "debug", "4.3.4", "mocha > debug")]
    [InlineData("pnpm/v9-trivy/pnpm-lock.yaml", "ms", "2.1.2", "debug > ms")]
    [InlineData("poetry/v2.1-trivy-flask/poetry.lock", "markupsafe", "3.0.2", "flask > jinja2 > markupsafe")]
    [InlineData("cargo/trivy-ci-test/Cargo.lock", "smallvec", "0.6.9", "ammonia > url > idna > unicode-normalization > smallvec")]
    [InlineData("cargo/trivy-integration/Cargo.lock", "memchr", "2.7.4", "regex > memchr")]
    [InlineData("bundler/scalibr-rails/Gemfile.lock", "rack", "2.2.3", "rails > actionpack > rack")]
    [InlineData("bundler/scalibr-local-gem/Gemfile.lock", "jquery-rails", "4.4.0", "backbone-on-rails > jquery-rails")]
    [InlineData("composer/trivy-integration/composer.lock", "guzzlehttp/psr7", "1.8.3", "guzzlehttp/guzzle > guzzlehttp/psr7")]
    [InlineData("nuget/trivy-integration/packages.lock.json", "Newtonsoft.Json", "12.0.3", "Newtonsoft.Json")]
    [InlineData("go/gin-examples-2020/go.mod", "github.com/gin-gonic/gin", "1.5.0", "github.com/gin-gonic/gin")]
    [InlineData("go/gin-examples-2020/go.mod", "go.uber.org/atomic", "1.6.0", "")]
    [InlineData("maven/log4jpwn/pom.xml", "junit:junit", "4.11", "junit:junit")]
    public void Parse_LockfileGraph_GivesTheShortestDependencyPath(string relative, string name, string version, string path) =>
        Assert.Equal(path, string.Join(" > ", Single(Parse(relative), name, version).DependencyPath));

    [Fact]
    public void Parse_ComposerBranchVersion_ReportedNotCheckable()
    {
        using var temp = new TempDirectory();
        var path = temp.File("composer.lock", """
            { "packages": [
                { "name": "acme/tool", "version": "dev-main" },
                { "name": "guzzlehttp/guzzle", "version": "v7.4.4" } ],
              "packages-dev": [ { "name": "phpunit/phpunit", "version": "9.5.0" } ] }
            """);

        var result = new ComposerLockParser().Parse(path, "composer.lock");

        Assert.Equal(["guzzlehttp/guzzle@7.4.4", "phpunit/phpunit@9.5.0"], result.Dependencies.Select(d => $"{d.Name}@{d.Version}").Order());
        Assert.True(Single(result, "phpunit/phpunit", "9.5.0").IsDev);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Contains("dev-main", problem.Message, StringComparison.Ordinal);
    }
}
