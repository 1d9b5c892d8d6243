using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence.Webhooks;
using DeployMind.Pipeline.Configuration;
using DeployMind.Server.Api;
using DeployMind.Server.Auth;
using DeployMind.Server.Configuration;
using DeployMind.Server.Observability;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DeployMind.Server.Webhooks;

public sealed record WebhookAnswer(string Event, string Outcome, IReadOnlyList<string> Deployments, string? Detail = null);

/// <summary>
/// POST /webhooks/github. The body is verified against the repository's secret (webhooks: in server.yml) with HMAC-SHA256
/// in constant time before anything in it is acted on; X-GitHub-Delivery makes redeliveries no-ops; push queues each app
/// configured for the repository and branch (trigger webhook, triggered by the pusher); ping is answered; everything else
/// is acknowledged and ignored. Rejected deliveries are logged without their payload.
/// </summary>
public static partial class GitHubWebhooks
{
    public const long MaxBody = 25 * 1024 * 1024;

    public static void Map(WebApplication app) =>
        app.MapPost("/webhooks/github", ReceiveAsync).AllowAnonymous().WithTags("Webhooks").DisableAntiforgery()
            .WithSummary("GitHub webhook (signed with X-Hub-Signature-256)");

    public static async Task<Results<Ok<WebhookAnswer>, Accepted<WebhookAnswer>, ProblemHttpResult>> ReceiveAsync(HttpContext http, ServerConfig config,
        WebhookDeliveryLog deliveries, DeploymentTrigger trigger, AuthFailureLimiter limiter, ServerSettings settings, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("DeployMind.Server.Webhooks");
        var eventName = http.Request.Headers["X-GitHub-Event"].ToString();
        var deliveryId = http.Request.Headers["X-GitHub-Delivery"].ToString();
        var signature = http.Request.Headers["X-Hub-Signature-256"].ToString();
        if (eventName.Length == 0 || deliveryId.Length == 0)
        {
            throw new InvalidInputException(eventName.Length == 0 ? "X-GitHub-Event" : "X-GitHub-Delivery", "this is not a GitHub webhook delivery: X-GitHub-Event and X-GitHub-Delivery are required");
        }

        WebhookDeliveryLog.ValidateDeliveryId(deliveryId);
        var body = await JsonBody.ReadBytesAsync(http.Request, MaxBody, cancellationToken);
        var json = ParsePayload(http.Request.ContentType, body);
        var repository = json?["repository"]?["full_name"] is JsonValue v && v.TryGetValue<string>(out var name) ? name : null;
        var secret = repository is not null && config.WebhookSecrets.TryGetValue(repository, out var reference) ? reference : null;
        if (secret is null || !Verify(secret, config, settings, body, signature))
        {
            limiter.RecordFailure(http);
            ServerMetrics.WebhookDeliveries.WithLabels(Safe(eventName), "rejected").Inc();
            LogRejected(logger, deliveryId.Length > 64 ? deliveryId[..64] : deliveryId, Safe(eventName), AuthFailureLimiter.ClientOf(http), body.Length,
                signature.Length == 0 ? "unsigned" : secret is null ? "no secret configured for the repository" : "signature mismatch");
            return Problems.Status(StatusCodes.Status401Unauthorized, "Signature rejected",
                "The X-Hub-Signature-256 header is missing or does not match the body signed with this repository's webhook secret.");
        }

        if (!await deliveries.TryRecordAsync(deliveryId, eventName, RepositoryOrNull(repository), cancellationToken))
        {
            ServerMetrics.WebhookDeliveries.WithLabels(Safe(eventName), "duplicate").Inc();
            return TypedResults.Ok(new WebhookAnswer(eventName, "duplicate", [], $"delivery {deliveryId} was already received"));
        }

        switch (eventName)
        {
            case "ping":
                await deliveries.CompleteAsync(deliveryId, "pong", null, cancellationToken);
                ServerMetrics.WebhookDeliveries.WithLabels("ping", "pong").Inc();
                return TypedResults.Ok(new WebhookAnswer("ping", "pong", [], json?["zen"]?.ToString()));
            case "push":
                return await PushAsync(json!, repository!, deliveryId, deliveries, trigger, config, logger, cancellationToken);
            default:
                await deliveries.CompleteAsync(deliveryId, "ignored", null, cancellationToken);
                ServerMetrics.WebhookDeliveries.WithLabels(Safe(eventName), "ignored").Inc();
                return TypedResults.Accepted((string?)null, new WebhookAnswer(eventName, "ignored", [], $"'{eventName}' events do not trigger anything"));
        }
    }

    private static async Task<Results<Ok<WebhookAnswer>, Accepted<WebhookAnswer>, ProblemHttpResult>> PushAsync(JsonObject json, string repository,
        string deliveryId, WebhookDeliveryLog deliveries, DeploymentTrigger trigger, ServerConfig config, ILogger logger, CancellationToken cancellationToken)
    {
        var reference = json["ref"]?.ToString() ?? "";
        var after = json["after"]?.ToString();
        var pusher = json["pusher"]?["name"]?.ToString() ?? json["sender"]?["login"]?.ToString() ?? "github";
        if (!reference.StartsWith("refs/heads/", StringComparison.Ordinal) || json["deleted"]?.GetValueKind() == JsonValueKind.True || after is null || after.All(c => c == '0'))
        {
            await deliveries.CompleteAsync(deliveryId, "ignored", null, cancellationToken);
            ServerMetrics.WebhookDeliveries.WithLabels("push", "ignored").Inc();
            return TypedResults.Accepted((string?)null, new WebhookAnswer("push", "ignored", [], "not a push of a branch head (tag, or deleted branch)"));
        }

        var branch = reference["refs/heads/".Length..];
        var apps = config.AppsFor(repository, branch).ToList();
        if (apps.Count == 0)
        {
            await deliveries.CompleteAsync(deliveryId, "ignored", null, cancellationToken);
            ServerMetrics.WebhookDeliveries.WithLabels("push", "ignored").Inc();
            return TypedResults.Accepted((string?)null, new WebhookAnswer("push", "ignored", [], $"no app is configured for {repository} branch {branch}"));
        }

        var queued = new List<string>();
        try
        {
            foreach (var app in apps)
            {
                var deployment = await trigger.TriggerAsync(new TriggerSpec
                {
                    App = app.Name,
                    Commit = after,
                    Branch = branch,
                    TriggerType = TriggerType.Webhook,
                    TriggeredBy = pusher,
                    Context = new JsonObject { ["github_delivery"] = deliveryId, ["event"] = "push", ["ref"] = reference },
                }, cancellationToken);
                queued.Add(deployment.Id);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Forget the delivery so GitHub's redelivery can try again.
            await deliveries.ForgetAsync(deliveryId, CancellationToken.None);
            LogPushFailed(logger, deliveryId, e.GetType().Name);
            throw;
        }

        await deliveries.CompleteAsync(deliveryId, "queued", queued[0], cancellationToken);
        ServerMetrics.WebhookDeliveries.WithLabels("push", "queued").Inc();
        return TypedResults.Accepted($"/api/v1/deployments/{queued[0]}", new WebhookAnswer("push", "queued", queued));
    }

    /// <summary>GitHub signs the raw body: X-Hub-Signature-256 = "sha256=" + hex(HMAC-SHA256(secret, body)); compared in constant time.</summary>
    public static bool Verify(SecretReference secret, ServerConfig config, ServerSettings settings, byte[] body, string header)
    {
        if (!header.StartsWith("sha256=", StringComparison.Ordinal) || header.Length != 7 + 64)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(7));
        }
        catch (FormatException)
        {
            return false;
        }

        var key = secret.Resolve(settings.Environment(), config.BaseDirectory).Reveal();
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    public static string Sign(string secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static JsonObject? ParsePayload(string? contentType, byte[] body)
    {
        try
        {
            if (contentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            {
                var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
                return form.TryGetValue("payload", out var payload) ? JsonNode.Parse(payload.ToString()) as JsonObject : null;
            }

            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? RepositoryOrNull(string? repository)
    {
        try
        {
            return repository is null ? null : RepositoryName.Validate(repository);
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

    private static string Safe(string eventName) => eventName.Length <= 40 && eventName.All(c => char.IsAsciiLetterLower(c) || c == '_') ? eventName : "other";

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook delivery {DeliveryId} ({Event}) from {Client} rejected: {Reason}; {Bytes} bytes, payload not logged")]
    private static partial void LogRejected(ILogger logger, string deliveryId, string @event, string client, int bytes, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "webhook delivery {DeliveryId} could not queue its deployment ({Error}); forgotten so a redelivery retries")]
    private static partial void LogPushFailed(ILogger logger, string deliveryId, string error);
}
