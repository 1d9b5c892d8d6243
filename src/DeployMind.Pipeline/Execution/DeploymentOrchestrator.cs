using System.Diagnostics;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Agents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Pipeline.Execution;

/// <summary>
/// Drives one claimed deployment through its stages (source, security, build, deploy, verify), recording
/// every agent run and every step, moving the status, and undoing completed stages when a later one fails
/// or the deployment is cancelled.
/// </summary>
public sealed partial class DeploymentOrchestrator(
    DeployMindDatabase database,
    IEnumerable<IDeploymentAgent> agents,
    IOptions<PipelineOptions> options,
    TimeProvider clock,
    ILogger<DeploymentOrchestrator> logger,
    IRootCauseAnalyst? analyst = null)
{
    private const string Orchestrator = "orchestrator";
    private static readonly PipelineStage[] s_allStages = Enum.GetValues<PipelineStage>();
    private readonly IReadOnlyList<IDeploymentAgent> _agents = agents.ToList();
    private readonly PipelineOptions _options = options.Value;

    /// <summary>Runs the deployment to a final status and returns it. Cancelling the token cancels the deployment.</summary>
    public async Task<DeploymentStatus> RunAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        var mask = new SecretMask();
        var journal = new DeploymentJournal(database, deployment.Id, mask, clock);
        var workspace = Path.Combine(_options.ResolveWorkspaceRoot(), deployment.Id);
        Directory.CreateDirectory(workspace);
        var context = new DeploymentContext(deployment, journal, mask, workspace, clock);
        var run = new Run(deployment, context, journal);
        using var trace = PipelineTelemetry.StartDeployment(deployment);
        try
        {
            var status = await RunStagesAsync(run, cancellationToken);
            trace?.SetTag("deploymind.status", status.ToWire());
            return status;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await CancelAsync(run);
        }
        catch (DeploymentTakenOverException ex)
        {
            LogTakenOver(logger, deployment.Id, ex.Message);
            return ex.CurrentStatus;
        }
        finally
        {
            DeleteWorkspace(workspace);
        }
    }

    private async Task<DeploymentStatus> RunStagesAsync(Run run, CancellationToken cancellationToken)
    {
        var d = run.Deployment;
        var stages = PlannedStages(d);
        await run.Journal.LogAsync(LogLevel.Info, Orchestrator, DeploymentEvents.DeploymentStarted,
            $"Deployment started for {d.Repository}", new JsonObject
            {
                ["commit_sha"] = d.CommitSha,
                ["branch"] = d.Branch,
                ["strategy"] = d.Strategy.ToWire(),
                ["environment"] = d.Environment.ToWire(),
                ["stages"] = new JsonArray(stages.Select(s => (JsonNode)Name(s)).ToArray()),
            }, cancellationToken);

        foreach (var stage in stages)
        {
            await EnterStageAsync(run, stage, cancellationToken);
            var agent = _agents.FirstOrDefault(a => a.Stage == stage);
            if (agent is null)
            {
                var missing = AgentResult.Failure($"no agent is registered for the {Name(stage)} stage, so this deployment cannot be completed");
                await run.Journal.LogAsync(LogLevel.Error, Name(stage), DeploymentEvents.StageFailed, missing.Reason!,
                    new JsonObject { ["stage"] = Name(stage) }, cancellationToken);
                return await FailAsync(run, stage, null, missing);
            }

            var result = await RunAgentAsync(run, stage, agent, cancellationToken);
            if (!result.Succeeded)
            {
                return await FailAsync(run, stage, agent, result);
            }

            run.Completed.Push(agent);
        }

        await MoveAsync(run, DeploymentStatus.Deployed, CancellationToken.None,
            log: () => new LogEntry(LogLevel.Info, Orchestrator, DeploymentEvents.DeploymentCompleted,
                $"Deployment completed successfully in {d.DurationSeconds:0.#} s", new JsonObject { ["duration_seconds"] = d.DurationSeconds }));
        return DeploymentStatus.Deployed;
    }

    private async Task<AgentResult> RunAgentAsync(Run run, PipelineStage stage, IDeploymentAgent agent, CancellationToken cancellationToken)
    {
        var execution = await run.Journal.StartExecutionAsync(agent.Name, agent.Version,
            new LogEntry(LogLevel.Info, agent.Name, DeploymentEvents.StageStarted, $"{Name(stage)} stage started",
                new JsonObject { ["stage"] = Name(stage), ["agent_version"] = agent.Version }), cancellationToken);
        var watch = Stopwatch.StartNew();
        using var span = PipelineTelemetry.StartStage(Name(stage), agent.Name, run.Deployment.Id);
        AgentResult result;
        try
        {
            result = await agent.ExecuteAsync(run.Context, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await CompleteExecutionAsync(run, execution, watch, AgentResult.Failure("cancelled"), null);
            throw;
        }
        catch (DeployMindException ex)
        {
            result = AgentResult.Failure(ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAgentCrashed(logger, ex, agent.Name, run.Deployment.Id);
            result = AgentResult.Failure($"the {agent.Name} agent failed unexpectedly: {ex.GetType().Name}: {ex.Message}");
        }

        span?.SetStatus(result.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error, result.Succeeded ? null : result.Reason);
        var entry = result.Succeeded
            ? new LogEntry(LogLevel.Info, agent.Name, DeploymentEvents.StageCompleted,
                $"{Name(stage)} stage completed in {watch.Elapsed.TotalSeconds:0.0} s", new JsonObject { ["stage"] = Name(stage) })
            : new LogEntry(LogLevel.Error, agent.Name, DeploymentEvents.StageFailed,
                $"{Name(stage)} stage {(result.Outcome == AgentOutcome.Rejected ? "rejected the deployment" : "failed")}: {result.Reason}",
                new JsonObject { ["stage"] = Name(stage), ["outcome"] = result.Outcome.ToString().ToLowerInvariant() });
        await CompleteExecutionAsync(run, execution, watch, result, entry);
        return result;
    }

    private async Task CompleteExecutionAsync(Run run, AgentExecution execution, Stopwatch watch, AgentResult result, LogEntry? entry)
    {
        var llm = result.Llm;
        execution.CompletedAt = UtcTimestamp.Now(clock);
        execution.DurationSeconds = Math.Round(watch.Elapsed.TotalSeconds, 3);
        execution.Success = result.Succeeded;
        execution.LlmModel = llm?.Model;
        execution.LlmTokensInput = llm?.TokensInput ?? 0;
        execution.LlmTokensOutput = llm?.TokensOutput ?? 0;
        execution.LlmCostUsd = llm?.CostUsd ?? 0m;
        execution.Output = result.Output;
        execution.ErrorMessage = result.Reason;
        using var finalize = new CancellationTokenSource(_options.FinalizeTimeout);
        await run.Journal.CompleteExecutionAsync(execution, entry, finalize.Token);
    }

    private async Task<DeploymentStatus> FailAsync(Run run, PipelineStage stage, IDeploymentAgent? agent, AgentResult result)
    {
        var reason = run.Context.Secrets.Apply(result.Reason ?? $"the {Name(stage)} stage failed");
        RecordFailure(run.Deployment, stage, reason);
        DeploymentStatus final;
        if (stage is PipelineStage.Deploy or PipelineStage.Verify)
        {
            // The new version may be partly live: put the previous one back.
            await MoveAsync(run, DeploymentStatus.RollingBack, CancellationToken.None, rollbackReason: reason);
            var undo = agent is null ? run.Completed.ToList() : [agent, .. run.Completed];
            var restored = await RollbackStagesAsync(run, undo, reason);
            final = restored ? DeploymentStatus.RolledBack : DeploymentStatus.Failed;
        }
        else
        {
            await RollbackStagesAsync(run, run.Completed.ToList(), reason);
            final = stage switch
            {
                PipelineStage.Security when result.Outcome == AgentOutcome.Rejected => DeploymentStatus.SecurityFailed,
                PipelineStage.Build => DeploymentStatus.BuildFailed,
                _ => DeploymentStatus.Failed,
            };
        }

        await MoveAsync(run, final, CancellationToken.None,
            log: () => new LogEntry(final == DeploymentStatus.RolledBack ? LogLevel.Warning : LogLevel.Error, Orchestrator,
                DeploymentEvents.DeploymentFailed, $"Deployment {final.ToWire()} at the {Name(stage)} stage: {reason}",
                new JsonObject { ["stage"] = Name(stage), ["status"] = final.ToWire(), ["reason"] = reason }));
        await ExplainAsync(run);
        return final;
    }

    private async Task<DeploymentStatus> CancelAsync(Run run)
    {
        await run.Journal.LogAsync(LogLevel.Warning, Orchestrator, DeploymentEvents.DeploymentCancelled,
            "Deployment cancelled; undoing completed stages", null, CancellationToken.None);
        RecordFailure(run.Deployment, null, "cancelled");
        await RollbackStagesAsync(run, run.Completed.ToList(), "cancelled");
        var current = run.Deployment.Status;
        var final = DeploymentStatusMachine.CanMove(current, DeploymentStatus.Cancelled) ? DeploymentStatus.Cancelled : DeploymentStatus.Failed;
        await MoveAsync(run, final, CancellationToken.None);
        return final;
    }

    /// <summary>Runs rollback hooks newest first; returns true when one of them restored the previous version.</summary>
    private async Task<bool> RollbackStagesAsync(Run run, IReadOnlyList<IDeploymentAgent> undo, string reason)
    {
        var restored = false;
        using var timeout = new CancellationTokenSource(_options.RollbackTimeout);
        foreach (var agent in undo)
        {
            try
            {
                var outcome = await agent.RollbackAsync(run.Context, timeout.Token);
                if (!outcome.Performed)
                {
                    continue;
                }

                restored |= outcome.RestoredPrevious;
                await run.Journal.LogAsync(LogLevel.Warning, agent.Name, DeploymentEvents.RollbackCompleted,
                    $"Rolled back the {Name(agent.Stage)} stage: {outcome.Message}",
                    new JsonObject { ["stage"] = Name(agent.Stage), ["restored_previous"] = outcome.RestoredPrevious, ["reason"] = reason },
                    CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogRollbackFailed(logger, ex, agent.Name, run.Deployment.Id);
                await run.Journal.LogAsync(LogLevel.Critical, agent.Name, DeploymentEvents.RollbackFailed,
                    $"Rollback of the {Name(agent.Stage)} stage failed: {ex.Message}", new JsonObject { ["stage"] = Name(agent.Stage) },
                    CancellationToken.None);
            }
        }

        return restored;
    }

    private async Task ExplainAsync(Run run)
    {
        if (analyst is null)
        {
            return;
        }

        var watch = Stopwatch.StartNew();
        var execution = await run.Journal.StartExecutionAsync("advisor", "1.0.0", null, CancellationToken.None);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var analysis = await analyst.AnalyzeAsync(run.Deployment.Id, timeout.Token);
            var json = new JsonObject
            {
                ["summary"] = analysis.Summary,
                ["stage"] = analysis.Stage,
                ["evidence"] = new JsonArray(analysis.Evidence.Select(e => (JsonNode)e).ToArray()),
                ["next_steps"] = new JsonArray(analysis.NextSteps.Select(e => (JsonNode)e).ToArray()),
                ["model"] = analysis.Usage.Model,
            };
            await CompleteExecutionAsync(run, execution, watch, AgentResult.Success(json, analysis.Usage),
                new LogEntry(LogLevel.Info, "advisor", DeploymentEvents.RootCauseSummary, analysis.Summary, (JsonObject)json.DeepClone()));
            await SaveMetadataAsync(run, "root_cause", json.DeepClone());
        }
        catch (Exception ex) when (ex is not DeploymentTakenOverException)
        {
            await CompleteExecutionAsync(run, execution, watch, AgentResult.Failure($"root-cause analysis failed: {ex.Message}"), null);
        }
    }

    private Task EnterStageAsync(Run run, PipelineStage stage, CancellationToken cancellationToken)
    {
        var status = stage switch
        {
            PipelineStage.Source or PipelineStage.Security => DeploymentStatus.SecurityScanning,
            PipelineStage.Build => DeploymentStatus.Building,
            _ => DeploymentStatus.Deploying,
        };
        return run.Deployment.Status == status ? Task.CompletedTask : MoveAsync(run, status, cancellationToken);
    }

    /// <summary>Moves the status in memory (validating the transition) and in the database, if nobody else changed it meanwhile.</summary>
    private async Task MoveAsync(Run run, DeploymentStatus next, CancellationToken cancellationToken, string? rollbackReason = null,
        Func<LogEntry>? log = null)
    {
        var d = run.Deployment;
        var before = d.Status;
        d.MoveTo(next, clock.GetUtcNow().UtcDateTime);
        if (rollbackReason is not null)
        {
            d.RollbackReason = run.Context.Secrets.Apply(rollbackReason);
        }

        d.Metadata = d.Metadata is null ? null : run.Context.Secrets.Apply(d.Metadata);

        using var finalize = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        finalize.CancelAfter(_options.FinalizeTimeout);
        var updated = await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            await using var tx = await db.Database.BeginTransactionAsync(finalize.Token);
            var rows = await db.Deployments.Where(x => x.Id == d.Id && x.Status == before).ExecuteUpdateAsync(u => u
                .SetProperty(x => x.Status, d.Status)
                .SetProperty(x => x.UpdatedAt, d.UpdatedAt)
                .SetProperty(x => x.StartedAt, d.StartedAt)
                .SetProperty(x => x.CompletedAt, d.CompletedAt)
                .SetProperty(x => x.DurationSeconds, d.DurationSeconds)
                .SetProperty(x => x.RollbackReason, d.RollbackReason)
                .SetProperty(x => x.Metadata, d.Metadata), finalize.Token);
            if (rows == 1 && log is not null)
            {
                db.DeploymentLogs.Add(run.Journal.Row(log()));
                await db.SaveChangesAsync(finalize.Token);
            }

            await tx.CommitAsync(finalize.Token);
            return rows;
        });
        if (updated == 0)
        {
            await using var db = database.CreateContext();
            var current = await db.Deployments.AsNoTracking().Where(x => x.Id == d.Id).Select(x => x.Status).FirstOrDefaultAsync(CancellationToken.None);
            throw new DeploymentTakenOverException(d.Id, current, $"expected '{before.ToWire()}' before moving to '{next.ToWire()}', found '{current.ToWire()}'");
        }
    }

    private async Task SaveMetadataAsync(Run run, string key, JsonNode value)
    {
        var d = run.Deployment;
        d.Metadata ??= [];
        d.Metadata[key] = value;
        await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            await db.Deployments.Where(x => x.Id == d.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Metadata, d.Metadata), CancellationToken.None);
        });
    }

    private static void RecordFailure(Deployment d, PipelineStage? stage, string reason)
    {
        d.Metadata ??= [];
        d.Metadata["failure"] = new JsonObject { ["stage"] = stage is null ? null : Name(stage.Value), ["reason"] = reason };
    }

    /// <summary>Stages to run: all of them, or the plan stored with the deployment (a rollback redeploys without scan and build).</summary>
    internal static IReadOnlyList<PipelineStage> PlannedStages(Deployment d)
    {
        if (d.Metadata?["plan"] is not JsonArray plan)
        {
            return s_allStages;
        }

        return s_allStages.Where(s => plan.Any(p => string.Equals(p?.GetValue<string>(), Name(s), StringComparison.Ordinal))).ToList();
    }

    internal static string Name(PipelineStage stage) => stage.ToString().ToLowerInvariant();

    private static void DeleteWorkspace(string workspace)
    {
        try
        {
            if (Directory.Exists(workspace))
            {
                foreach (var file in Directory.EnumerateFiles(workspace, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }

                Directory.Delete(workspace, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover workspace is harmless; the next run uses a fresh directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "agent {Agent} crashed on deployment {DeploymentId}")]
    private static partial void LogAgentCrashed(ILogger logger, Exception exception, string agent, string deploymentId);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "rollback of {Agent} failed on deployment {DeploymentId}")]
    private static partial void LogRollbackFailed(ILogger logger, Exception exception, string agent, string deploymentId);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "deployment {DeploymentId} was changed by someone else: {Detail}")]
    private static partial void LogTakenOver(ILogger logger, string deploymentId, string detail);

    private sealed class Run(Deployment deployment, DeploymentContext context, DeploymentJournal journal)
    {
        public Deployment Deployment { get; } = deployment;

        public DeploymentContext Context { get; } = context;

        public DeploymentJournal Journal { get; } = journal;

        public Stack<IDeploymentAgent> Completed { get; } = new();
    }
}

/// <summary>The deployment's status changed under a running worker (cancelled or recovered elsewhere); the worker stops.</summary>
public sealed class DeploymentTakenOverException(string deploymentId, DeploymentStatus currentStatus, string detail)
    : DeployMindException($"deployment {deploymentId} was changed by another process: {detail}")
{
    public DeploymentStatus CurrentStatus { get; } = currentStatus;
}
