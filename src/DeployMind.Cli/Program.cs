using DeployMind.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await DeployMindCli.RunAsync(args, new CliContext(Console.Out, Console.Error, CliContext.ProcessEnvironment()), cancellation.Token);
