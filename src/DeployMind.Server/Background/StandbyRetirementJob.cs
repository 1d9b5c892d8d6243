using DeployMind.Deploy.Agent;
using DeployMind.Domain;
using DeployMind.Persistence.Webhooks;
using DeployMind.Server.Configuration;

namespace DeployMind.Server.Background;

/// <summary>
/// Retires blue-green standbys whose keep_previous_for has passed (<see cref="StandbyRetirement"/>), every
/// DEPLOYMIND_STANDBY_SWEEP_INTERVAL (30 s by default; `off` or 0 turns it off). Each interval slot is claimed in the schedule ledger,
/// so several server processes on one database sweep once per slot.
/// </summary>
public sealed partial class StandbyRetirementJob(StandbyRetirement retirement, ServerSettings settings, ScheduleFireLedger ledger, ServerInstance instance,
    TimeProvider clock, ILogger<StandbyRetirementJob> logger) : BackgroundService
{
    public const string LedgerKey = "standby-retirement";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = settings.StandbySweepInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
            }

            await Task.Delay(interval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Sweeps when this process wins the current slot; returns whether it ran.</summary>
    public async Task<bool> RunDueAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var now = UtcTimestamp.Now(clock);
        var slot = new DateTime(now.Ticks - (now.Ticks % interval.Ticks), DateTimeKind.Utc);
        if (!await ledger.TryClaimAsync(LedgerKey, slot, instance.Id, cancellationToken))
        {
            return false;
        }

        var sweep = await retirement.RunAsync(cancellationToken);
        foreach (var retired in sweep.Retired)
        {
            LogRetired(logger, retired.Application, retired.Target, retired.Container, retired.DeploymentId);
        }

        foreach (var problem in sweep.Problems)
        {
            LogProblem(logger, problem);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "retired the standby of {Application} on {Target}: {Container} (live deployment {DeploymentId})")]
    private static partial void LogRetired(ILogger logger, string application, string target, string container, string deploymentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "a standby could not be retired ({Problem}); trying again at the next sweep")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "standby sweep failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
