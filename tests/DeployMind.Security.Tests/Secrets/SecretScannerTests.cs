using DeployMind.Domain;
using DeployMind.Security.Secrets;
using static DeployMind.Security.Tests.Secrets.Fake;

namespace DeployMind.Security.Tests.Secrets;

public sealed class SecretScannerTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SecretScanner Scanner() => new(new FixedTimeProvider(s_now));

    private static string GitHubToken() => "ghp_" + Chars(Alnum, 36);

    [Fact]
    public async Task ScanAsync_TreeWithSecrets_ReportsRelativePathsLinesAndScannerIdentity()
    {
        using var tree = new TempTree();
        var token = GitHubToken();
        tree.Write("src/app/settings.py", $"DEBUG = True\n\nGITHUB = \"{token}\"\n");
        tree.Write("README.md", "nothing to see\n");

        var report = await Scanner().ScanAsync(tree.Root, new SecretScanOptions(), CancellationToken.None);

        Assert.Equal(ScanType.Secrets, report.ScanType);
        Assert.Equal("deploymind-secrets", report.ScannerName);
        var finding = Assert.Single(report.Findings);
        Assert.Equal("github-pat", finding.RuleId);
        Assert.Equal("src/app/settings.py", finding.FilePath);
        Assert.Equal(3, finding.Line);
        Assert.Equal("GITHUB = \"ghp_*****\"", finding.RedactedMatch);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public async Task ScanAsync_Report_NeverContainsAnyRawSecret()
    {
        using var tree = new TempTree();
        var i = 0;
        foreach (var sample in SecretRuleCases.All)
        {
            tree.Write($"samples/{i++}-{sample.RuleId}.txt", sample.Positive);
        }

        var report = await Scanner().ScanAsync(tree.Root, new SecretScanOptions(), CancellationToken.None);

        Assert.True(report.Findings.Count >= SecretRuleCases.All.Count);
        var everything = string.Join('\n', report.Findings.Select(f => f.ToJson().ToJsonString() + f))
            + string.Join('\n', report.Problems.Select(p => p.ToString())) + report;
        foreach (var sample in SecretRuleCases.All)
        {
            Assert.DoesNotContain(sample.Secret, everything, StringComparison.Ordinal);
            foreach (var finding in report.Findings)
            {
                SecretRuleTests.AssertNoSecretLeaks(finding, sample.Secret);
            }
        }
    }

    [Fact]
    public void ScanText_SecretNextToAnotherSecret_MasksTheNeighbourInTheContext()
    {
        var keyId = "AKIA" + Chars(Base32Upper, 16);
        var secret = Chars(Base64, 40);

        var findings = Scanner().ScanText("creds.csv", $"{keyId},{secret}\n");

        var near = Assert.Single(findings, f => f.RuleId == "aws-secret-access-key-near-id");
        Assert.DoesNotContain(keyId, near.RedactedMatch!, StringComparison.Ordinal);
        Assert.DoesNotContain(keyId[4..12], near.RedactedMatch!, StringComparison.Ordinal);
        Assert.Contains(findings, f => f.RuleId == "aws-access-key-id");
    }

    [Fact]
    public void ScanText_SecretRepeatedUnmatchedOnTheLine_IsMaskedInTheContext()
    {
        var password = Chars(Alnum, 16);

        var findings = Scanner().ScanText("a.yml", $"password: \"{password}\" # was {password[..10]}\n");

        var finding = Assert.Single(findings);
        Assert.DoesNotContain(password[..10], finding.RedactedMatch!, StringComparison.Ordinal);
        Assert.DoesNotContain(password[..6], finding.RedactedMatch!, StringComparison.Ordinal);
        Assert.StartsWith("password: \"", finding.RedactedMatch, StringComparison.Ordinal);
    }

    [Fact]
    public void ScanText_GenericAndSpecificRuleOnSameText_KeepsOnlyTheSpecific()
    {
        var findings = Scanner().ScanText("a.env", $"api_token = \"{GitHubToken()}\"\n");

        var finding = Assert.Single(findings);
        Assert.Equal("github-pat", finding.RuleId);
    }

    [Theory]
    [InlineData("# deploymind:allow\n")]
    [InlineData(" # deploymind:allow github-pat\n")]
    [InlineData(" # deploymind:allow jwt, github-pat\n")]
    public void ScanText_InlineAllowComment_SuppressesThatLine(string comment)
    {
        var text = $"a = \"{GitHubToken()}\"{comment.TrimEnd('\n')}\nb = \"{GitHubToken()}\"\n";

        var findings = Scanner().ScanText("a.py", text);

        var finding = Assert.Single(findings);
        Assert.Equal(2, finding.Line);
    }

    [Fact]
    public void ScanText_InlineAllowForAnotherRule_DoesNotSuppress()
    {
        var findings = Scanner().ScanText("a.py", $"a = \"{GitHubToken()}\" # deploymind:allow jwt\n");

        Assert.Single(findings, f => f.RuleId == "github-pat");
    }

    [Fact]
    public void ScanText_CustomRuleWithPathFilterEntropyAndAllowPattern_AppliesOnlyWhereConfigured()
    {
        var rule = new SecretRule
        {
            Id = "internal-deploy-key",
            Category = "Internal",
            Title = "Internal deploy key",
            Severity = Severity.High,
            Pattern = @"\b(?<secret>idk_[A-Za-z0-9]{24})\b",
            Keywords = ["idk_"],
            PathPattern = @"\.(?:env|ya?ml)$",
            MinEntropy = 3.0,
            AllowPatterns = ["^idk_TEST"],
        };
        var options = new SecretScanOptions { Rules = [rule] };
        var key = "idk_" + Chars(Alnum, 24);

        Assert.Single(Scanner().ScanText("deploy/prod.env", $"KEY={key}\n", options));
        Assert.Empty(Scanner().ScanText("src/main.go", $"KEY={key}\n", options));
        Assert.Empty(Scanner().ScanText("deploy/prod.env", $"KEY=idk_{new string('a', 24)}\n", options));
        Assert.Empty(Scanner().ScanText("deploy/prod.env", $"KEY=idk_TEST{Chars(Alnum, 20)}\n", options));
    }

    [Fact]
    public void ScanText_OptionAllowRegexAndDisabledRule_Suppress()
    {
        var token = GitHubToken();
        var text = $"a = \"{token}\"\nb = \"sk_live_{Chars(Alnum, 24)}\"\n";

        var findings = Scanner().ScanText("a.py", text, new SecretScanOptions
        {
            AllowRegexes = [token[..10]],
            DisabledRules = ["stripe-secret-key"],
        });

        Assert.Empty(findings);
    }

    [Fact]
    public async Task ScanAsync_IgnoreFile_SuppressesByRulePathAndFingerprintUntilExpiry()
    {
        using var tree = new TempTree();
        var pat = GitHubToken();
        tree.Write("src/a.py", $"x = \"{pat}\"\n");
        tree.Write("src/b.py", $"y = \"sk_live_{Chars(Alnum, 24)}\"\n");
        tree.Write("tests/fixtures/c.txt", $"z = \"{GitHubToken()}\"\n");
        tree.Write("src/d.py", $"w = \"npm_{Chars(Alnum, 36)}\"\n");
        tree.Write("src/e.py", $"v = \"glpat-{Chars(Alnum, 20)}\"\n");
        var fingerprint = SecretText.Fingerprint("github-pat", "src/a.py", pat);
        tree.Write(".deploymindignore", $"""
            # reviewed 2026-11
            fingerprint:{fingerprint} exp:2026-12-31
            rule:stripe-secret-key
            path:tests/fixtures/**
            rule:npm-access-token exp:2026-11-27
            rule:gitlab-pat exp:2026-11-28
            """);

        var report = await Scanner().ScanAsync(tree.Root, new SecretScanOptions(), CancellationToken.None);

        var finding = Assert.Single(report.Findings);
        Assert.Equal("npm-access-token", finding.RuleId);
        var expired = Assert.Single(report.Problems);
        Assert.Equal(".deploymindignore", expired.FilePath);
        Assert.Equal(5, expired.Line);
        Assert.Contains("expired on 2026-11-27", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IgnoreFileParse_BadLines_ReportedWithLineNumbers()
    {
        var ignore = SecretIgnoreFile.Parse("rule:github-pat\nbogus\nsecret:abc\npath:x exp:31/12/2026\nrule:jwt extra\n\n# fine\n");

        Assert.Single(ignore.Entries);
        Assert.Equal([2, 3, 4, 5], ignore.Problems.Select(p => p.Line!.Value));
    }

    [Fact]
    public async Task ScanAsync_BinaryFile_IsSkipped()
    {
        using var tree = new TempTree();
        var bytes = System.Text.Encoding.UTF8.GetBytes($"\0\0binary\0 token {GitHubToken()}\n");
        tree.WriteBytes("blob.data", bytes);

        var report = await Scanner().ScanAsync(tree.Root, new SecretScanOptions(), CancellationToken.None);

        Assert.Empty(report.Findings);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public async Task ScanAsync_OversizeFile_IsSkippedAndReported()
    {
        using var tree = new TempTree();
        tree.Write("big.txt", new string('a', 2048) + $"\n\"{GitHubToken()}\"\n");
        tree.Write("small.txt", $"\"{GitHubToken()}\"\n");

        var report = await Scanner().ScanAsync(tree.Root, new SecretScanOptions { MaxFileSizeBytes = 1024 }, CancellationToken.None);

        var finding = Assert.Single(report.Findings);
        Assert.Equal("small.txt", finding.FilePath);
        var problem = Assert.Single(report.Problems);
        Assert.Equal("big.txt", problem.FilePath);
    }

    [Fact]
    public async Task ScanAsync_VendoredDirectoriesAndAllowPaths_AreSkipped()
    {
        using var tree = new TempTree();
        tree.Write("node_modules/pkg/index.js", $"\"{GitHubToken()}\"\n");
        tree.Write(".git/config", $"\"{GitHubToken()}\"\n");
        tree.Write("vendor/lib.go", $"\"{GitHubToken()}\"\n");
        tree.Write("docs/examples/sample.md", $"\"{GitHubToken()}\"\n");
        tree.Write("keys/server.pem.txt", $"\"{GitHubToken()}\"\n");
        tree.Write("src/main.go", $"\"{GitHubToken()}\"\n");

        var report = await Scanner().ScanAsync(tree.Root, new SecretScanOptions { AllowPaths = ["docs/examples/", "*.pem.txt"] }, CancellationToken.None);

        Assert.Equal(["src/main.go"], report.Findings.Select(f => f.FilePath));
    }

    [Fact]
    public async Task ScanAsync_SymlinkLoop_TerminatesAndScansRealFilesOnce()
    {
        using var tree = new TempTree();
        tree.Write("a/b/token.txt", $"\"{GitHubToken()}\"\n");
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "a", "b", "loop"), Path.Combine(tree.Root, "a"));
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "self"), tree.Root);
        File.CreateSymbolicLink(Path.Combine(tree.Root, "link.txt"), Path.Combine(tree.Root, "a", "b", "token.txt"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var report = await Scanner().ScanAsync(tree.Root, new SecretScanOptions(), timeout.Token);

        var finding = Assert.Single(report.Findings);
        Assert.Equal("a/b/token.txt", finding.FilePath);
    }

    [Fact]
    public async Task ScanAsync_UnreadableAndMissingRoots_BecomeProblems()
    {
        var report = await Scanner().ScanAsync(Path.Combine(Path.GetTempPath(), "does-not-exist-" + Guid.NewGuid()), new SecretScanOptions(), CancellationToken.None);

        Assert.Empty(report.Findings);
        Assert.Single(report.Problems);
    }

    [Fact]
    public async Task ScanAsync_SingleFileRoot_ScansThatFile()
    {
        using var tree = new TempTree();
        var path = tree.Write("deploy.env", $"TOKEN={GitHubToken()}\n");

        var report = await Scanner().ScanAsync(path, new SecretScanOptions(), CancellationToken.None);

        var finding = Assert.Single(report.Findings);
        Assert.Equal("deploy.env", finding.FilePath);
    }

    [Fact]
    public async Task ScanAsync_InvalidOptions_ThrowsWithEveryProblem()
    {
        var options = new SecretScanOptions { MaxFileSizeBytes = 0, AllowRegexes = ["(unclosed"], DisabledRules = ["no-such-rule"] };

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => Scanner().ScanAsync(".", options, CancellationToken.None));

        Assert.Contains("MaxFileSizeBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("(unclosed", error.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-rule", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_ManyFilesInParallel_FindsEverySecretDeterministically()
    {
        using var tree = new TempTree();
        for (var i = 0; i < 200; i++)
        {
            tree.Write($"d{i % 7}/f{i}.txt", i % 3 == 0 ? $"k = \"{GitHubToken()}\"\n" : "plain text with the word key in it\n");
        }

        var options = new SecretScanOptions { MaxDegreeOfParallelism = 4 };
        var first = await Scanner().ScanAsync(tree.Root, options, CancellationToken.None);
        var second = await Scanner().ScanAsync(tree.Root, options, CancellationToken.None);

        Assert.Equal(67, first.Findings.Count);
        Assert.Equal(first.Findings.Select(f => f.Fingerprint), second.Findings.Select(f => f.Fingerprint));
    }

    [Theory]
    [InlineData("tests/fixtures/**", "tests/fixtures/a/b.txt", true)]
    [InlineData("tests/fixtures/**", "src/tests/fixtures/a.txt", false)]
    [InlineData("*.pem", "deep/dir/server.pem", true)]
    [InlineData("fixtures", "a/fixtures/b.txt", true)]
    [InlineData("src/*.py", "src/a.py", true)]
    [InlineData("src/*.py", "src/x/a.py", false)]
    [InlineData("**/secrets.json", "a/b/secrets.json", true)]
    [InlineData("docs/", "docs/readme.md", true)]
    public void PathGlob_Patterns_MatchLikeGitignore(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, new PathGlob(pattern).IsMatch(path));
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
