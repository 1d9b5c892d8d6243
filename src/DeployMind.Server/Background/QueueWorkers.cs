using DeployMind.Persistence;
using DeployMind.Pipeline.Queue;
using DeployMind.Server.Configuration;

namespace DeployMind.Server.Background;

/// <summary>
/// Runs DEPLOYMIND_WORKERS deployment workers in the server process (the same <see cref="DeploymentWorker"/> as
/// `deploymind worker`); several server processes on one PostgreSQL share the queue. A worker that loses the database
/// waits and tries again instead of stopping the server. Stopping the server cancels running deployments, which roll back.
/// </summary>
public sealed partial class QueueWorkers(IServiceProvider services, ServerSettings settings, TimeProvider clock, ILogger<QueueWorkers> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, settings.Workers).Select(_ => RunWorkerAsync(stoppingToken)));

    private async Task RunWorkerAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var worker = ActivatorUtilities.CreateInstance<DeploymentWorker>(services);
        LogStarted(logger, worker.WorkerId);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await worker.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DatabaseUnavailableException or InvalidOperationException or System.Data.Common.DbException)
            {
                LogFailed(logger, e, worker.WorkerId);
                await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "queue worker {WorkerId} started")]
    private static partial void LogStarted(ILogger logger, string workerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "queue worker {WorkerId} failed; retrying in 5 s")]
    private static partial void LogFailed(ILogger logger, Exception exception, string workerId);
}
