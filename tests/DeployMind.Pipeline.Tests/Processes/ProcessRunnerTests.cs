using DeployMind.Pipeline.Processes;

namespace DeployMind.Pipeline.Tests.Processes;

public sealed class ProcessRunnerTests
{
    private static readonly TimeSpan s_generous = TimeSpan.FromSeconds(30);
    private readonly ProcessRunner _runner = new();

    private static CommandLine Shell(string script, params string[] arguments) =>
        new("sh", ["-c", script, "sh", .. arguments]) { Timeout = s_generous };

    [Fact]
    public async Task RunAsync_ProgramWritesBothStreams_CapturesExitCodeAndOutput()
    {
        var result = await _runner.RunAsync(Shell("echo out; echo err >&2; exit 3"), CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
        Assert.False(result.Succeeded);
        Assert.False(result.TimedOut);
        Assert.True(result.Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task RunAsync_ArgumentsWithSpacesAndQuotes_ReachProgramVerbatim()
    {
        var command = new CommandLine("printf", "%s|", "a b", "c'd", "$HOME", "; rm -rf x") { Timeout = s_generous };

        var result = (await _runner.RunAsync(command, CancellationToken.None)).VerifySuccess();

        Assert.Equal("a b|c'd|$HOME|; rm -rf x|\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_InputEnvironmentAndWorkingDirectory_ReachProgram()
    {
        using var directory = new DeployMind.Testing.TempDirectory();
        var command = Shell("cat; echo \"[$DM_VALUE]\"; echo \"${DM_REMOVED-unset}\"; pwd") with
        {
            StandardInput = "from stdin\n",
            WorkingDirectory = directory.Path,
            Environment = new Dictionary<string, string?> { ["DM_VALUE"] = "set", ["DM_REMOVED"] = null },
        };
        Environment.SetEnvironmentVariable("DM_REMOVED", "inherited");

        var result = (await _runner.RunAsync(command, CancellationToken.None)).VerifySuccess();

        Assert.Equal($"from stdin\n[set]\nunset\n{directory.Path}\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_Timeout_KillsWholeProcessTreeAndSaysSo()
    {
        var childPids = new List<int>();
        var command = Shell("sleep 30 & echo $!; sleep 30") with
        {
            Timeout = TimeSpan.FromSeconds(1),
            OnOutputLine = line => childPids.Add(int.Parse(line.Text, System.Globalization.CultureInfo.InvariantCulture)),
        };

        var result = await _runner.RunAsync(command, CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.True(result.Duration < TimeSpan.FromSeconds(15), $"took {result.Duration}");
        var child = Assert.Single(childPids);
        await AssertProcessGoneAsync(child);
        var failure = Assert.Throws<CommandFailedException>(() => result.VerifySuccess());
        Assert.Contains("'sh' timed out after 1 s", failure.Message, StringComparison.Ordinal);
        Assert.True(failure.TimedOut);
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsProcessTreeAndThrows()
    {
        var childStarted = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = Shell("sleep 30 & echo $!; sleep 30") with
        {
            OnOutputLine = line => childStarted.TrySetResult(int.Parse(line.Text, System.Globalization.CultureInfo.InvariantCulture)),
        };
        using var cts = new CancellationTokenSource();

        var run = _runner.RunAsync(command, cts.Token);
        var child = await childStarted.Task.WaitAsync(s_generous);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
        await AssertProcessGoneAsync(child);
    }

    [Fact]
    public async Task RunAsync_MissingProgram_ThrowsProgramNotFoundOnPath()
    {
        var command = new CommandLine("deploymind-no-such-program", "--version");

        var error = await Assert.ThrowsAsync<ProgramNotFoundException>(() => _runner.RunAsync(command, CancellationToken.None));

        Assert.Contains("program 'deploymind-no-such-program' was not found on PATH", error.Message, StringComparison.Ordinal);
        Assert.Equal("deploymind-no-such-program", error.Program);
    }

    [Fact]
    public async Task RunAsync_MissingProgramPath_ThrowsProgramNotFound()
    {
        var command = new CommandLine("/nonexistent/bin/tool");

        var error = await Assert.ThrowsAsync<ProgramNotFoundException>(() => _runner.RunAsync(command, CancellationToken.None));

        Assert.Contains("'/nonexistent/bin/tool' was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SecretInArgumentsAndOutput_RedactedInResultLinesAndException()
    {
        const string secret = "s3cr3t-Value-42";
        var lines = new List<string>();
        var command = Shell("echo \"token=$1\"; echo \"auth failed for $1\" >&2; exit 1", secret) with
        {
            Secrets = [secret],
            OnOutputLine = line => lines.Add(line.Text),
        };

        var result = await _runner.RunAsync(command, CancellationToken.None);
        var error = Assert.Throws<CommandFailedException>(() => result.VerifySuccess());

        Assert.Equal("token=***\n", result.StandardOutput);
        Assert.Equal("auth failed for ***\n", result.StandardError);
        Assert.DoesNotContain(secret, string.Join('\n', lines), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.CommandDisplay, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
        Assert.Contains("auth failed for ***", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OnOutputLine_ReceivesEveryLineInOrderWithItsStream()
    {
        var lines = new List<OutputLine>();
        var command = Shell("seq 1 2000; echo done >&2") with { OnOutputLine = lines.Add };

        (await _runner.RunAsync(command, CancellationToken.None)).VerifySuccess();

        var stdout = lines.Where(l => l.Stream == OutputStream.StandardOutput).Select(l => l.Text).ToList();
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), stdout);
        Assert.Equal(new OutputLine(OutputStream.StandardError, "done"), Assert.Single(lines, l => l.Stream == OutputStream.StandardError));
    }

    [Fact]
    public async Task RunAsync_OutputOverLimit_KeepsLastPartAndSaysTruncated()
    {
        var command = Shell("seq 1 100000") with { MaxCapturedChars = 1000 };

        var result = (await _runner.RunAsync(command, CancellationToken.None)).VerifySuccess();

        Assert.True(result.StandardOutputTruncated);
        Assert.False(result.StandardErrorTruncated);
        Assert.StartsWith("[output truncated", result.StandardOutput, StringComparison.Ordinal);
        Assert.EndsWith("99999\n100000\n", result.StandardOutput, StringComparison.Ordinal);
        Assert.True(result.StandardOutput.Length < 1100, $"kept {result.StandardOutput.Length} characters");
    }

    [Fact]
    public async Task VerifySuccess_NonZeroExit_MessageHasProgramCodeAndLastErrorLines()
    {
        var result = await _runner.RunAsync(Shell("for i in $(seq 1 30); do echo line$i >&2; done; exit 2"), CancellationToken.None);

        var error = Assert.Throws<CommandFailedException>(() => result.VerifySuccess());

        Assert.StartsWith("'sh' exited with code 2", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("line30", error.Message, StringComparison.Ordinal);
        Assert.Contains("line21", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("line20", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.ExitCode);
    }

    private static async Task AssertProcessGoneAsync(int pid)
    {
        // The killed child is re-parented and may linger as a zombie until reaped; a zombie runs nothing.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (!IsRunning(pid))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"child process {pid} is still running");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
