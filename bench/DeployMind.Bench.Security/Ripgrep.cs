using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Security.Secrets;

namespace DeployMind.Bench.Security;

/// <summary>The result of one rg run: matches counted over all files, and how long the process took.</summary>
internal sealed record RipgrepRun(long Matches, int FilesWithMatches, TimeSpan Elapsed);

/// <summary>Runs ripgrep over a tree with the scanner's own rules, skipping what the scanner skips.</summary>
internal sealed partial class Ripgrep(IReadOnlyList<string> patternArguments)
{
    /// <summary>The rules in <paramref name="patternFile"/>, one per line, with PCRE2 or rg's default engine.</summary>
    public static Ripgrep WithPatternFile(string patternFile, bool pcre2) => new(pcre2 ? ["-P", "-f", patternFile] : ["-f", patternFile]);

    /// <summary>One fixed string that occurs nowhere: every file is read and searched with memchr, the floor of any search.</summary>
    public static Ripgrep AbsentLiteral() => new(["-F", "-e", "deploymind-bench:no-such-literal"]);

    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(10);

    /// <summary>Whether rg's default (Rust regex) engine compiles <paramref name="pattern"/>.</summary>
    public static async Task<bool> CompilesInDefaultEngineAsync(string pattern, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["--no-config", "-U", "-e", pattern, "/dev/null"], cancellationToken);
        return result.ExitCode is 0 or 1;
    }

    /// <summary>Counts matches under <paramref name="root"/>: hidden files and ignored files included, skipped directories and extensions excluded.</summary>
    public async Task<RipgrepRun> CountAsync(string root, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "--no-config", "--no-ignore", "--hidden", "--no-messages", "-U", "--count-matches", "--max-filesize", "10M" };
        arguments.AddRange(patternArguments);
        foreach (var directory in SecretScanOptions.DefaultSkipDirectories)
        {
            arguments.AddRange(["-g", $"!{directory}/"]);
        }

        foreach (var extension in SecretScanOptions.DefaultSkipExtensions)
        {
            arguments.AddRange(["--iglob", $"!*{extension}"]);
        }

        arguments.Add(root);
        var started = Stopwatch.GetTimestamp();
        var result = await RunAsync(arguments, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (result.ExitCode is not (0 or 1))
        {
            throw new InvalidOperationException($"rg exited with {result.ExitCode}: {result.Error.Trim()}");
        }

        long matches = 0;
        var files = 0;
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            matches += long.Parse(line.AsSpan(line.LastIndexOf(':') + 1), CultureInfo.InvariantCulture);
            files++;
        }

        return new RipgrepRun(matches, files, elapsed);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("rg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("rg could not be started");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

}
