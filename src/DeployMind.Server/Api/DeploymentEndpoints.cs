using System.Globalization;
using System.Text;
using System.Text.Json;
using DeployMind.Deploy.Agent;
using DeployMind.Domain;
using DeployMind.Llm;
using DeployMind.Persistence;
using DeployMind.Pipeline.Queue;
using DeployMind.Server.Auth;
using DeployMind.Server.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Server.Api;

/// <summary>/api/v1/deployments: list, trigger, one deployment's page, its logs (paged and live), cancel, rollback, delete, advice.</summary>
public static class DeploymentEndpoints
{
    public const int MaxPageSize = 200;

    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/deployments").WithTags("Deployments");
        group.MapGet("/", ListAsync).RequireAuthorization(Roles.Viewer).WithSummary("List deployments, newest first, with filters and a cursor");
        group.MapPost("/", TriggerAsync).RequireAuthorization(Roles.Deployer).Accepts<TriggerRequest>("application/json")
            .WithSummary("Queue a deployment of a configured app, a repository or a server directory");
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Roles.Viewer).WithSummary("One deployment with its stages, scans, build, health checks and agent runs");
        group.MapGet("/{id}/logs", LogsAsync).RequireAuthorization(Roles.Viewer).WithSummary("The deployment's log, oldest first, after a log id");
        group.MapGet("/{id}/logs/stream", LogStream.StreamAsync).RequireAuthorization(Roles.Viewer)
            .WithSummary("Server-Sent Events: 'log' per entry, 'status' on each change, 'end' when finished");
        group.MapPost("/{id}/cancel", CancelAsync).RequireAuthorization(Roles.Deployer).WithSummary("Cancel a queued or running deployment");
        group.MapPost("/{id}/rollback", RollbackAsync).RequireAuthorization(Roles.Deployer).Accepts<RollbackBody>("application/json")
            .WithSummary("Queue a new deployment that puts back the version live before this one (or 'to'), reusing its image");
        group.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Roles.Admin).WithSummary("Delete a finished deployment and all its records");
        group.MapGet("/{id}/advice", AdviceAsync).RequireAuthorization(Roles.Viewer).WithSummary("The advisor's root cause (failed deployments) and strategy recommendation");
    }

    public static async Task<Ok<DeploymentPage>> ListAsync(HttpContext http, DeployMindDatabase database, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        RejectUnknown(query, "status", "repository", "environment", "strategy", "triggerType", "from", "to", "app", "limit", "cursor");
        var limit = Limit(query["limit"], 50);
        var status = Enum<DeploymentStatus>(query["status"], "status");
        var environment = Enum<DeploymentEnvironment>(query["environment"], "environment");
        var strategy = Enum<DeploymentStrategy>(query["strategy"], "strategy");
        var trigger = Enum<TriggerType>(query["triggerType"], "triggerType");
        // An exact-match filter bound as a parameter: any text is inert, so rows with unusual names stay findable.
        var repository = Text(query["repository"]) is { } r
            ? r.Length <= 200 && !r.Any(char.IsControl) ? r : throw new InvalidInputException("repository", "repository must be at most 200 characters without control characters, e.g. acme/web")
            : null;
        var from = Time(query["from"], "from");
        var to = Time(query["to"], "to");
        var cursor = Text(query["cursor"]) is { } c ? Cursor.Parse(c) : null;

        var page = await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var q = db.Deployments.AsNoTracking();
            if (status is { } s) { q = q.Where(d => d.Status == s); }
            if (environment is { } e) { q = q.Where(d => d.Environment == e); }
            if (strategy is { } st) { q = q.Where(d => d.Strategy == st); }
            if (trigger is { } t) { q = q.Where(d => d.TriggerType == t); }
            if (repository is not null) { q = q.Where(d => d.Repository == repository); }
            if (from is { } f) { q = q.Where(d => d.CreatedAt >= f); }
            if (to is { } u) { q = q.Where(d => d.CreatedAt < u); }
            if (cursor is { } k)
            {
                q = q.Where(d => d.CreatedAt < k.CreatedAt || (d.CreatedAt == k.CreatedAt && string.Compare(d.Id, k.Id) < 0));
            }

            return await q.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(limit + 1).ToListAsync(cancellationToken);
        });
        var items = page.Take(limit).Select(DeploymentSummary.Of).ToList();
        var next = page.Count > limit ? Cursor.Of(page[limit - 1]) : null;
        return TypedResults.Ok(new DeploymentPage(items, next));
    }

    public static async Task<Results<Accepted<QueuedDeployment>, ValidationProblem>> TriggerAsync(HttpContext http, DeploymentTrigger trigger, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<TriggerRequest>(http.Request, cancellationToken);
        var deployment = await trigger.TriggerAsync(new TriggerSpec
        {
            App = body.App,
            Repository = body.Repository,
            Path = body.Path,
            Commit = body.Commit,
            Branch = body.Branch,
            Strategy = Enum<DeploymentStrategy>(body.Strategy, "strategy"),
            Environment = Enum<DeploymentEnvironment>(body.Environment, "environment"),
            TriggerType = TriggerType.Manual,
            TriggeredBy = Roles.Name(http.User),
        }, cancellationToken);
        return TypedResults.Accepted($"/api/v1/deployments/{deployment.Id}", new QueuedDeployment(deployment.Id, deployment.Status.ToWire()));
    }

    public static async Task<Ok<DeploymentPageView>> GetAsync(string id, DeploymentQueries queries, CancellationToken cancellationToken)
    {
        var deployment = await queries.GetAsync(DeploymentId.Validate(id, "id"), cancellationToken);
        return TypedResults.Ok(DeploymentPageView.Of(deployment));
    }

    public static async Task<Ok<LogPage>> LogsAsync(string id, HttpContext http, DeploymentQueries queries, CancellationToken cancellationToken)
    {
        DeploymentId.Validate(id, "id");
        var query = http.Request.Query;
        RejectUnknown(query, "after", "limit");
        var limit = Limit(query["limit"], 200, max: 1000);
        var after = Text(query["after"]) is { } a
            ? long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new InvalidInputException("after", $"after '{a}' is not a log id; give the id of the last entry you have (0 for all)")
            : 0;
        if (after > 0)
        {
            await queries.StatusAsync(id, cancellationToken);
        }

        var logs = await queries.LogsAsync(id, after, limit, cancellationToken);
        var next = logs.Count == limit ? logs[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new LogPage(logs.Select(LogItem.Of).ToList(), next));
    }

    public static async Task<Results<Accepted<CancelAccepted>, ProblemHttpResult>> CancelAsync(string id, HttpContext http, DeploymentQueue queue,
        DeploymentQueries queries, CancellationToken cancellationToken)
    {
        var result = await queue.RequestCancelAsync(DeploymentId.Validate(id, "id"), Roles.Name(http.User), cancellationToken);
        var status = await queries.StatusAsync(id, cancellationToken);
        if (result == CancelResult.AlreadyFinished)
        {
            return Problems.Status(StatusCodes.Status409Conflict, "Already finished", $"deployment {id} already finished as {status.ToWire()}; nothing to cancel");
        }

        return TypedResults.Accepted($"/api/v1/deployments/{id}", new CancelAccepted(id, status.ToWire(),
            result == CancelResult.CancelledWhileQueued ? "cancelled" : "requested"));
    }

    public static async Task<Results<Accepted<QueuedDeployment>, ProblemHttpResult>> RollbackAsync(string id, HttpContext http, DeploymentQueries queries,
        RollbackPlanner planner, CancellationToken cancellationToken)
    {
        var current = await queries.GetAsync(DeploymentId.Validate(id, "id"), cancellationToken);
        var body = http.Request.ContentLength is > 0 || http.Request.ContentType is not null
            ? await JsonBody.ReadAsync<RollbackBody>(http.Request, cancellationToken)
            : new RollbackBody(null, null);
        var application = RollbackPlanner.AppOf(current)
            ?? throw new InvalidInputException("id", $"deployment {id} records no application, so there is no earlier version of it to restore");
        var target = body.To is { } explicitTo ? DeploymentId.Validate(explicitTo, "to") : null;
        if (target is null)
        {
            var live = await planner.LiveHistoryAsync(application, cancellationToken);
            target = live.FirstOrDefault(d => d.Id != current.Id && (d.CreatedAt < current.CreatedAt || (d.CreatedAt == current.CreatedAt && string.CompareOrdinal(d.Id, current.Id) < 0)))?.Id;
            if (target is null)
            {
                return Problems.Status(StatusCodes.Status409Conflict, "Nothing to roll back to",
                    $"no deployment of {application} went live before {id}; deploy a known good commit instead");
            }
        }

        try
        {
            var planned = await planner.PlanAsync(new RollbackRequest
            {
                Application = application,
                To = target,
                Strategy = Enum<DeploymentStrategy>(body.Strategy, "strategy"),
                TriggeredBy = Roles.Name(http.User),
            }, cancellationToken);
            return TypedResults.Accepted($"/api/v1/deployments/{planned.Queued.Id}", new QueuedDeployment(planned.Queued.Id, planned.Queued.Status.ToWire()));
        }
        catch (InvalidInputException e) when (e.Field.StartsWith("--", StringComparison.Ordinal))
        {
            throw new InvalidInputException(e.Field[2..], e.Message);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, DeployMindDatabase database, CancellationToken cancellationToken)
    {
        DeploymentId.Validate(id, "id");
        return await database.GuardAsync<Results<NoContent, ProblemHttpResult>>(async () =>
        {
            await using var db = database.CreateContext();
            var status = await db.Deployments.Where(d => d.Id == id).Select(d => (DeploymentStatus?)d.Status).SingleOrDefaultAsync(cancellationToken)
                         ?? throw new NotFoundException("deployment", id);
            if (!DeploymentStatusMachine.IsFinished(status))
            {
                return Problems.Status(StatusCodes.Status409Conflict, "Still running",
                    $"deployment {id} is {status.ToWire()}; cancel it and wait until it has finished before deleting it");
            }

            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Deployments.Where(d => d.PreviousDeploymentId == id)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.PreviousDeploymentId, (string?)null), cancellationToken);
            await db.WebhookDeliveries.Where(w => w.DeploymentId == id).ExecuteUpdateAsync(u => u.SetProperty(w => w.DeploymentId, (string?)null), cancellationToken);
            await db.ScheduleFires.Where(w => w.DeploymentId == id).ExecuteUpdateAsync(u => u.SetProperty(w => w.DeploymentId, (string?)null), cancellationToken);
            await db.SecurityScans.Where(r => r.DeploymentId == id).ExecuteDeleteAsync(cancellationToken);
            await db.BuildResults.Where(r => r.DeploymentId == id).ExecuteDeleteAsync(cancellationToken);
            await db.HealthChecks.Where(r => r.DeploymentId == id).ExecuteDeleteAsync(cancellationToken);
            await db.DeploymentLogs.Where(r => r.DeploymentId == id).ExecuteDeleteAsync(cancellationToken);
            await db.AgentExecutions.Where(r => r.DeploymentId == id).ExecuteDeleteAsync(cancellationToken);
            await db.TargetLocks.Where(r => r.DeploymentId == id).ExecuteDeleteAsync(cancellationToken);
            await db.Deployments.Where(d => d.Id == id).ExecuteDeleteAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return TypedResults.NoContent();
        });
    }

    public static async Task<Ok<AdviceView>> AdviceAsync(string id, DeploymentQueries queries, IDeploymentAdvisor advisor, CancellationToken cancellationToken)
    {
        var d = await queries.GetAsync(DeploymentId.Validate(id, "id"), cancellationToken);
        var rootCause = d.Metadata?["root_cause"]?.DeepClone();
        var history = await queries.ListAsync(new DeploymentListFilter(Repository: d.Repository, Environment: d.Environment, Limit: 50), cancellationToken);
        var advice = await advisor.RecommendStrategyAsync(new StrategyRequest
        {
            Repository = d.Repository,
            Environment = d.Environment,
            InstanceCount = Math.Max(1, d.TargetKeys?.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length ?? 1),
            History = history.Where(h => DeploymentStatusMachine.IsFinished(h.Status))
                .Select(h => new DeploymentHistoryEntry(h.Strategy, h.Status, h.DurationSeconds, h.Status == DeploymentStatus.RolledBack)).ToList(),
        }, cancellationToken);
        return TypedResults.Ok(new AdviceView(rootCause,
            new RecommendationView(advice.Value.Strategy.ToWire(), advice.Value.Reasoning, advice.Usage.Model)));
    }

    internal static void RejectUnknown(IQueryCollection query, params string[] allowed)
    {
        foreach (var key in query.Keys)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                var name = key.Length > 100 ? key[..100] : key;
                throw new InvalidInputException(name, $"unknown query parameter '{name}'; allowed: {string.Join(", ", allowed)}");
            }
        }
    }

    internal static string? Text(Microsoft.Extensions.Primitives.StringValues values)
    {
        var text = values.Count > 1 ? throw new InvalidInputException("query", "give each query parameter once") : values.ToString();
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    internal static int Limit(Microsoft.Extensions.Primitives.StringValues values, int fallback, int max = MaxPageSize) =>
        Text(values) is not { } text
            ? fallback
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
                ? n
                : throw new InvalidInputException("limit", $"limit '{text}' is not a whole number from 1 to {max}");

    internal static T? Enum<T>(Microsoft.Extensions.Primitives.StringValues values, string field) where T : struct, System.Enum =>
        Text(values) is { } text ? WireValues.Parse<T>(text, field) : null;

    internal static T? Enum<T>(string? text, string field) where T : struct, System.Enum =>
        string.IsNullOrWhiteSpace(text) ? null : WireValues.Parse<T>(text, field);

    internal static DateTime? Time(Microsoft.Extensions.Primitives.StringValues values, string field)
    {
        if (Text(values) is not { } text)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? UtcTimestamp.Normalize(value.UtcDateTime)
            : throw new InvalidInputException(field, $"{field} '{text}' is not a time; use ISO 8601 such as 2026-03-01 or 2026-03-01T10:00:00Z");
    }

    /// <summary>An opaque page cursor: the last row's creation time and id.</summary>
    internal sealed record Cursor(DateTime CreatedAt, string Id)
    {
        public static string Of(Deployment d) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{d.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}:{d.Id}"))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static Cursor Parse(string text)
        {
            try
            {
                var padded = text.Replace('-', '+').Replace('_', '/');
                padded += new string('=', (4 - padded.Length % 4) % 4);
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':', 2);
                if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                    && ticks is > 0 and < 3155378975999999999 && DeploymentId.IsValid(parts[1]))
                {
                    return new Cursor(new DateTime(ticks, DateTimeKind.Utc), parts[1]);
                }
            }
            catch (FormatException)
            {
            }

            throw new InvalidInputException("cursor", "cursor is not one this server gave out; use the nextCursor of the previous page as it is");
        }
    }
}
