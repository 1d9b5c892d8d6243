using System.Text.RegularExpressions;
using DeployMind.Domain;
using DeployMind.Security.Secrets;

namespace DeployMind.Security.Tests.Secrets;

public sealed class SecretRuleTests
{
    private static readonly SecretScanner s_scanner = new();

    public static TheoryData<string> RuleIds => new(SecretRuleCases.All.Select(c => c.RuleId));

    private static SecretRuleCases.Case CaseOf(string ruleId) => SecretRuleCases.All.Single(c => c.RuleId == ruleId);

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void ScanText_PositiveSample_ReportsRuleWithRedactedMatch(string ruleId)
    {
        var sample = CaseOf(ruleId);

        var findings = s_scanner.ScanText("config/app.env", sample.Positive);

        var finding = Assert.Single(findings, f => f.RuleId == ruleId);
        var rule = SecretRules.Find(ruleId)!;
        Assert.Equal(rule.Severity, finding.Severity);
        Assert.Equal(ScanType.Secrets, finding.ScanType);
        Assert.Equal("config/app.env", finding.FilePath);
        var secretAt = sample.Positive.IndexOf(sample.Secret, StringComparison.Ordinal);
        Assert.Equal(1 + sample.Positive[..secretAt].Count(c => c == '\n'), finding.Line);
        Assert.Equal(SecretText.Fingerprint(ruleId, "config/app.env", sample.Secret), finding.Fingerprint);
        Assert.Contains(SecretText.Redact(sample.Secret), finding.RedactedMatch, StringComparison.Ordinal);
        AssertNoSecretLeaks(finding, sample.Secret);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void ScanText_NearMissSample_DoesNotReportRule(string ruleId)
    {
        var sample = CaseOf(ruleId);

        var findings = s_scanner.ScanText("config/app.env", sample.Negative);

        Assert.DoesNotContain(findings, f => f.RuleId == ruleId);
    }

    [Fact]
    public void All_EveryRule_HasPositiveAndNegativeCase()
    {
        var covered = SecretRuleCases.All.Select(c => c.RuleId).ToList();

        Assert.Equal(covered.Count, covered.Distinct().Count());
        Assert.All(SecretRules.All, rule => Assert.Contains(rule.Id, covered));
    }

    [Fact]
    public void All_AtLeastSixtyRulesCoveringEveryReferenceCategory()
    {
        string[] categories =
        [
            "AWS", "Azure", "Google", "Alibaba", "GitHub", "GitLab", "Bitbucket", "PyPI", "npm", "RubyGems", "Docker",
            "HuggingFace", "Stripe", "Shopify", "Slack", "Discord", "Twilio", "SendGrid", "Mailgun", "Mailchimp", "Heroku",
            "HashiCorp", "Pulumi", "Doppler", "Databricks", "Grafana", "NewRelic", "Dynatrace", "OpenAI", "Groq", "Anthropic",
            "PrivateKey", "JWT", "Age", "ConnectionString", "Generic",
        ];

        Assert.True(SecretRules.All.Count >= 60, $"only {SecretRules.All.Count} rules");
        Assert.All(categories, c => Assert.Contains(SecretRules.All, r => r.Category == c));
    }

    [Fact]
    public void All_RulesHaveUniqueIdsKeywordsAndASecretGroup()
    {
        Assert.Equal(SecretRules.All.Count, SecretRules.All.Select(r => r.Id).Distinct().Count());
        Assert.All(SecretRules.All, rule =>
        {
            Assert.Matches("^[a-z0-9]+(?:-[a-z0-9]+)*$", rule.Id);
            Assert.NotEmpty(rule.Keywords);
            Assert.True(rule.Regex.GroupNumberFromName("secret") >= 0, $"{rule.Id} has no secret group");
        });
    }

    [Fact]
    public void ExportJson_AllRules_CarriesPatternsAndKeywordsThatCompile()
    {
        var json = SecretRules.ExportJson();
        var patterns = SecretRules.ExportRipgrepPatterns().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(SecretRules.All.Count, json.Count);
        Assert.Equal(SecretRules.All.Count, patterns.Length);
        var first = json[0]!.AsObject();
        Assert.Equal("aws-access-key-id", (string)first["id"]!);
        Assert.NotEmpty(first["keywords"]!.AsArray());
        Assert.All(patterns, p => _ = new Regex(p));
    }

    [Theory]
    [InlineData("", 0.0)]
    [InlineData("aaaa", 0.0)]
    [InlineData("abab", 1.0)]
    [InlineData("abcd", 2.0)]
    public void ShannonEntropy_KnownStrings_ReturnsBitsPerChar(string value, double expected)
    {
        Assert.Equal(expected, SecretText.ShannonEntropy(value), 6);
    }

    [Theory]
    [InlineData("ghp_abcdefghijklmnop", "ghp_*****")]
    [InlineData("short", "*****")]
    [InlineData("elevenchars", "*****")]
    public void Redact_Secrets_ShowsAtMostFourCharacters(string secret, string expected)
    {
        Assert.Equal(expected, SecretText.Redact(secret));
    }

    internal static void AssertNoSecretLeaks(SecurityFinding finding, string secret)
    {
        var texts = new List<string?>
        {
            finding.ToJson().ToJsonString(), finding.ToString(), finding.RedactedMatch, finding.Fingerprint,
            finding.Description, finding.Fix, finding.Title, finding.FilePath,
        };
        var window = secret.Length >= 12 ? secret.Substring(4, 8) : secret;
        foreach (var text in texts.Where(t => t is not null))
        {
            Assert.DoesNotContain(secret, text!, StringComparison.Ordinal);
            Assert.DoesNotContain(window, text!, StringComparison.Ordinal);
        }
    }
}
