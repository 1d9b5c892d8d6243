using DeployMind.Domain;

namespace DeployMind.Llm.Tests;

public sealed class RuleBasedAdvisorTests
{
    private readonly RuleBasedAdvisor _rules = new();

    [Fact]
    public void AdviseSecurity_PolicyReject_KeepsRejectAndRecommendsUpgradesAndRotation()
    {
        var advice = _rules.AdviseSecurity(new SecurityAdviceRequest
        {
            Repository = "acme/web",
            PolicyDecision = AgentDecision.Reject,
            PolicyReason = "1 critical vulnerability (max 0)",
            Scans = [new(ScanType.Dependencies, 1, 2, 0, 0), new(ScanType.Secrets, 0, 1, 0, 0)],
            TopFindings =
            [
                new() { Id = "GHSA-xxxx", Title = "Prototype pollution", Severity = Severity.High, Package = "lodash", Version = "4.17.15", FixedVersion = "4.17.21" },
                new() { Id = "aws-access-key-id", Title = "AWS access key", Severity = Severity.Critical, ScanType = ScanType.Secrets, File = "config.js", Line = 3 },
            ],
        });

        Assert.Equal(AgentDecision.Reject, advice.Decision);
        Assert.Contains("1 critical, 3 high", advice.Reasoning, StringComparison.Ordinal);
        Assert.Contains("1 critical vulnerability (max 0)", advice.Reasoning, StringComparison.Ordinal);
        Assert.StartsWith("Remove the secret (config.js:3)", advice.Recommendations[0], StringComparison.Ordinal);
        Assert.Contains("Upgrade lodash 4.17.15 to 4.17.21", advice.Recommendations[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AgentDecision.Approve)]
    [InlineData(AgentDecision.Warn)]
    public void AdviseSecurity_AnyPolicyDecision_IsKept(AgentDecision policy)
    {
        var advice = _rules.AdviseSecurity(new SecurityAdviceRequest { Repository = "acme/web", PolicyDecision = policy });

        Assert.Equal(policy, advice.Decision);
    }

    [Fact]
    public void SummarizeRootCause_FirstErrorInBuild_BlamesBuildNotTheLaterErrors()
    {
        var summary = _rules.SummarizeRootCause(new RootCauseRequest
        {
            DeploymentId = "deploy-20260204-abc123",
            FinalStatus = DeploymentStatus.Failed,
            Logs =
            [
                new(LogLevel.Info, "orchestrator", "deployment_started", "started"),
                new(LogLevel.Warning, "security", "scan_completed", "2 medium findings"),
                new(LogLevel.Error, "build", "build_failed", "npm ERR! Missing script: \"build\""),
                new(LogLevel.Critical, "deploy", "deploy_failed", "no image to deploy"),
            ],
        });

        Assert.Equal(DeploymentStage.Build, summary.Stage);
        Assert.Contains("Missing script", summary.Summary, StringComparison.Ordinal);
        Assert.StartsWith("[ERROR] build/build_failed", summary.Evidence[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orchestrator", "checkout_failed", DeploymentStage.Source)]
    [InlineData("orchestrator", "policy_rejected", DeploymentStage.Security)]
    [InlineData("deploy", "container_start_failed", DeploymentStage.Deploy)]
    [InlineData("orchestrator", "health_check_failed", DeploymentStage.Verify)]
    [InlineData("orchestrator", "rollback_failed", DeploymentStage.Rollback)]
    public void SummarizeRootCause_FirstError_NamesTheStageItBelongsTo(string agent, string eventType, DeploymentStage expected)
    {
        var summary = _rules.SummarizeRootCause(new RootCauseRequest
        {
            DeploymentId = "deploy-20260204-abc123",
            FinalStatus = DeploymentStatus.Failed,
            Logs = [new(LogLevel.Info, "build", "build_completed", "ok"), new(LogLevel.Error, agent, eventType, "it broke")],
        });

        Assert.Equal(expected, summary.Stage);
    }

    [Fact]
    public void SummarizeRootCause_NoErrorLogButSecurityFailed_BlamesSecurityWithScanFigures()
    {
        var summary = _rules.SummarizeRootCause(new RootCauseRequest
        {
            DeploymentId = "deploy-20260204-abc123",
            FinalStatus = DeploymentStatus.SecurityFailed,
            Scans = [new(ScanType.Dependencies, 2, 0, 1, 0)],
        });

        Assert.Equal(DeploymentStage.Security, summary.Stage);
        Assert.Contains("dependencies scan: 2 critical, 0 high, 1 medium, 0 low", summary.Evidence);
    }

    [Fact]
    public void SummarizeRootCause_RolledBackWithRefusedHealthChecks_PointsAtTheListeningPort()
    {
        var summary = _rules.SummarizeRootCause(new RootCauseRequest
        {
            DeploymentId = "deploy-20260204-abc123",
            FinalStatus = DeploymentStatus.RolledBack,
            RollbackReason = "health check failed 3 times",
            FailedHealthChecks =
            [
                new("http://127.0.0.1:8080/health", null, "Connection refused (127.0.0.1:8080)"),
                new("http://127.0.0.1:8080/health", null, "Connection refused (127.0.0.1:8080)"),
            ],
        });

        Assert.Equal(DeploymentStage.Verify, summary.Stage);
        Assert.Contains("2 refused the connection", summary.Summary, StringComparison.Ordinal);
        Assert.Contains("health check failed 3 times", summary.Summary, StringComparison.Ordinal);
        Assert.Contains(summary.NextSteps, s => s.StartsWith("Nothing was listening", StringComparison.Ordinal));
        Assert.DoesNotContain(summary.NextSteps, s => s.Contains("did not answer in time", StringComparison.Ordinal));
    }

    [Fact]
    public void SummarizeRootCause_TimeoutsAndServerErrors_AreToldApart()
    {
        var summary = _rules.SummarizeRootCause(new RootCauseRequest
        {
            DeploymentId = "deploy-20260204-abc123",
            FinalStatus = DeploymentStatus.RolledBack,
            FailedHealthChecks =
            [
                new("http://127.0.0.1:8080/health", null, "The request timed out after 5 s"),
                new("http://127.0.0.1:8080/health", 503, null),
                new("http://127.0.0.1:8080/health", 502, null),
            ],
        });

        Assert.Contains("1 timed out, 2 returned a 5xx status", summary.Summary, StringComparison.Ordinal);
        Assert.Contains(summary.NextSteps, s => s.Contains("did not answer in time", StringComparison.Ordinal));
        Assert.Contains(summary.NextSteps, s => s.Contains("failed requests", StringComparison.Ordinal));
        Assert.Contains("health check http://127.0.0.1:8080/health: HTTP 503", summary.Evidence);
    }

    [Fact]
    public void RecommendStrategy_SingleInstance_IsBlueGreen()
    {
        var recommendation = _rules.RecommendStrategy(new StrategyRequest
        {
            Repository = "acme/web",
            Environment = DeploymentEnvironment.Production,
            InstanceCount = 1,
            History = [new(DeploymentStrategy.Rolling, DeploymentStatus.RolledBack, 80, true)],
        });

        Assert.Equal(DeploymentStrategy.BlueGreen, recommendation.Strategy);
        Assert.Contains("single instance", recommendation.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void RecommendStrategy_ProductionWithRecentRollbacks_IsCanaryWithTheFigures()
    {
        var recommendation = _rules.RecommendStrategy(new StrategyRequest
        {
            Repository = "acme/web",
            Environment = DeploymentEnvironment.Production,
            InstanceCount = 4,
            History =
            [
                new(DeploymentStrategy.Rolling, DeploymentStatus.RolledBack, 120, true),
                new(DeploymentStrategy.Rolling, DeploymentStatus.Deployed, 60, false),
                new(DeploymentStrategy.Rolling, DeploymentStatus.Deployed, 90, false),
                new(DeploymentStrategy.Rolling, DeploymentStatus.RolledBack, 100, true),
                new(DeploymentStrategy.Rolling, DeploymentStatus.Failed, 30, false),
            ],
        });

        Assert.Equal(DeploymentStrategy.Canary, recommendation.Strategy);
        Assert.Contains("Of the last 5 deployments, 2 rolled back (40%) and 1 failed otherwise; the median took 90 s.", recommendation.Reasoning, StringComparison.Ordinal);
        Assert.Contains("one of the 4 instances", recommendation.Reasoning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeploymentEnvironment.Production, false)]
    [InlineData(DeploymentEnvironment.Staging, true)]
    public void RecommendStrategy_SeveralInstancesWithoutProductionRollbacks_IsRolling(DeploymentEnvironment environment, bool rolledBack)
    {
        var recommendation = _rules.RecommendStrategy(new StrategyRequest
        {
            Repository = "acme/web",
            Environment = environment,
            InstanceCount = 3,
            History = [new(DeploymentStrategy.Rolling, rolledBack ? DeploymentStatus.RolledBack : DeploymentStatus.Deployed, 45, rolledBack)],
        });

        Assert.Equal(DeploymentStrategy.Rolling, recommendation.Strategy);
        Assert.Contains("3 instances", recommendation.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void RecommendStrategy_NoHistory_SaysSo()
    {
        var recommendation = _rules.RecommendStrategy(new StrategyRequest
        {
            Repository = "acme/web",
            Environment = DeploymentEnvironment.Production,
            InstanceCount = 2,
        });

        Assert.Equal(DeploymentStrategy.Rolling, recommendation.Strategy);
        Assert.Contains("no earlier deployment on record", recommendation.Reasoning, StringComparison.Ordinal);
    }
}
