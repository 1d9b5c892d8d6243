using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence.Webhooks;
using DeployMind.Server.Configuration;
using DeployMind.Server.Observability;

namespace DeployMind.Server.Background;

/// <summary>
/// Fires the apps' cron schedules (server.yml apps[].schedules, each in its time zone). Every occurrence is claimed in the
/// <see cref="ScheduleFireLedger"/> first, so when several server processes share one PostgreSQL exactly one of them queues
/// the deployment (trigger_type scheduled). Occurrences while no server ran are not caught up.
/// </summary>
public sealed partial class ScheduleRunner(ServerConfig config, ScheduleFireLedger ledger, DeploymentTrigger trigger, ServerSettings settings,
    ServerInstance instance, TimeProvider clock, ILogger<ScheduleRunner> logger) : BackgroundService
{
    private DateTimeOffset _checkedUntil;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config.Apps.All(a => a.Schedules.Count == 0))
        {
            return;
        }

        _checkedUntil = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(settings.SchedulerInterval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await FireDueAsync(stoppingToken);
        }
    }

    /// <summary>Fires every occurrence in (last check, now]; returns the deployments this process queued.</summary>
    public async Task<IReadOnlyList<string>> FireDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var from = _checkedUntil;
        _checkedUntil = now;
        var queued = new List<string>();
        foreach (var app in config.Apps)
        {
            foreach (var schedule in app.Schedules)
            {
                foreach (var occurrence in schedule.Expression.GetOccurrences(from, now, schedule.TimeZone, fromInclusive: false, toInclusive: true))
                {
                    try
                    {
                        if (await FireAsync(app, schedule, occurrence.UtcDateTime, cancellationToken) is { } id)
                        {
                            queued.Add(id);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogFireFailed(logger, e, app.Name, schedule.Cron, occurrence.UtcDateTime);
                    }
                }
            }
        }

        return queued;
    }

    private async Task<string?> FireAsync(ServerApp app, AppSchedule schedule, DateTime fireTime, CancellationToken cancellationToken)
    {
        if (!await ledger.TryClaimAsync(schedule.Key, fireTime, instance.Id, cancellationToken))
        {
            return null;
        }

        try
        {
            var deployment = await trigger.TriggerAsync(new TriggerSpec
            {
                App = app.Name,
                Branch = schedule.Branch,
                Environment = schedule.Environment,
                Strategy = schedule.Strategy,
                TriggerType = TriggerType.Scheduled,
                TriggeredBy = "scheduler",
                Context = new JsonObject { ["schedule"] = schedule.Cron, ["time_zone"] = schedule.TimeZone.Id, ["fire_time"] = fireTime, ["fired_by"] = instance.Id },
            }, cancellationToken);
            await ledger.SetDeploymentAsync(schedule.Key, fireTime, deployment.Id, cancellationToken);
            ServerMetrics.ScheduleFires.WithLabels(app.Name).Inc();
            LogFired(logger, app.Name, schedule.Cron, fireTime, deployment.Id);
            return deployment.Id;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing was queued: release the claim so the ledger does not record a fire that never happened.
            await ledger.ReleaseAsync(schedule.Key, fireTime, CancellationToken.None);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "schedule '{Cron}' of {App} fired for {FireTime:o}: queued {DeploymentId}")]
    private static partial void LogFired(ILogger logger, string app, string cron, DateTime fireTime, string deploymentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "schedule '{Cron}' of {App} could not fire for {FireTime:o}")]
    private static partial void LogFireFailed(ILogger logger, Exception exception, string app, string cron, DateTime fireTime);
}
