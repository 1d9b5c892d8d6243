using DeployMind.Domain;
using DeployMind.Pipeline.Execution;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace DeployMind.Pipeline.Queue;

/// <summary>Takes deployments from the queue one at a time and runs them, renewing the lease while they run.</summary>
public sealed partial class DeploymentWorker(DeploymentQueue queue, DeploymentOrchestrator orchestrator, TimeProvider clock, ILogger<DeploymentWorker> logger)
{
    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Works the queue until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await queue.RecoverAbandonedAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await RunNextAsync(cancellationToken))
            {
                await queue.RecoverAbandonedAsync(cancellationToken);
                await Task.Delay(queue.Options.PollInterval, clock, cancellationToken);
            }
        }
    }

    /// <summary>Claims and runs one deployment; false when nothing could be claimed.</summary>
    public async Task<bool> RunNextAsync(CancellationToken cancellationToken)
    {
        var deployment = await queue.ClaimNextAsync(WorkerId, cancellationToken);
        if (deployment is null)
        {
            return false;
        }

        await RunClaimedAsync(deployment, cancellationToken);
        return true;
    }

    private async Task RunClaimedAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(deployment.Id, run, stopHeartbeat.Token);
        try
        {
            var status = await orchestrator.RunAsync(deployment, run.Token);
            LogFinished(logger, deployment.Id, status.ToWire());
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
            await queue.ReleaseAsync(deployment.Id, WorkerId, CancellationToken.None);
        }
    }

    private async Task HeartbeatAsync(string deploymentId, CancellationTokenSource run, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(queue.Options.HeartbeatInterval, clock, stop);
                var beat = await queue.HeartbeatAsync(deploymentId, WorkerId, stop);
                if (!beat.StillOwned || beat.CancelRequested)
                {
                    LogStopping(logger, deploymentId, beat.StillOwned ? "cancel requested" : "lease lost");
                    await run.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed beat is survivable until the lease runs out; keep trying.
                LogHeartbeatFailed(logger, ex, deploymentId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "deployment {DeploymentId} finished: {Status}")]
    private static partial void LogFinished(ILogger logger, string deploymentId, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopping deployment {DeploymentId}: {Why}")]
    private static partial void LogStopping(ILogger logger, string deploymentId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "heartbeat for deployment {DeploymentId} failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception, string deploymentId);
}
