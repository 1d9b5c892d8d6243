using System.Text.Json.Nodes;
using DeployMind.Deploy.Health;
using DeployMind.Domain;
using DeployMind.Pipeline.Execution;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Deploy.Strategies;

/// <summary>How a rollout ended. On failure every target was put back (<see cref="RestoredPrevious"/> says whether an old version serves).</summary>
public sealed record RolloutResult
{
    public required bool Succeeded { get; init; }

    public string? Reason { get; init; }

    public required IReadOnlyList<TargetRollout> Targets { get; init; }

    /// <summary>On failure: true when every target that had a previous version serves it again.</summary>
    public bool RestoredPrevious { get; init; }

    /// <summary>When the failing verdict was reached.</summary>
    public DateTimeOffset? FailedAt { get; init; }

    /// <summary>When traffic was back on the previous version everywhere.</summary>
    public DateTimeOffset? RestoredAt { get; init; }
}

/// <summary>Why a rollout step refused to go on.</summary>
public sealed record RolloutFailure(string Reason, DateTimeOffset At);

/// <summary>
/// The shared frame of the strategies: run the steps; on a failed check, an error or cancellation, put every touched target
/// back (traffic first, everywhere at once, then the failed containers' logs and removal) and report why.
/// </summary>
public abstract class RolloutStrategy
{
    /// <summary>How long restoring may take after the deployment was cancelled.</summary>
    public static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(2);

    public abstract DeploymentStrategy Kind { get; }

    public static RolloutStrategy For(DeploymentStrategy kind) => kind switch
    {
        DeploymentStrategy.BlueGreen => new BlueGreenStrategy(),
        DeploymentStrategy.Canary => new CanaryStrategy(),
        _ => new RollingStrategy(),
    };

    public async Task<RolloutResult> ExecuteAsync(RolloutContext context, CancellationToken cancellationToken)
    {
        var targets = context.Hosts.Select(h => new TargetRollout(h, context)).ToList();
        await context.LogAsync(DeploymentEvents.DeployStarted,
            $"Rolling out {context.Application} {context.Version} ({context.Launch.Image.Reference}) to {string.Join(", ", targets.Select(t => t.Target))} by {Kind.ToWire()}",
            new JsonObject
            {
                ["strategy"] = Kind.ToWire(),
                ["image"] = context.Launch.Image.Reference,
                ["targets"] = new JsonArray(targets.Select(t => (JsonNode?)JsonValue.Create(t.Target)).ToArray()),
            }, cancellationToken: cancellationToken);
        RolloutFailure? failure;
        try
        {
            failure = await RunAsync(context, targets, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            using var restore = new CancellationTokenSource(RestoreTimeout);
            await RestoreAllAsync(context, targets, "cancelled", restore.Token);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = new RolloutFailure(ex is DeployMindException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}", context.Clock.GetUtcNow());
        }

        if (failure is null)
        {
            return new RolloutResult { Succeeded = true, Targets = targets };
        }

        await context.LogAsync(DeploymentEvents.RollbackStarted, $"Rolling back: {failure.Reason}",
            new JsonObject { ["reason"] = failure.Reason }, LogLevel.Error, CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RestoreTimeout);
        var (restored, at) = await RestoreAllAsync(context, targets, failure.Reason, timeout.Token);
        await LogRestoredAsync(context, restored, failure.At, at);
        return new RolloutResult
        {
            Succeeded = false,
            Reason = failure.Reason,
            Targets = targets,
            RestoredPrevious = restored,
            FailedAt = failure.At,
            RestoredAt = at,
        };
    }

    /// <summary>Records how long the previous version took to serve everything again after the verdict that failed the new one.</summary>
    internal static Task LogRestoredAsync(RolloutContext context, bool restored, DateTimeOffset verdictAt, DateTimeOffset restoredAt)
    {
        var seconds = Math.Round(Math.Max(0, (restoredAt - verdictAt).TotalSeconds), 3);
        return context.LogAsync(DeploymentEvents.TrafficShifted,
            restored
                ? $"The previous version serves all traffic again, {seconds:0.###} s after the failing verdict"
                : $"Rollback finished {seconds:0.###} s after the failing verdict, but no previous version serves",
            new JsonObject { ["restored"] = restored, ["verdict_at"] = verdictAt.ToString("O"), ["verdict_to_restored_seconds"] = seconds },
            restored ? LogLevel.Warning : LogLevel.Error, CancellationToken.None);
    }

    /// <summary>Runs the strategy's steps; returns null when the new version is live everywhere, or why it stopped.</summary>
    protected abstract Task<RolloutFailure?> RunAsync(RolloutContext context, IReadOnlyList<TargetRollout> targets, CancellationToken cancellationToken);

    /// <summary>Starts the new version on each target at once and health-checks them; the first failing verdict, or null.</summary>
    protected static async Task<RolloutFailure?> StartAllAsync(IReadOnlyList<TargetRollout> targets, CancellationToken cancellationToken)
    {
        await Task.WhenAll(targets.Select(t => t.BeginAsync(cancellationToken)));
        var verdicts = await Task.WhenAll(targets.Select(t => t.StartAsync(cancellationToken)));
        return Failure(verdicts);
    }

    protected static RolloutFailure? Failure(IEnumerable<HealthVerdict> verdicts) =>
        verdicts.Where(v => !v.Healthy).OrderBy(v => v.DecidedAt).Select(v => new RolloutFailure(v.Summary, v.DecidedAt)).FirstOrDefault();

    /// <summary>
    /// Restores every touched target at once (traffic first) and says whether an old version serves everywhere one did,
    /// and when traffic was back on it everywhere (before the failed containers' logs are read and they are removed). A target whose restore fails is logged and counted as not restored.
    /// </summary>
    internal static async Task<(bool Restored, DateTimeOffset At)> RestoreAllAsync(RolloutContext context, IReadOnlyList<TargetRollout> targets,
        string reason, CancellationToken cancellationToken)
    {
        var touched = targets.Where(t => t.Begun).ToList();
        var results = await Task.WhenAll(touched.Select(async t =>
        {
            try
            {
                return (t.Previous.Count == 0, await t.RestoreAsync(reason, cancellationToken));
            }
            catch (Exception ex)
            {
                await context.LogAsync(DeploymentEvents.RollbackFailed, $"{t.Target}: could not be put back: {ex.Message}",
                    new JsonObject { ["target"] = t.Target }, LogLevel.Critical, CancellationToken.None);
                return (false, false);
            }
        }));
        var at = touched.Select(t => t.TrafficRestoredAt).Where(t => t is not null).Max() ?? context.Clock.GetUtcNow();
        // Targets that never ran a previous version have nothing to return to; the rollout counts as restored when every
        // target that had one serves it again and at least one did.
        var withPrevious = results.Where(r => !r.Item1).ToList();
        var restored = withPrevious.Count > 0 && withPrevious.All(r => r.Item2);
        return (restored, at);
    }
}

/// <summary>
/// Blue-green per target: the new (green) version starts beside the live (blue) one on another port; once green is healthy on
/// every target, each target's proxy switches all traffic to it at once. Blue stays as a drained standby for
/// strategy.keep_previous_for, so going back is one proxy switch.
/// </summary>
public sealed class BlueGreenStrategy : RolloutStrategy
{
    public override DeploymentStrategy Kind => DeploymentStrategy.BlueGreen;

    protected override async Task<RolloutFailure?> RunAsync(RolloutContext context, IReadOnlyList<TargetRollout> targets, CancellationToken cancellationToken)
    {
        if (await StartAllAsync(targets, cancellationToken) is { } failure)
        {
            return failure;
        }

        await Task.WhenAll(targets.Select(t => t.ShiftAsync(100, cancellationToken)));
        foreach (var target in targets)
        {
            await target.CompleteAsync(cancellationToken);
        }

        return null;
    }
}

/// <summary>
/// Rolling over the targets in batches (strategy.batch_size, or max_unavailable): each batch starts the new version beside
/// the old, health-checks it and switches its proxies; a pause separates batches. The first unhealthy batch stops the
/// rollout and every batch already switched goes back to the old version.
/// </summary>
public sealed class RollingStrategy : RolloutStrategy
{
    public override DeploymentStrategy Kind => DeploymentStrategy.Rolling;

    public static int BatchSize(Pipeline.Configuration.StrategyConfig strategy) =>
        Math.Max(1, strategy.BatchSize ?? strategy.MaxUnavailable ?? 1);

    protected override async Task<RolloutFailure?> RunAsync(RolloutContext context, IReadOnlyList<TargetRollout> targets, CancellationToken cancellationToken)
    {
        var batches = targets.Chunk(BatchSize(context.Strategy)).ToList();
        for (var i = 0; i < batches.Count; i++)
        {
            var batch = batches[i];
            await context.LogAsync(DeploymentEvents.InstanceUpdated,
                $"Batch {i + 1}/{batches.Count}: {string.Join(", ", batch.Select(t => t.Target))}",
                new JsonObject { ["batch"] = i + 1, ["batches"] = batches.Count }, cancellationToken: cancellationToken);
            if (await StartAllAsync(batch, cancellationToken) is { } failure)
            {
                return failure with { Reason = $"batch {i + 1}/{batches.Count}: {failure.Reason}" };
            }

            await Task.WhenAll(batch.Select(t => t.ShiftAsync(100, cancellationToken)));
            foreach (var target in batch)
            {
                await target.CompleteAsync(cancellationToken);
            }

            if (i < batches.Count - 1 && context.Strategy.Pause > TimeSpan.Zero)
            {
                await Task.Delay(context.Strategy.Pause, context.Clock, cancellationToken);
            }
        }

        return null;
    }
}
