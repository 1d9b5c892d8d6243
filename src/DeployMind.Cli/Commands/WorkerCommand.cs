using System.CommandLine;
using DeployMind.Pipeline.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind worker`: works the deployment queue until stopped; several can share one PostgreSQL database.</summary>
internal static class WorkerCommand
{
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
                return ExitCodes.Success;
            }

            try
            {
                await worker.RunAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await context.Output.WriteLineAsync("Worker stopped");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
