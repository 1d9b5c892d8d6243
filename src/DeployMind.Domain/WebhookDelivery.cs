namespace DeployMind.Domain;

/// <summary>
/// One webhook delivery that passed signature verification, keyed by GitHub's <c>X-GitHub-Delivery</c>
/// id so a redelivery is recognised and not acted on twice.
/// </summary>
public sealed class WebhookDelivery
{
    private DateTime _receivedAt;

    /// <summary>The <c>X-GitHub-Delivery</c> GUID (primary key).</summary>
    public required string DeliveryId { get; set; }

    /// <summary>The <c>X-GitHub-Event</c> name: push, ping, ...</summary>
    public required string Event { get; set; }

    /// <summary>The repository (<c>owner/repo</c>) named in the payload, when there is one.</summary>
    public string? Repository { get; set; }

    public DateTime ReceivedAt { get => _receivedAt; set => _receivedAt = UtcTimestamp.Normalize(value); }

    /// <summary>The deployment the delivery triggered; set to null when that deployment is deleted.</summary>
    public string? DeploymentId { get; set; }

    /// <summary>What was done with it: <c>received</c>, <c>queued</c>, <c>ignored: ...</c>, <c>failed: ...</c>.</summary>
    public required string Outcome { get; set; }
}
