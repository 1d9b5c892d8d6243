using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Execution;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Pipeline.Queue;

/// <summary>What a worker's heartbeat learned.</summary>
public sealed record Heartbeat(bool StillOwned, bool CancelRequested);

public enum CancelResult
{
    /// <summary>It had not started; it is now cancelled.</summary>
    CancelledWhileQueued,

    /// <summary>A worker is running it and will stop at its next heartbeat.</summary>
    Requested,

    /// <summary>It had already finished; nothing to cancel.</summary>
    AlreadyFinished,
}

/// <summary>
/// The durable deployment queue: pending rows in the deployments table. Workers claim atomically
/// (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: its single writer), lock every target the deployment
/// changes, renew a lease while they run, and abandoned deployments are found and marked failed.
/// </summary>
public sealed class DeploymentQueue(DeployMindDatabase database, IOptions<QueueOptions> options, TimeProvider clock)
{
    private const string Orchestrator = "orchestrator";
    private readonly QueueOptions _options = options.Value;

    public QueueOptions Options => _options;

    public async Task<Deployment> EnqueueAsync(DeploymentRequest request, CancellationToken cancellationToken)
    {
        request.Validate();
        var now = UtcTimestamp.Now(clock);
        return await database.GuardAsync(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                var deployment = new Deployment
                {
                    Id = DeploymentId.New(now),
                    Repository = request.Repository.Trim(),
                    CommitSha = CommitSha.Validate(request.CommitSha),
                    Branch = request.Branch,
                    InstanceId = request.Targets.Count > 0 ? request.Targets[0] : null,
                    Region = request.Region,
                    Status = DeploymentStatus.Pending,
                    Environment = request.Environment,
                    Strategy = request.Strategy,
                    CreatedAt = now,
                    UpdatedAt = now,
                    TriggeredBy = request.TriggeredBy,
                    TriggerType = request.TriggerType,
                    PreviousDeploymentId = request.PreviousDeploymentId,
                    Metadata = request.Metadata?.DeepClone() as JsonObject,
                    TargetKeys = request.Targets.Count == 0 ? null : string.Join('\n', request.Targets.Distinct(StringComparer.Ordinal)),
                };
                await using var db = database.CreateContext();
                if (await db.Deployments.AnyAsync(d => d.Id == deployment.Id, cancellationToken))
                {
                    // Six random hex digits per day: a collision is rare, and simply retried.
                    if (attempt < 10)
                    {
                        continue;
                    }
                }

                db.Deployments.Add(deployment);
                db.DeploymentLogs.Add(new DeploymentLog
                {
                    DeploymentId = deployment.Id,
                    Timestamp = now,
                    Level = LogLevel.Info,
                    Agent = Orchestrator,
                    EventType = DeploymentEvents.DeploymentQueued,
                    Message = $"Deployment queued for {deployment.Repository}@{CommitSha.Short(deployment.CommitSha)} ({deployment.TriggerType.ToWire()}" +
                              (deployment.TriggeredBy is null ? ")" : $" by {deployment.TriggeredBy})"),
                    EventData = new JsonObject { ["targets"] = new JsonArray(request.Targets.Select(t => (JsonNode)t).ToArray()) },
                });
                await db.SaveChangesAsync(cancellationToken);
                return deployment;
            }
        });
    }

    /// <summary>Claims the oldest pending deployment whose targets are all free, or returns null.</summary>
    public Task<Deployment?> ClaimNextAsync(string workerId, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var candidates = database.Location.Provider == DatabaseProviderKind.PostgreSql
            ? await db.Database.SqlQueryRaw<string>(
                    "SELECT id AS \"Value\" FROM deployments WHERE status = 'pending' AND worker_id IS NULL " +
                    "ORDER BY created_at, id LIMIT {0} FOR UPDATE SKIP LOCKED", _options.ClaimCandidates)
                .ToListAsync(cancellationToken)
            : await db.Deployments.Where(d => d.Status == DeploymentStatus.Pending && d.WorkerId == null)
                .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).Select(d => d.Id).Take(_options.ClaimCandidates)
                .ToListAsync(cancellationToken);

        var now = UtcTimestamp.Now(clock);
        var lease = now + _options.LeaseDuration;
        foreach (var id in candidates)
        {
            var deployment = await db.Deployments.AsNoTracking().SingleAsync(d => d.Id == id, cancellationToken);
            var keys = LockKeys(deployment);
            await tx.CreateSavepointAsync("claim", cancellationToken);
            var locked = 0;
            foreach (var key in keys)
            {
                locked += await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO deployment_target_locks (target, deployment_id, worker_id, acquired_at) VALUES ({0}, {1}, {2}, {3}) ON CONFLICT (target) DO NOTHING",
                    [key, id, workerId, now], cancellationToken);
            }

            if (locked < keys.Count)
            {
                // One of its targets is busy with another deployment: it waits in the queue.
                await tx.RollbackToSavepointAsync("claim", cancellationToken);
                continue;
            }

            var claimed = await db.Deployments
                .Where(d => d.Id == id && d.Status == DeploymentStatus.Pending && d.WorkerId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.WorkerId, workerId).SetProperty(d => d.LeaseExpiresAt, lease), cancellationToken);
            if (claimed == 0)
            {
                await tx.RollbackToSavepointAsync("claim", cancellationToken);
                continue;
            }

            await tx.CommitAsync(cancellationToken);
            deployment.WorkerId = workerId;
            deployment.LeaseExpiresAt = lease;
            return deployment;
        }

        await tx.CommitAsync(cancellationToken);
        return (Deployment?)null;
    });

    /// <summary>Renews the lease; tells the worker whether it still owns the deployment and whether it should stop.</summary>
    public Task<Heartbeat> HeartbeatAsync(string deploymentId, string workerId, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        var lease = UtcTimestamp.Now(clock) + _options.LeaseDuration;
        var renewed = await db.Deployments.Where(d => d.Id == deploymentId && d.WorkerId == workerId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.LeaseExpiresAt, lease), cancellationToken);
        if (renewed == 0)
        {
            return new Heartbeat(false, true);
        }

        var cancel = await db.Deployments.Where(d => d.Id == deploymentId).Select(d => d.CancelRequestedAt).SingleAsync(cancellationToken);
        return new Heartbeat(true, cancel is not null);
    });

    /// <summary>Gives up the claim and frees the targets once the deployment has finished (or was never started).</summary>
    public Task ReleaseAsync(string deploymentId, string workerId, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.TargetLocks.Where(l => l.DeploymentId == deploymentId && l.WorkerId == workerId).ExecuteDeleteAsync(cancellationToken);
        await db.Deployments.Where(d => d.Id == deploymentId && d.WorkerId == workerId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.WorkerId, (string?)null).SetProperty(d => d.LeaseExpiresAt, (DateTime?)null), cancellationToken);
        await tx.CommitAsync(cancellationToken);
    });

    public Task<CancelResult> RequestCancelAsync(string deploymentId, string? requestedBy, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        DeploymentId.Validate(deploymentId);
        await using var db = database.CreateContext();
        var deployment = await db.Deployments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deploymentId, cancellationToken)
            ?? throw new NotFoundException("deployment", deploymentId);
        if (DeploymentStatusMachine.IsFinished(deployment.Status))
        {
            return CancelResult.AlreadyFinished;
        }

        var now = UtcTimestamp.Now(clock);
        var who = requestedBy is null ? "" : $" by {requestedBy}";
        if (deployment.Status == DeploymentStatus.Pending && deployment.WorkerId is null)
        {
            deployment.MoveTo(DeploymentStatus.Cancelled, now);
            var cancelled = await db.Deployments.Where(d => d.Id == deploymentId && d.Status == DeploymentStatus.Pending && d.WorkerId == null)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.Status, DeploymentStatus.Cancelled)
                    .SetProperty(d => d.UpdatedAt, deployment.UpdatedAt)
                    .SetProperty(d => d.CompletedAt, deployment.CompletedAt)
                    .SetProperty(d => d.DurationSeconds, deployment.DurationSeconds)
                    .SetProperty(d => d.CancelRequestedAt, now), cancellationToken);
            if (cancelled == 1)
            {
                await AddLogAsync(db, deploymentId, LogLevel.Warning, DeploymentEvents.DeploymentCancelled, $"Deployment cancelled{who} before it started", cancellationToken);
                return CancelResult.CancelledWhileQueued;
            }
        }

        await db.Deployments.Where(d => d.Id == deploymentId).ExecuteUpdateAsync(u => u.SetProperty(d => d.CancelRequestedAt, now), cancellationToken);
        await AddLogAsync(db, deploymentId, LogLevel.Warning, DeploymentEvents.CancelRequested, $"Cancellation requested{who}", cancellationToken);
        return CancelResult.Requested;
    });

    /// <summary>
    /// Finds deployments whose worker stopped renewing its lease: never-started ones go back to the queue,
    /// running ones are marked failed with reason "interrupted" (never left deploying forever). Returns their ids.
    /// </summary>
    public Task<IReadOnlyList<string>> RecoverAbandonedAsync(CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        var now = UtcTimestamp.Now(clock);
        await using var db = database.CreateContext();
        var abandoned = await db.Deployments.AsNoTracking()
            .Where(d => d.WorkerId != null && d.LeaseExpiresAt < now)
            .ToListAsync(cancellationToken);
        var recovered = new List<string>();
        foreach (var d in abandoned)
        {
            var oldWorker = d.WorkerId;
            var oldLease = d.LeaseExpiresAt;
            var oldStatus = d.Status;
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            int changed;
            if (d.Status == DeploymentStatus.Pending || DeploymentStatusMachine.IsFinished(d.Status))
            {
                changed = await db.Deployments.Where(x => x.Id == d.Id && x.WorkerId == oldWorker && x.LeaseExpiresAt == oldLease)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.WorkerId, (string?)null).SetProperty(x => x.LeaseExpiresAt, (DateTime?)null), cancellationToken);
            }
            else
            {
                d.MoveTo(DeploymentStatus.Failed, now);
                d.Metadata ??= [];
                d.Metadata["failure"] = new JsonObject { ["stage"] = null, ["reason"] = "interrupted" };
                changed = await db.Deployments
                    .Where(x => x.Id == d.Id && x.WorkerId == oldWorker && x.LeaseExpiresAt == oldLease && x.Status == oldStatus)
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(x => x.Status, DeploymentStatus.Failed)
                        .SetProperty(x => x.UpdatedAt, d.UpdatedAt)
                        .SetProperty(x => x.CompletedAt, d.CompletedAt)
                        .SetProperty(x => x.DurationSeconds, d.DurationSeconds)
                        .SetProperty(x => x.Metadata, d.Metadata)
                        .SetProperty(x => x.WorkerId, (string?)null)
                        .SetProperty(x => x.LeaseExpiresAt, (DateTime?)null), cancellationToken);
                if (changed == 1)
                {
                    await AddLogAsync(db, d.Id, LogLevel.Error, DeploymentEvents.DeploymentInterrupted,
                        $"Deployment interrupted: worker {oldWorker} stopped renewing its lease while the deployment was {oldStatus.ToWire()}; marked failed (reason: interrupted)",
                        cancellationToken);
                }
            }

            if (changed == 1)
            {
                await db.TargetLocks.Where(l => l.DeploymentId == d.Id).ExecuteDeleteAsync(cancellationToken);
                recovered.Add(d.Id);
            }

            await tx.CommitAsync(cancellationToken);
        }

        return (IReadOnlyList<string>)recovered;
    });

    internal static IReadOnlyList<string> LockKeys(Deployment deployment) =>
        string.IsNullOrWhiteSpace(deployment.TargetKeys)
            ? [$"repository:{deployment.Repository}"]
            : deployment.TargetKeys.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(t => $"target:{t}").ToList();

    private async Task AddLogAsync(DeployMindDbContext db, string deploymentId, LogLevel level, string eventType, string message, CancellationToken cancellationToken)
    {
        db.DeploymentLogs.Add(new DeploymentLog
        {
            DeploymentId = deploymentId,
            Timestamp = UtcTimestamp.Now(clock),
            Level = level,
            Agent = Orchestrator,
            EventType = eventType,
            Message = message,
        });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }
}
