using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;
using DeployMind.Testing;

namespace DeployMind.Pipeline.Tests.Orchestration;

public sealed class OrchestratorTests
{
    [Fact]
    public async Task Run_AllStagesSucceed_DeployedWithOneExecutionPerAgentAndOrderedEvents()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());

        var d = await h.DeployAsync();

        Assert.Equal(DeploymentStatus.Deployed, d.Status);
        Assert.NotNull(d.StartedAt);
        Assert.NotNull(d.CompletedAt);
        Assert.True(d.DurationSeconds >= 0);
        Assert.Null(d.WorkerId);
        Assert.Equal(["run source", "run security", "run build", "run deploy", "run verify"], h.Calls.For(d.Id));
        Assert.Equal(["source", "security", "build", "deploy", "verify"], d.AgentExecutions.OrderBy(a => a.Id).Select(a => a.AgentName));
        Assert.All(d.AgentExecutions, a =>
        {
            Assert.True(a.Success);
            Assert.Equal("9.9.9", a.AgentVersion);
            Assert.NotNull(a.CompletedAt);
            Assert.True(a.DurationSeconds >= 0);
        });
        var events = d.Logs.OrderBy(l => l.Id).Select(l => l.EventType).ToList();
        Assert.Equal(DeploymentEvents.DeploymentQueued, events[0]);
        Assert.Equal(DeploymentEvents.DeploymentStarted, events[1]);
        Assert.Equal(DeploymentEvents.DeploymentCompleted, events[^1]);
        Assert.Equal(5, events.Count(e => e == DeploymentEvents.StageCompleted));
    }

    [Fact]
    public async Task Run_SourceFails_FailedAndNoLaterStageRuns()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        h.Agents[PipelineStage.Source].Behaviour = (_, _) => Task.FromResult(AgentResult.Failure("commit 0123456 not found in acme/storefront"));

        var d = await h.DeployAsync();

        Assert.Equal(DeploymentStatus.Failed, d.Status);
        Assert.Equal(["run source"], h.Calls.For(d.Id));
        Assert.Equal("commit 0123456 not found in acme/storefront", d.Metadata!["failure"]!["reason"]!.GetValue<string>());
        var failed = Assert.Single(d.AgentExecutions);
        Assert.False(failed.Success);
        Assert.Equal("commit 0123456 not found in acme/storefront", failed.ErrorMessage);
        Assert.Contains(d.Logs, l => l.EventType == DeploymentEvents.StageFailed && l.Level == LogLevel.Error && l.Message.Contains("not found", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SecurityRejects_SecurityFailedBeforeBuildAndSourceUndone()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        h.Agents[PipelineStage.Security].Behaviour = (_, _) =>
            Task.FromResult(AgentResult.Rejection("2 critical vulnerabilities (balanced policy)", llm: new LlmUsage { Model = "llama-3.1-70b-versatile", TokensInput = 450, TokensOutput = 120 }));

        var d = await h.DeployAsync();

        Assert.Equal(DeploymentStatus.SecurityFailed, d.Status);
        Assert.Equal(["run source", "run security", "undo source"], h.Calls.For(d.Id));
        var security = d.AgentExecutions.Single(a => a.AgentName == "security");
        Assert.Equal("llama-3.1-70b-versatile", security.LlmModel);
        Assert.Equal(450, security.LlmTokensInput);
        Assert.Equal(120, security.LlmTokensOutput);
    }

    [Fact]
    public async Task Run_SecurityScannerBreaks_FailedNotSecurityFailed()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        h.Agents[PipelineStage.Security].Behaviour = (_, _) => Task.FromResult(AgentResult.Failure("vulnerability database is corrupt"));

        Assert.Equal(DeploymentStatus.Failed, (await h.DeployAsync()).Status);
    }

    [Fact]
    public async Task Run_BuildFails_BuildFailedAndEarlierStagesUndoneNewestFirst()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        h.Agents[PipelineStage.Build].Behaviour = (_, _) => Task.FromResult(AgentResult.Failure("npm ci exited with 1"));

        var d = await h.DeployAsync();

        Assert.Equal(DeploymentStatus.BuildFailed, d.Status);
        Assert.Equal(["run source", "run security", "run build", "undo security", "undo source"], h.Calls.For(d.Id));
        Assert.Null(d.RollbackReason);
    }

    [Theory]
    [InlineData(PipelineStage.Deploy, new[] { "run source", "run security", "run build", "run deploy", "undo deploy", "undo build", "undo security", "undo source" })]
    [InlineData(PipelineStage.Verify, new[] { "run source", "run security", "run build", "run deploy", "run verify", "undo verify", "undo deploy", "undo build", "undo security", "undo source" })]
    public async Task Run_DeployOrVerifyFailsAndPreviousRestored_RolledBackWithReason(PipelineStage failing, string[] expectedCalls)
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        h.Agents[failing].Behaviour = (_, _) => Task.FromResult(AgentResult.Failure("health check failed: /health returned 503 on 3 of 3 attempts"));
        h.Agents[PipelineStage.Deploy].Undo = new RollbackOutcome(true, true, "traffic back on deploy-20260101-aaaaaa");

        var d = await h.DeployAsync();

        Assert.Equal(DeploymentStatus.RolledBack, d.Status);
        Assert.Equal("health check failed: /health returned 503 on 3 of 3 attempts", d.RollbackReason);
        Assert.Equal(expectedCalls, h.Calls.For(d.Id));
        Assert.Contains(d.Logs, l => l.EventType == DeploymentEvents.RollbackCompleted && l.Message.Contains("traffic back", StringComparison.Ordinal));
        Assert.NotNull(d.CompletedAt);
    }

    [Fact]
    public async Task Run_DeployFailsWithNothingToRestore_Failed()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        h.Agents[PipelineStage.Deploy].Behaviour = (_, _) => Task.FromResult(AgentResult.Failure("port 8080 is already taken"));

        var d = await h.DeployAsync();

        Assert.Equal(DeploymentStatus.Failed, d.Status);
        Assert.Equal("port 8080 is already taken", d.RollbackReason);
    }

    [Fact]
    public async Task Run_AgentThrows_FailedWithTheAgentNamedAndLaterStagesSkipped()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        h.Agents[PipelineStage.Build].Behaviour = (_, _) => throw new InvalidOperationException("docker socket vanished");

        var d = await h.DeployAsync();

        Assert.Equal(DeploymentStatus.BuildFailed, d.Status);
        Assert.Contains("the build agent failed unexpectedly: InvalidOperationException: docker socket vanished",
            d.AgentExecutions.Single(a => a.AgentName == "build").ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("run deploy", h.Calls.For(d.Id));
    }

    [Fact]
    public async Task Run_NoAgentForAStage_FailsClearlyInsteadOfSkipping()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync(),
            stages: [PipelineStage.Source, PipelineStage.Security]);

        var d = await h.DeployAsync();

        Assert.Equal(DeploymentStatus.BuildFailed, d.Status);
        Assert.Equal("no agent is registered for the build stage, so this deployment cannot be completed",
            d.Metadata!["failure"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_Failure_RootCauseSummaryStoredWithTheDeploymentAndItsCostRecorded()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync(), withAnalyst: true);
        h.Agents[PipelineStage.Build].Behaviour = (_, _) => Task.FromResult(AgentResult.Failure("npm ci: missing package-lock.json"));

        var d = await h.DeployAsync();

        Assert.Equal("The build failed because package-lock.json is missing.", d.Metadata!["root_cause"]!["summary"]!.GetValue<string>());
        var advisor = d.AgentExecutions.Single(a => a.AgentName == "advisor");
        Assert.True(advisor.Success);
        Assert.Equal(0.0012m, advisor.LlmCostUsd);
        Assert.Contains(d.Logs, l => l.EventType == DeploymentEvents.RootCauseSummary);
    }

    [Fact]
    public async Task Run_SecretsRegisteredByAnAgent_NeverReachLogsOrExecutionRows()
    {
        const string secret = "hunter2-registry-password";
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        h.Agents[PipelineStage.Build].Behaviour = async (context, ct) =>
        {
            context.Secrets.Add(secret);
            await context.LogAsync("build", DeploymentEvents.BuildOutput, $"docker login -p {secret} registry.local", new JsonObject { ["cmd"] = secret }, cancellationToken: ct);
            return AgentResult.Failure($"login failed for password {secret}", new JsonObject { ["password"] = secret });
        };

        var d = await h.DeployAsync();

        var everything = string.Join('\n', d.Logs.Select(l => l.Message + l.EventData?.ToJsonString())
            .Concat(d.AgentExecutions.Select(a => a.ErrorMessage + a.Output?.ToJsonString()))
            .Append(d.Metadata?.ToJsonString()));
        Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        Assert.Contains("docker login -p *** registry.local", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RollbackPlan_RunsOnlyDeployAndVerify()
    {
        await using var h = await PipelineHarness.CreateAsync(await TestDatabase.SqliteAsync());
        var queued = await h.EnqueueAsync(metadata: new JsonObject { ["plan"] = new JsonArray("deploy", "verify") });

        await h.Worker.RunNextAsync(CancellationToken.None);

        var d = await h.LoadAsync(queued.Id);
        Assert.Equal(DeploymentStatus.Deployed, d.Status);
        Assert.Equal(["run deploy", "run verify"], h.Calls.For(d.Id));
    }
}
