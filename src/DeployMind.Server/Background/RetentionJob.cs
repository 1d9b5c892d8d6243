using DeployMind.Domain;
using DeployMind.Persistence.Retention;
using DeployMind.Persistence.Webhooks;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Background;

/// <summary>The outcome of the last retention run this process made (or saw claimed elsewhere).</summary>
public sealed record RetentionRun(DateTime At, string RanBy, IReadOnlyList<PrunedTable> Tables, string? Error);

/// <summary>
/// Prunes old rows every RetentionOptions.Interval (DEPLOYMIND_RETENTION_INTERVAL, 6 h by default). Each interval slot is
/// claimed in the schedule ledger, so several server processes on one database prune once per slot. Also prunes the
/// webhook delivery and schedule ledgers past their suggested retention.
/// </summary>
public sealed partial class RetentionJob(RetentionPolicy policy, IOptions<RetentionOptions> options, ScheduleFireLedger ledger, WebhookDeliveryLog deliveries,
    ServerInstance instance, TimeProvider clock, ILogger<RetentionJob> logger) : BackgroundService
{
    public const string LedgerKey = "retention";

    public RetentionRun? LastRun { get; private set; }

    public DateTime NextRunAt(DateTime now) => Slot(now) + options.Value.Interval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
                LastRun = new RetentionRun(UtcTimestamp.Now(clock), instance.Id, [], e.Message);
            }

            var now = UtcTimestamp.Now(clock);
            var wait = NextRunAt(now) - now;
            await Task.Delay(wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Prunes when this process wins the current interval slot; returns whether it ran.</summary>
    public async Task<bool> RunDueAsync(CancellationToken cancellationToken)
    {
        var slot = Slot(UtcTimestamp.Now(clock));
        if (!await ledger.TryClaimAsync(LedgerKey, slot, instance.Id, cancellationToken))
        {
            return false;
        }

        var tables = await policy.PruneAsync(false, cancellationToken);
        await deliveries.PruneAsync(WebhookDeliveryLog.DefaultRetention, cancellationToken);
        await ledger.PruneAsync(ScheduleFireLedger.DefaultRetention, cancellationToken);
        LastRun = new RetentionRun(UtcTimestamp.Now(clock), instance.Id, tables, null);
        LogPruned(logger, tables.Sum(t => t.Rows));
        return true;
    }

    private DateTime Slot(DateTime now)
    {
        var interval = options.Value.Interval.Ticks;
        return new DateTime(now.Ticks - (now.Ticks % interval), DateTimeKind.Utc);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "retention removed {Rows} rows")]
    private static partial void LogPruned(ILogger logger, long rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "retention run failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
