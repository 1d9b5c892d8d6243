using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence.Webhooks;

/// <summary>
/// The exactly-once guard for scheduled deployments: each (schedule key, fire time) can be claimed by one
/// process only, by INSERT ... ON CONFLICT DO NOTHING against the composite primary key, so several server
/// processes sharing one PostgreSQL database (or one SQLite file) never fire a schedule twice.
/// </summary>
public sealed class ScheduleFireLedger(DeployMindDatabase database, TimeProvider clock)
{
    public const int MaxKeyLength = 512;

    /// <summary>Claims with a fire time older than this are not needed to prevent double fires; pruning keeps at least this.</summary>
    public static readonly TimeSpan MinimumRetention = TimeSpan.FromDays(2);

    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>
    /// True for exactly one caller per (schedule key, fire time), whichever process calls first; false for
    /// every other. <paramref name="fireTime"/> is the scheduled instant (compared at microsecond precision, UTC).
    /// </summary>
    public Task<bool> TryClaimAsync(string scheduleKey, DateTime fireTime, string firedBy, CancellationToken cancellationToken)
    {
        var key = ValidateKey(scheduleKey);
        var by = ValidateFiredBy(firedBy);
        var at = UtcTimestamp.Normalize(fireTime);
        var now = UtcTimestamp.Now(clock);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO schedule_fires (schedule_key, fire_time, deployment_id, fired_by, fired_at)
                VALUES ({key}, {at}, NULL, {by}, {now})
                ON CONFLICT (schedule_key, fire_time) DO NOTHING
                """, cancellationToken);
            return inserted == 1;
        });
    }

    /// <summary>Links a claimed fire to the deployment it queued.</summary>
    public Task SetDeploymentAsync(string scheduleKey, DateTime fireTime, string deploymentId, CancellationToken cancellationToken)
    {
        var key = ValidateKey(scheduleKey);
        var at = UtcTimestamp.Normalize(fireTime);
        var deployment = DeploymentId.Validate(deploymentId);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var updated = await db.ScheduleFires.Where(f => f.ScheduleKey == key && f.FireTime == at)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.DeploymentId, deployment), cancellationToken);
            if (updated == 0)
            {
                throw new NotFoundException("schedule fire", $"{key} at {at:O}");
            }
        });
    }

    /// <summary>Gives a claim back (the deployment could not be queued), so another attempt may claim it. False when there was none.</summary>
    public Task<bool> ReleaseAsync(string scheduleKey, DateTime fireTime, CancellationToken cancellationToken)
    {
        var key = ValidateKey(scheduleKey);
        var at = UtcTimestamp.Normalize(fireTime);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.ScheduleFires.Where(f => f.ScheduleKey == key && f.FireTime == at && f.DeploymentId == null)
                .ExecuteDeleteAsync(cancellationToken) > 0;
        });
    }

    /// <summary>The latest claimed fire time of a schedule (to resume after a restart without firing missed times twice).</summary>
    public Task<ScheduleFire?> LastAsync(string scheduleKey, CancellationToken cancellationToken)
    {
        var key = ValidateKey(scheduleKey);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.ScheduleFires.AsNoTracking().Where(f => f.ScheduleKey == key)
                .OrderByDescending(f => f.FireTime).FirstOrDefaultAsync(cancellationToken);
        });
    }

    /// <summary>
    /// Deletes claims whose fire time is older than <paramref name="keep"/> (at least <see cref="MinimumRetention"/>).
    /// The audit retention job does not touch this table; a host calls this.
    /// </summary>
    public Task<long> PruneAsync(TimeSpan keep, CancellationToken cancellationToken)
    {
        if (keep < MinimumRetention)
        {
            throw new InvalidInputException("retention", $"schedule fires must be kept at least {MinimumRetention.TotalDays:0} days, got {keep}");
        }

        var cutoff = UtcTimestamp.Now(clock) - keep;
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return (long)await db.ScheduleFires.Where(f => f.FireTime < cutoff).ExecuteDeleteAsync(cancellationToken);
        });
    }

    private static string ValidateKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength } && !key.Any(char.IsControl) && key.Trim() == key
            ? key
            : throw new InvalidInputException("schedule_key", $"a schedule key must be 1 to {MaxKeyLength} printable characters without surrounding spaces, e.g. storefront:0 3 * * *");

    private static string ValidateFiredBy(string? firedBy) =>
        firedBy is { Length: > 0 and <= 128 } && !firedBy.Any(char.IsControl)
            ? firedBy
            : throw new InvalidInputException("fired_by", "fired_by must be 1 to 128 printable characters (the process or worker id)");
}
