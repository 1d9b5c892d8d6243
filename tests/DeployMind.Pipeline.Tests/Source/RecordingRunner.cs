using System.Collections.Concurrent;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Pipeline.Tests.Source;

/// <summary>Runs commands for real and keeps every command line, output line and result, to look for leaks.</summary>
internal sealed class RecordingRunner : IProcessRunner
{
    private readonly ProcessRunner _inner = new();

    public ConcurrentQueue<CommandLine> Commands { get; } = new();

    public ConcurrentQueue<CommandResult> Results { get; } = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    public async Task<CommandResult> RunAsync(CommandLine command, CancellationToken cancellationToken)
    {
        Commands.Enqueue(command);
        var result = await _inner.RunAsync(command with
        {
            OnOutputLine = line =>
            {
                Lines.Enqueue(line.Text);
                command.OnOutputLine?.Invoke(line);
            },
        }, cancellationToken);
        Results.Enqueue(result);
        return result;
    }

    /// <summary>Everything git printed or was given on its command line, as one text.</summary>
    public string AllVisibleText() =>
        string.Join('\n', Commands.SelectMany(c => c.Arguments.Prepend(c.FileName))
            .Concat(Lines)
            .Concat(Results.SelectMany(r => new[] { r.CommandDisplay, r.StandardOutput, r.StandardError })));
}
