using System.CommandLine;
using DeployMind.Cli.Commands;

namespace DeployMind.Cli;

/// <summary>The `deploymind` command tree. Program.cs only calls <see cref="RunAsync"/>.</summary>
public static class DeployMindCli
{
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        var root = new RootCommand("DeployMind: scan, build, deploy and audit applications from their Git repositories.");
        root.Options.Add(GlobalOptions.Database);
        root.Options.Add(GlobalOptions.DataDirectory);
        root.Subcommands.Add(DbCommands.Create(context));
        root.Subcommands.Add(StatsCommands.Create(context));
        root.Subcommands.Add(DeployCommand.Create(context));
        root.Subcommands.Add(InitCommand.Create(context));
        root.Subcommands.Add(WorkerCommand.Create(context));
        root.Subcommands.Add(DetectCommand.Create(context));
        root.Subcommands.Add(ScanCommand.Create(context));
        root.Subcommands.Add(VulnDbCommands.Create(context));
        root.Subcommands.Add(RecommendCommand.Create(context));
        root.Subcommands.Add(RollbackCommand.Create(context));
        root.Subcommands.Add(InstancesCommand.Create(context));
        root.Subcommands.Add(EnvCommands.Create(context));
        root.Subcommands.Add(TokenCommands.Create(context));
        root.Subcommands.Add(ImagesCommand.Create(context));
        root.Subcommands.Add(BuildCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create(context));
        foreach (var command in DeploymentCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await context.Error.WriteLineAsync($"error: {error.Message}");
            }

            await context.Error.WriteLineAsync($"Run 'deploymind {string.Join(' ', CommandPath(parse))} --help' for usage.".Replace("  ", " ", StringComparison.Ordinal));
            return ExitCodes.InvalidInput;
        }

        var configuration = new InvocationConfiguration { Output = context.Output, Error = context.Error, EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(configuration, cancellationToken);
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var symbol = parse.CommandResult; symbol is not null; symbol = symbol.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (symbol.Command is not RootCommand)
            {
                names.Push(symbol.Command.Name);
            }
        }

        return names;
    }
}
