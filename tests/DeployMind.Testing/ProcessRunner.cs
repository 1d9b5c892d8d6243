using System.Diagnostics;

namespace DeployMind.Testing;

/// <summary>Runs a program with an argument list and a timeout, for test set-up.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        using var cts = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var error = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
