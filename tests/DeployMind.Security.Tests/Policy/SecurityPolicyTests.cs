using DeployMind.Domain;
using DeployMind.Security.Policy;
using static DeployMind.Security.Tests.Policy.TestFindings;

namespace DeployMind.Security.Tests.Policy;

public sealed class SecurityPolicyTests
{
    private static PolicyVerdict Evaluate(SecurityPolicy policy, params ScanReport[] reports) => policy.Evaluate(reports, Today);

    [Fact]
    public void FromPreset_Default_IsBalanced()
    {
        Assert.Equal(PolicyPreset.Balanced, SecurityPolicy.Default.Preset);
        Assert.Equal(PolicyPreset.Strict, SecurityPolicy.FromPreset("STRICT").Preset);
        Assert.Throws<InvalidInputException>(() => SecurityPolicy.FromPreset("lenient"));
    }

    [Fact]
    public void Evaluate_BalancedWithCriticalDependencies_RejectsAndNamesThem()
    {
        var verdict = Evaluate(SecurityPolicy.Default,
            Report(ScanType.Dependencies,
                Dependency("GHSA-35jh-r3h4-6jhm", "lodash", Severity.Critical),
                Dependency("GHSA-p6mc-m468-83gw", "lodash", Severity.High),
                Dependency("GHSA-29mw-wpgm-hmr9", "minimist", Severity.Critical)),
            Report(ScanType.Dockerfile, Dockerfile("DS-0026", Severity.Low)));

        Assert.Equal(AgentDecision.Reject, verdict.Decision);
        Assert.False(verdict.Passed);
        var deps = verdict.PerScanType[ScanType.Dependencies];
        Assert.Equal(AgentDecision.Reject, deps.Decision);
        Assert.False(deps.Passed);
        Assert.Equal(new SeverityCounts(2, 1, 0, 0, 0), deps.Counts);
        Assert.Equal(AgentDecision.Approve, verdict.PerScanType[ScanType.Dockerfile].Decision);
        Assert.True(verdict.PerScanType[ScanType.Dockerfile].Passed);
        Assert.Equal("reject: 2 critical vulnerabilities in dependencies (lodash GHSA-35jh-r3h4-6jhm, minimist GHSA-29mw-wpgm-hmr9)", verdict.Reasons[0]);
        Assert.Equal("warn: 1 high vulnerability in dependencies (lodash GHSA-p6mc-m468-83gw)", verdict.Reasons[1]);
        Assert.Equal(4, verdict.CountedFindings.Count);
        Assert.Empty(verdict.WaivedFindings);
    }

    [Fact]
    public void Evaluate_BalancedWithHighOnly_Warns()
    {
        var verdict = Evaluate(SecurityPolicy.Default,
            Report(ScanType.Dependencies, Dependency("GHSA-1", "express", Severity.High), Dependency("GHSA-2", "qs", Severity.Medium)),
            Report(ScanType.Dockerfile, Dockerfile("DS-0002", Severity.High, line: 12)));

        Assert.Equal(AgentDecision.Warn, verdict.Decision);
        Assert.True(verdict.Passed);
        Assert.Equal(new SeverityCounts(0, 1, 1, 0, 0), verdict.PerScanType[ScanType.Dependencies].Counts);
        Assert.Contains("warn: 1 high Dockerfile misconfiguration (DS-0002 in Dockerfile:12)", verdict.Reasons);
        Assert.Contains("warn: 1 high vulnerability in dependencies (express GHSA-1)", verdict.Reasons);
    }

    [Fact]
    public void Evaluate_BalancedWithLowSecret_RejectsBecauseAnySecretRejects()
    {
        var verdict = Evaluate(SecurityPolicy.Default, Report(ScanType.Secrets, Secret("generic-api-key", Severity.Low)));

        Assert.Equal(AgentDecision.Reject, verdict.Decision);
        Assert.Equal("reject: 1 low secret in the source (generic-api-key in src/config.js:3); any secret rejects under the balanced policy", verdict.Reasons[0]);
    }

    [Fact]
    public void Evaluate_BalancedWithMediumAndLowOnly_Approves()
    {
        var verdict = Evaluate(SecurityPolicy.Default,
            Report(ScanType.Dockerfile, Dockerfile("DS-0001", Severity.Medium), Dockerfile("DS-0026", Severity.Low, 9)),
            Report(ScanType.Secrets));

        Assert.Equal(AgentDecision.Approve, verdict.Decision);
        Assert.Equal("approve: 2 findings below every warn threshold (balanced policy)", verdict.Reasons[0]);
        Assert.Equal(new SeverityCounts(0, 0, 1, 1, 0), verdict.PerScanType[ScanType.Dockerfile].Counts);
    }

    [Fact]
    public void Evaluate_NoReports_Approves()
    {
        var verdict = Evaluate(SecurityPolicy.Default);

        Assert.Equal(AgentDecision.Approve, verdict.Decision);
        Assert.Empty(verdict.PerScanType);
        Assert.Equal(["approve: no findings count toward the policy"], verdict.Reasons);
    }

    [Theory]
    [InlineData(Severity.Critical, AgentDecision.Reject)]
    [InlineData(Severity.High, AgentDecision.Reject)]
    [InlineData(Severity.Medium, AgentDecision.Warn)]
    [InlineData(Severity.Low, AgentDecision.Approve)]
    public void Evaluate_Strict_RejectsOnHighAndAboveWarnsOnMedium(Severity severity, AgentDecision expected)
    {
        var policy = SecurityPolicy.FromPreset(PolicyPreset.Strict);

        Assert.Equal(expected, Evaluate(policy, Report(ScanType.Dependencies, Dependency("GHSA-x", "lodash", severity))).Decision);
        Assert.Equal(expected, Evaluate(policy, Report(ScanType.Dockerfile, Dockerfile("DS-0002", severity))).Decision);
        Assert.Equal(expected, Evaluate(policy, Report(ScanType.Secrets, Secret("github-pat", severity))).Decision);
    }

    [Theory]
    [InlineData(Severity.Critical, AgentDecision.Reject)]
    [InlineData(Severity.High, AgentDecision.Warn)]
    [InlineData(Severity.Medium, AgentDecision.Approve)]
    [InlineData(Severity.Low, AgentDecision.Approve)]
    public void Evaluate_Permissive_RejectsOnlyOnCriticalEvenForSecrets(Severity severity, AgentDecision expected)
    {
        var policy = SecurityPolicy.FromPreset(PolicyPreset.Permissive);

        Assert.Equal(expected, Evaluate(policy, Report(ScanType.Dependencies, Dependency("GHSA-x", "lodash", severity))).Decision);
        Assert.Equal(expected, Evaluate(policy, Report(ScanType.Secrets, Secret("github-pat", severity))).Decision);
    }

    [Theory]
    [InlineData(Severity.Critical, AgentDecision.Reject)]
    [InlineData(Severity.High, AgentDecision.Warn)]
    [InlineData(Severity.Medium, AgentDecision.Approve)]
    public void Evaluate_BalancedDockerfile_RejectsOnCriticalWarnsOnHigh(Severity severity, AgentDecision expected)
    {
        Assert.Equal(expected, Evaluate(SecurityPolicy.Default, Report(ScanType.Dockerfile, Dockerfile("DS-0010", severity))).Decision);
    }

    [Fact]
    public void WithRejectThreshold_NoneForDependencies_CriticalOnlyWarnsThere()
    {
        var policy = SecurityPolicy.Default.WithRejectThreshold(ScanType.Dependencies, null);

        var verdict = Evaluate(policy, Report(ScanType.Dependencies, Dependency("GHSA-1", "lodash", Severity.Critical)));

        Assert.Equal(AgentDecision.Warn, verdict.Decision);
        Assert.Equal("warn: 1 critical vulnerability in dependencies (lodash GHSA-1)", verdict.Reasons[0]);
        // The other types keep the preset.
        Assert.Equal(AgentDecision.Reject, Evaluate(policy, Report(ScanType.Dockerfile, Dockerfile("DS-0010", Severity.Critical))).Decision);
        Assert.Equal(Severity.Critical, SecurityPolicy.Default.ThresholdsFor(ScanType.Dependencies).RejectAt);
    }

    [Fact]
    public void WithRejectThreshold_MediumForDockerfile_MediumRejectsOnlyDockerfile()
    {
        var policy = SecurityPolicy.Default.WithRejectThreshold(ScanType.Dockerfile, Severity.Medium);

        Assert.Equal(AgentDecision.Reject, Evaluate(policy, Report(ScanType.Dockerfile, Dockerfile("DS-0001", Severity.Medium))).Decision);
        Assert.Equal(AgentDecision.Approve, Evaluate(policy, Report(ScanType.Dependencies, Dependency("GHSA-1", "qs", Severity.Medium))).Decision);
    }

    [Fact]
    public void WithWarnThreshold_LowForDependenciesAndNoneForDockerfile_ChangesOnlyWarnings()
    {
        var policy = SecurityPolicy.Default
            .WithWarnThreshold(ScanType.Dependencies, Severity.Low)
            .WithWarnThreshold(ScanType.Dockerfile, null);

        Assert.Equal(AgentDecision.Warn, Evaluate(policy, Report(ScanType.Dependencies, Dependency("GHSA-1", "qs", Severity.Low))).Decision);
        Assert.Equal(AgentDecision.Approve, Evaluate(policy, Report(ScanType.Dockerfile, Dockerfile("DS-0002", Severity.High))).Decision);
        Assert.Equal(AgentDecision.Reject, Evaluate(policy, Report(ScanType.Dockerfile, Dockerfile("DS-0010", Severity.Critical))).Decision);
    }

    [Theory]
    [InlineData("critical", Severity.Critical)]
    [InlineData("HIGH", Severity.High)]
    [InlineData(" medium ", Severity.Medium)]
    [InlineData("low", Severity.Low)]
    [InlineData("none", null)]
    public void PolicyThresholdParse_KnownWord_ReturnsThreshold(string text, Severity? expected)
    {
        Assert.Equal(expected, PolicyThreshold.Parse(text, "reject_threshold"));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("severe")]
    [InlineData("")]
    public void PolicyThresholdParse_OtherWord_ThrowsNamingTheField(string text)
    {
        var error = Assert.Throws<InvalidInputException>(() => PolicyThreshold.Parse(text, "security.dependencies.reject_threshold"));
        Assert.Equal("security.dependencies.reject_threshold", error.Field);
        Assert.Contains("critical, high, medium, low, none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_IgnoreUnfixed_UnfixedCriticalIsListedButDoesNotCount()
    {
        var unfixed = Dependency("GHSA-unfixed", "tar", Severity.Critical, fixedVersion: null);
        var emptyFix = Dependency("GHSA-empty", "glob", Severity.Critical, fixedVersion: "");
        var fixable = Dependency("GHSA-fixable", "qs", Severity.High, fixedVersion: "6.10.3");
        var policy = SecurityPolicy.Default with { IgnoreUnfixed = true };

        var verdict = Evaluate(policy, Report(ScanType.Dependencies, unfixed, emptyFix, fixable));

        Assert.Equal(AgentDecision.Warn, verdict.Decision);
        Assert.Equal(new SeverityCounts(0, 1, 0, 0, 0), verdict.PerScanType[ScanType.Dependencies].Counts);
        Assert.Equal([fixable], verdict.CountedFindings);
        Assert.Equal(2, verdict.WaivedFindings.Count);
        Assert.All(verdict.WaivedFindings, w => Assert.Equal(WaiverKind.Unfixed, w.Kind));
        Assert.Contains("2 vulnerabilities in dependencies without a fixed version not counted (ignore-unfixed) (tar GHSA-unfixed, glob GHSA-empty)", verdict.Reasons);
        Assert.Same(unfixed, verdict.WaiverOf(unfixed)!.Finding);
    }

    [Fact]
    public void Evaluate_WithoutIgnoreUnfixed_UnfixedCriticalRejects()
    {
        var verdict = Evaluate(SecurityPolicy.Default, Report(ScanType.Dependencies, Dependency("GHSA-unfixed", "tar", Severity.Critical, fixedVersion: null)));

        Assert.Equal(AgentDecision.Reject, verdict.Decision);
        Assert.Empty(verdict.WaivedFindings);
    }

    [Fact]
    public void Evaluate_IgnoreUnfixed_DoesNotWaiveSecretsOrDockerfileFindings()
    {
        var policy = SecurityPolicy.Default with { IgnoreUnfixed = true };

        var verdict = Evaluate(policy, Report(ScanType.Secrets, Secret("github-pat", Severity.Critical)), Report(ScanType.Dockerfile, Dockerfile("DS-0002", Severity.High)));

        Assert.Equal(AgentDecision.Reject, verdict.Decision);
        Assert.Empty(verdict.WaivedFindings);
    }

    [Fact]
    public void Evaluate_ExceptionMatchingAnAliasCaseInsensitively_WaivesTheFinding()
    {
        var finding = Dependency("GHSA-35jh-r3h4-6jhm", "lodash", Severity.Critical, aliases: ["CVE-2021-23337"]);
        var policy = SecurityPolicy.Default with
        {
            Exceptions = [new PolicyExemption("cve-2021-23337", new DateOnly(2026, 12, 31), "template() is never called with user input")],
        };

        var verdict = Evaluate(policy, Report(ScanType.Dependencies, finding));

        Assert.Equal(AgentDecision.Approve, verdict.Decision);
        var waived = Assert.Single(verdict.WaivedFindings);
        Assert.Same(finding, waived.Finding);
        Assert.Equal(WaiverKind.Exception, waived.Kind);
        Assert.Equal("accepted by the repository's exception for cve-2021-23337 until 2026-12-31: template() is never called with user input", waived.Why);
        Assert.Equal(SeverityCounts.Empty, verdict.PerScanType[ScanType.Dependencies].Counts);
        Assert.Contains("1 vulnerability in dependencies waived by repository exceptions (lodash GHSA-35jh-r3h4-6jhm)", verdict.Reasons);
    }

    [Fact]
    public void Evaluate_ExceptionForRuleId_WaivesDockerfileAndSecretRules()
    {
        var policy = SecurityPolicy.Default with { Exceptions = [new PolicyExemption("DS-0002"), new PolicyExemption("generic-api-key")] };

        var verdict = Evaluate(policy,
            Report(ScanType.Dockerfile, Dockerfile("DS-0002", Severity.High)),
            Report(ScanType.Secrets, Secret("generic-api-key", Severity.Medium, file: "tests/fixtures/keys.txt")));

        Assert.Equal(AgentDecision.Approve, verdict.Decision);
        Assert.Equal(2, verdict.WaivedFindings.Count);
    }

    [Fact]
    public void Evaluate_ExceptionScopedToAnotherRepository_DoesNotApply()
    {
        var finding = Dependency("GHSA-1", "lodash", Severity.Critical);
        var exemptions = new[] { new PolicyExemption("GHSA-1", Repository: "acme/web") };
        var reports = new[] { Report(ScanType.Dependencies, finding) };

        var web = (SecurityPolicy.Default with { Exceptions = exemptions, Repository = "Acme/Web" }).Evaluate(reports, Today);
        var api = (SecurityPolicy.Default with { Exceptions = exemptions, Repository = "acme/api" }).Evaluate(reports, Today);

        Assert.Equal(AgentDecision.Approve, web.Decision);
        Assert.Equal(AgentDecision.Reject, api.Decision);
        Assert.Empty(api.WaivedFindings);
    }

    [Fact]
    public void Evaluate_ExpiredException_StopsApplyingAndIsReported()
    {
        var finding = Dependency("GHSA-35jh-r3h4-6jhm", "lodash", Severity.Critical, aliases: ["CVE-2021-23337"]);
        var expired = new PolicyExemption("CVE-2021-23337", new DateOnly(2026, 11, 27));
        var policy = SecurityPolicy.Default with { Exceptions = [expired] };

        var verdict = Evaluate(policy, Report(ScanType.Dependencies, finding));

        Assert.Equal(AgentDecision.Reject, verdict.Decision);
        Assert.Empty(verdict.WaivedFindings);
        Assert.Equal([expired], verdict.ExpiredExemptions);
        Assert.Contains("exception for CVE-2021-23337 expired on 2026-11-27 and no longer applies; fix the finding or renew the exception", verdict.Reasons);
    }

    [Fact]
    public void Evaluate_ExceptionExpiringToday_StillApplies()
    {
        var policy = SecurityPolicy.Default with { Exceptions = [new PolicyExemption("GHSA-1", Today)] };

        var verdict = Evaluate(policy, Report(ScanType.Dependencies, Dependency("GHSA-1", "lodash", Severity.Critical)));

        Assert.Equal(AgentDecision.Approve, verdict.Decision);
        Assert.Empty(verdict.ExpiredExemptions);
    }

    [Fact]
    public void Evaluate_WithTimeProvider_UsesItsUtcDateForExpiry()
    {
        var policy = SecurityPolicy.Default with { Exceptions = [new PolicyExemption("GHSA-1", new DateOnly(2026, 1, 31))] };
        var reports = new[] { Report(ScanType.Dependencies, Dependency("GHSA-1", "lodash", Severity.Critical)) };

        Assert.Equal(AgentDecision.Approve, policy.Evaluate(reports, new FixedClock(new DateTimeOffset(2026, 1, 31, 23, 59, 0, TimeSpan.Zero))).Decision);
        Assert.Equal(AgentDecision.Reject, policy.Evaluate(reports, new FixedClock(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero))).Decision);
    }

    [Fact]
    public void GateSeverity_Unknown_CountsAsMedium()
    {
        Assert.Equal(Severity.Medium, SecurityPolicy.GateSeverity(Severity.Unknown));
        Assert.Equal(Severity.Low, SecurityPolicy.GateSeverity(Severity.Low));
    }

    [Fact]
    public void Evaluate_UnknownSeverity_WarnsUnderStrictApprovesUnderBalancedAndIsCountedApart()
    {
        var report = Report(ScanType.Dependencies, Dependency("GHSA-unscored", "left-pad", Severity.Unknown));

        var strict = Evaluate(SecurityPolicy.FromPreset(PolicyPreset.Strict), report);
        var balanced = Evaluate(SecurityPolicy.Default, report);
        var mediumRejects = Evaluate(SecurityPolicy.Default.WithRejectThreshold(ScanType.Dependencies, Severity.Medium), report);
        var highRejects = Evaluate(SecurityPolicy.Default.WithRejectThreshold(ScanType.Dependencies, Severity.High), report);

        Assert.Equal(AgentDecision.Warn, strict.Decision);
        Assert.Equal("warn: 1 unscored (gated as medium) vulnerability in dependencies (left-pad GHSA-unscored)", strict.Reasons[0]);
        Assert.Equal(AgentDecision.Approve, balanced.Decision);
        Assert.Equal(AgentDecision.Reject, mediumRejects.Decision);
        Assert.Equal(AgentDecision.Approve, highRejects.Decision);
        Assert.Equal(new SeverityCounts(0, 0, 0, 0, 1), balanced.PerScanType[ScanType.Dependencies].Counts);
    }

    [Fact]
    public void Evaluate_ManyFindingsOfOneSeverity_ShowsThreeAndHowManyMore()
    {
        var findings = Enumerable.Range(1, 5).Select(i => Dependency($"GHSA-{i}", $"pkg{i}", Severity.Critical)).ToArray();

        var verdict = Evaluate(SecurityPolicy.Default, Report(ScanType.Dependencies, findings));

        Assert.Equal("reject: 5 critical vulnerabilities in dependencies (pkg1 GHSA-1, pkg2 GHSA-2, pkg3 GHSA-3, and 2 more)", verdict.Reasons[0]);
    }

    [Fact]
    public void Evaluate_TwoReportsOfOneScanType_AreJudgedTogether()
    {
        var verdict = Evaluate(SecurityPolicy.Default,
            Report(ScanType.Dependencies, Dependency("GHSA-1", "a", Severity.High)),
            Report(ScanType.Dependencies, Dependency("CVE-2024-1", "b", Severity.High)) with { ScannerName = "trivy" });

        var deps = Assert.Single(verdict.PerScanType).Value;
        Assert.Equal(2, deps.Counts.High);
        Assert.Equal("warn: 2 high vulnerabilities in dependencies (a GHSA-1, b CVE-2024-1)", verdict.Reasons[0]);
    }

    [Fact]
    public void Evaluate_RejectAndWarnAcrossTypes_RejectReasonsComeFirst()
    {
        var reports = new[]
        {
            Report(ScanType.Dockerfile, Dockerfile("DS-0002", Severity.High)),
            Report(ScanType.Secrets, Secret("github-pat", Severity.Critical)),
        };

        var first = SecurityPolicy.Default.Evaluate(reports, Today);
        var second = SecurityPolicy.Default.Evaluate(reports, Today);

        Assert.StartsWith("reject: 1 critical secret in the source (github-pat in src/config.js:3)", first.Reasons[0], StringComparison.Ordinal);
        Assert.StartsWith("warn: 1 high Dockerfile misconfiguration", first.Reasons[1], StringComparison.Ordinal);
        Assert.Equal(first.Reasons, second.Reasons);
        Assert.Equal(AgentDecision.Warn, first.PerScanType[ScanType.Dockerfile].Decision);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
