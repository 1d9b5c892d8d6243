using System.CommandLine;
using DeployMind.Deploy.Agent;
using DeployMind.Domain;
using DeployMind.Pipeline.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind worker`: works the deployment queue until stopped; several can share one PostgreSQL database.</summary>
internal static class WorkerCommand
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    public static Command Create(CliContext context)
    {
        var once = new Option<bool>("--once") { Description = "Run queued deployments until the queue is empty, then exit" };
        var command = new Command("worker", "Run queued deployments (Ctrl+C stops after cancelling the running one)");
        command.Options.Add(once);
        command.SetWork(context, async (parse, services, ct) =>
        {
            await services.Database().EnsureReadyAsync(ct);
            var worker = services.GetRequiredService<DeploymentWorker>();
            await context.Output.WriteLineAsync($"Worker {worker.WorkerId} on {services.Database().Location}");
            if (parse.GetValue(once))
            {
                var ran = 0;
                while (await worker.RunNextAsync(ct))
                {
                    ran++;
                }

                await context.Output.WriteLineAsync($"Queue empty; ran {ran} deployment(s)");
                await SweepAsync(context, services, ct);
                return ExitCodes.Success;
            }

            // The sweep lives as long as the worker loop: when the loop ends (stopped or failed), the sweep is stopped too.
            using var sweeping = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sweep = SweepEveryAsync(context, services, sweeping.Token);
            try
            {
                await worker.RunAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await context.Output.WriteLineAsync("Worker stopped");
            }
            finally
            {
                await sweeping.CancelAsync();
                await sweep.ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Blue-green standbys whose keep_previous_for is over are removed while the worker runs, not only by the next deployment.</summary>
    private static async Task SweepEveryAsync(CliContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(SweepInterval, cancellationToken);
            await SweepAsync(context, services, cancellationToken);
        }
    }

    private static async Task SweepAsync(CliContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        try
        {
            var sweep = await services.GetRequiredService<StandbyRetirement>().RunAsync(cancellationToken);
            foreach (var retired in sweep.Retired)
            {
                await context.Output.WriteLineAsync($"Retired the standby {retired.Container} ({retired.Version}) of {retired.Application} on {retired.Target}");
            }

            foreach (var problem in sweep.Problems)
            {
                await context.Error.WriteLineAsync($"warning: a standby could not be retired ({problem}); trying again later");
            }
        }
        catch (DeployMindException ex)
        {
            await context.Error.WriteLineAsync($"warning: standby sweep failed: {ex.Message}");
        }
    }
}
