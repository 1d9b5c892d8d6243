using System.Text.Json.Nodes;
using DeployMind.Deploy.Strategies;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Deploy.Agent;

/// <summary>
/// The verify stage: watches the new version for health_check.monitor_for after it went live. An unhealthy verdict fails
/// the stage, and the orchestrator then has the deploy stage put the previous version back. When the window passes, the
/// previous version is retired: kept as a drained standby for strategy.keep_previous_for (blue-green; removed by the next
/// deployment to the target once that time is up), or drained and removed now (rolling, canary). Old images beyond the
/// retention are pruned.
/// </summary>
public sealed class VerifyAgent(DeployOptions options) : IDeploymentAgent
{
    public string Name => "verify";

    public string Version => "1.0.0";

    public PipelineStage Stage => PipelineStage.Verify;

    public async Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        if (context.Artifacts.Find(DeployArtifacts.Rollout) is not { Result.Succeeded: true } deployed)
        {
            return AgentResult.Failure("nothing to verify: the deploy stage did not roll out a version in this run");
        }

        var rollout = deployed.Context;
        var endpoints = deployed.Result.Targets.Where(t => t.Endpoint is not null).Select(t => t.Endpoint!).ToList();
        var window = deployed.Settings.Health.MonitorFor;
        var output = new JsonObject { ["monitored_seconds"] = window.TotalSeconds };
        if (window > TimeSpan.Zero)
        {
            await context.LogAsync(Name, DeploymentEvents.HealthCheckPassed,
                $"Watching {string.Join(", ", endpoints.Select(e => e.InstanceId))} for {Pipeline.Configuration.Duration.Format(window)} after going live",
                cancellationToken: cancellationToken);
            var verdict = await rollout.Checker.MonitorAsync(endpoints, rollout.Health, window, cancellationToken);
            output["probes"] = verdict.Probes;
            output["failures"] = verdict.Failures;
            if (!verdict.Healthy)
            {
                output["verdict_at"] = verdict.DecidedAt.ToString("O");
                deployed.FailedAt = verdict.DecidedAt;
                await context.LogAsync(Name, DeploymentEvents.HealthCheckFailed, verdict.Summary, level: LogLevel.Error, cancellationToken: cancellationToken);
                return AgentResult.Failure(verdict.Summary, output);
            }

            await context.LogAsync(Name, DeploymentEvents.HealthCheckPassed, verdict.Summary, cancellationToken: cancellationToken);
        }

        var keepStandby = deployed.Settings.Strategy.Type == DeploymentStrategy.BlueGreen && deployed.Settings.Strategy.KeepPreviousFor > TimeSpan.Zero;
        foreach (var target in deployed.Result.Targets)
        {
            try
            {
                await target.RetireAsync(keepStandby, cancellationToken);
                await target.Host.PruneImagesAsync(options.KeepImages, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The new version is live and healthy; an old container left behind is removed by the next deployment's sweep.
                await context.LogAsync(Name, DeploymentEvents.InstanceUpdated, $"{target.Target}: could not retire the previous version: {ex.Message}",
                    level: LogLevel.Warning, cancellationToken: CancellationToken.None);
            }
        }

        if (keepStandby)
        {
            output["standby_until"] = rollout.Clock.GetUtcNow().Add(deployed.Settings.Strategy.KeepPreviousFor).ToString("O");
        }

        output["urls"] = new JsonArray(deployed.Result.Targets.Select(t => (JsonNode?)JsonValue.Create(t.Host.PublicUrl)).ToArray());
        await deployed.CloseAsync();
        return AgentResult.Success(output);
    }
}
