using System.Text.RegularExpressions;
using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence.Webhooks;

/// <summary>
/// Makes webhook intake idempotent: a delivery id (GitHub's <c>X-GitHub-Delivery</c>) is recorded once, by
/// INSERT ... ON CONFLICT DO NOTHING, so of any number of concurrent or repeated deliveries exactly one is
/// acted on, on SQLite and on PostgreSQL alike. Record a delivery only after its signature has been verified.
/// </summary>
public sealed partial class WebhookDeliveryLog(DeployMindDatabase database, TimeProvider clock)
{
    /// <summary>The outcome a delivery has until <see cref="CompleteAsync"/> sets another.</summary>
    public const string Received = "received";

    /// <summary>GitHub lets deliveries be redelivered for 3 days; rows younger than this are never pruned.</summary>
    public static readonly TimeSpan MinimumRetention = TimeSpan.FromDays(7);

    /// <summary>Suggested retention for <see cref="PruneAsync"/>.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>True when this delivery id is new (act on it); false when it was already recorded (a redelivery: ignore it).</summary>
    public Task<bool> TryRecordAsync(string deliveryId, string eventName, string? repository, CancellationToken cancellationToken,
        string outcome = Received)
    {
        var id = ValidateDeliveryId(deliveryId);
        var name = ValidateEvent(eventName);
        var repo = repository is null ? null : RepositoryName.Validate(repository);
        var text = Outcome(outcome);
        var now = UtcTimestamp.Now(clock);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO webhook_deliveries (delivery_id, "event", repository, received_at, deployment_id, outcome)
                VALUES ({id}, {name}, {repo}, {now}, NULL, {text})
                ON CONFLICT (delivery_id) DO NOTHING
                """, cancellationToken);
            return inserted == 1;
        });
    }

    /// <summary>Records what was done with a delivery and the deployment it queued, if any.</summary>
    public Task CompleteAsync(string deliveryId, string outcome, string? deploymentId, CancellationToken cancellationToken)
    {
        var id = ValidateDeliveryId(deliveryId);
        var text = Outcome(outcome);
        var deployment = deploymentId is null ? null : DeploymentId.Validate(deploymentId);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var updated = await db.WebhookDeliveries.Where(w => w.DeliveryId == id)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.Outcome, text).SetProperty(w => w.DeploymentId, deployment), cancellationToken);
            if (updated == 0)
            {
                throw new NotFoundException("webhook delivery", id);
            }
        });
    }

    /// <summary>
    /// Forgets a delivery whose handling failed before anything was queued, so that GitHub's redelivery of it
    /// is acted on instead of ignored. False when it was not recorded.
    /// </summary>
    public Task<bool> ForgetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var id = ValidateDeliveryId(deliveryId);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.WebhookDeliveries.Where(w => w.DeliveryId == id).ExecuteDeleteAsync(cancellationToken) > 0;
        });
    }

    public Task<WebhookDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var id = ValidateDeliveryId(deliveryId);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(w => w.DeliveryId == id, cancellationToken);
        });
    }

    /// <summary>The most recent deliveries, newest first (for a dashboard or diagnostics).</summary>
    public Task<IReadOnlyList<WebhookDelivery>> RecentAsync(int limit, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        return (IReadOnlyList<WebhookDelivery>)await db.WebhookDeliveries.AsNoTracking()
            .OrderByDescending(w => w.ReceivedAt).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(cancellationToken);
    });

    /// <summary>
    /// Deletes deliveries received longer ago than <paramref name="keep"/> (at least <see cref="MinimumRetention"/>,
    /// past GitHub's redelivery window). The audit retention job does not touch this table; a host calls this.
    /// </summary>
    public Task<long> PruneAsync(TimeSpan keep, CancellationToken cancellationToken)
    {
        if (keep < MinimumRetention)
        {
            throw new InvalidInputException("retention", $"webhook deliveries must be kept at least {MinimumRetention.TotalDays:0} days (GitHub redelivers for 3), got {keep}");
        }

        var cutoff = UtcTimestamp.Now(clock) - keep;
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return (long)await db.WebhookDeliveries.Where(w => w.ReceivedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        });
    }

    public static string ValidateDeliveryId(string? deliveryId) =>
        deliveryId is not null && DeliveryIdPattern().IsMatch(deliveryId)
            ? deliveryId
            : throw new InvalidInputException("X-GitHub-Delivery", "the delivery id must be 1 to 64 letters, digits, '-', '_' or '.' (GitHub sends a GUID)");

    private static string ValidateEvent(string? eventName) =>
        eventName is not null && EventPattern().IsMatch(eventName)
            ? eventName
            : throw new InvalidInputException("X-GitHub-Event", "the event name must be 1 to 64 lowercase letters, digits or '_', e.g. push");

    private static string Outcome(string? outcome)
    {
        var text = string.IsNullOrWhiteSpace(outcome) ? Received : outcome.Trim();
        return text.Length <= 512 ? text : text[..511] + "…";
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex DeliveryIdPattern();

    [GeneratedRegex("^[a-z0-9_]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex EventPattern();
}
