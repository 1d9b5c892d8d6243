using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using DeployMind.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace DeployMind.Pipeline.Processes;

/// <summary>Runs external programs with an argument list, a timeout, bounded redacted capture and per-line streaming.</summary>
public sealed partial class ProcessRunner : IProcessRunner
{
    // A child that inherited the output pipes may outlive the program; stop waiting for it after this.
    private static readonly TimeSpan s_drainGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_exitAfterKill = TimeSpan.FromSeconds(10);
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private const int ReadBufferChars = 8192;

    // Longer lines are passed on in pieces so one endless line cannot exhaust memory.
    private const int MaxLineChars = 64 * 1024;

    private readonly ILogger<ProcessRunner> _logger;
    private readonly TimeProvider _timeProvider;

    public ProcessRunner(ILogger<ProcessRunner>? logger = null, TimeProvider? timeProvider = null)
    {
        _logger = logger ?? NullLogger<ProcessRunner>.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public async Task<CommandResult> RunAsync(CommandLine command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(command), command.Timeout, "a command needs a positive timeout");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var redactor = new Redactor(command.Secrets);
        var display = command.Display(redactor);
        var executable = ResolveProgram(command);
        if (command.WorkingDirectory is { } workingDirectory && !Directory.Exists(workingDirectory))
        {
            throw new InvalidInputException("working_directory",
                $"cannot run {display}: working directory '{redactor.Redact(workingDirectory)}' does not exist");
        }

        using var process = new Process { StartInfo = CreateStartInfo(command, executable) };
        LogStarting(display, command.Timeout.TotalSeconds);
        var started = _timeProvider.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new ProgramNotFoundException(command.FileName,
                $"program '{redactor.Redact(command.FileName)}' could not be started from '{executable}': {ex.Message}", ex);
        }

        var stdout = new BoundedOutput(command.MaxCapturedChars);
        var stderr = new BoundedOutput(command.MaxCapturedChars);
        var callbackGate = new Lock();
        using var drainCts = new CancellationTokenSource();
        var readers = Task.WhenAll(
            ReadLinesAsync(process.StandardOutput, OutputStream.StandardOutput, stdout, command, redactor, callbackGate, drainCts.Token),
            ReadLinesAsync(process.StandardError, OutputStream.StandardError, stderr, command, redactor, callbackGate, drainCts.Token));
        var writer = WriteInputAsync(process, command.StandardInput, drainCts.Token);

        using var timeoutCts = new CancellationTokenSource(command.Timeout, _timeProvider);
        using var linkedCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(linkedCts.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process, command.FileName);
            await WaitForExitAfterKillAsync(process);
            if (cancellationToken.IsCancellationRequested)
            {
                LogCancelled(display);
                await DrainAsync(readers, writer, drainCts, command.FileName);
                throw new OperationCanceledException(
                    $"{display} was cancelled; it and its child processes were stopped", null, cancellationToken);
            }

            timedOut = true;
            LogTimedOut(display, command.Timeout.TotalSeconds);
        }

        await DrainAsync(readers, writer, drainCts, command.FileName);
        var duration = _timeProvider.GetElapsedTime(started);
        var exitCode = timedOut || !process.HasExited ? -1 : process.ExitCode;
        if (!timedOut)
        {
            LogFinished(command.FileName, exitCode, duration.TotalMilliseconds);
        }

        if (stdout.Truncated || stderr.Truncated)
        {
            LogTruncated(command.FileName, command.MaxCapturedChars);
        }

        return new CommandResult
        {
            Program = redactor.Redact(command.FileName),
            CommandDisplay = display,
            ExitCode = exitCode,
            StandardOutput = stdout.ToString(),
            StandardError = stderr.ToString(),
            Duration = duration,
            TimedOut = timedOut,
            Timeout = command.Timeout,
            StandardOutputTruncated = stdout.Truncated,
            StandardErrorTruncated = stderr.Truncated,
        };
    }

    private static ProcessStartInfo CreateStartInfo(CommandLine command, string executable)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = s_utf8,
            StandardErrorEncoding = s_utf8,
            StandardInputEncoding = s_utf8,
            WorkingDirectory = command.WorkingDirectory ?? string.Empty,
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in command.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return start;
    }

    /// <summary>Finds the program the way a shell would, so a missing one gets a clear message instead of a Win32 error.</summary>
    private static string ResolveProgram(CommandLine command)
    {
        var name = command.FileName;
        if (name.Contains(Path.DirectorySeparatorChar) || name.Contains(Path.AltDirectorySeparatorChar))
        {
            var full = Path.GetFullPath(name, command.WorkingDirectory ?? Environment.CurrentDirectory);
            return IsExecutableFile(full)
                ? full
                : throw new ProgramNotFoundException(name, $"program '{name}' was not found (no executable file at '{full}')");
        }

        var path = command.Environment.TryGetValue("PATH", out var overridden)
            ? overridden
            : Environment.GetEnvironmentVariable("PATH");
        var extensions = OperatingSystem.IsWindows() ? new[] { string.Empty, ".exe", ".cmd", ".bat" } : [string.Empty];
        foreach (var directory in (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, name + extension);
                if (IsExecutableFile(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new ProgramNotFoundException(name,
            $"program '{name}' was not found on PATH; install it or configure the full path to it");
    }

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    private async Task ReadLinesAsync(StreamReader reader, OutputStream stream, BoundedOutput capture, CommandLine command,
        Redactor redactor, Lock callbackGate, CancellationToken cancellationToken)
    {
        var buffer = new char[ReadBufferChars];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            while (span.Length > 0)
            {
                var newline = span.IndexOf('\n');
                if (newline < 0)
                {
                    line.Append(span);
                    span = [];
                    if (line.Length >= MaxLineChars)
                    {
                        Emit(line, stream, capture, command, redactor, callbackGate);
                    }
                }
                else
                {
                    line.Append(span[..newline]);
                    span = span[(newline + 1)..];
                    Emit(line, stream, capture, command, redactor, callbackGate);
                }
            }
        }

        if (line.Length > 0)
        {
            Emit(line, stream, capture, command, redactor, callbackGate);
        }
    }

    private void Emit(StringBuilder line, OutputStream stream, BoundedOutput capture, CommandLine command, Redactor redactor,
        Lock callbackGate)
    {
        if (line.Length > 0 && line[^1] == '\r')
        {
            line.Length--;
        }

        var text = redactor.Redact(line.ToString());
        line.Clear();
        lock (callbackGate)
        {
            capture.Add(text);
            if (command.OnOutputLine is not { } callback)
            {
                return;
            }

            try
            {
                callback(new OutputLine(stream, text));
            }
            catch (Exception ex)
            {
                // A broken log sink must not stop the program's output being read (it would block on a full pipe).
                LogCallbackFailed(ex, redactor.Redact(command.FileName));
            }
        }
    }

    private static async Task WriteInputAsync(Process process, string? input, CancellationToken cancellationToken)
    {
        try
        {
            if (!string.IsNullOrEmpty(input))
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
                await process.StandardInput.FlushAsync(cancellationToken);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited (or was killed) without reading all of its input; its exit code tells the story.
        }
    }

    private async Task DrainAsync(Task readers, Task writer, CancellationTokenSource drainCts, string program)
    {
        var all = Task.WhenAll(readers, writer);
        try
        {
            await all.WaitAsync(s_drainGrace, _timeProvider);
        }
        catch (TimeoutException)
        {
            LogOutputHeldOpen(program, s_drainGrace.TotalSeconds);
            await drainCts.CancelAsync();
            _ = all.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    private void KillTree(Process process, string program)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the timeout and the kill.
        }
        catch (Win32Exception ex)
        {
            LogKillFailed(ex, program);
        }
    }

    private async Task WaitForExitAfterKillAsync(Process process)
    {
        using var cts = new CancellationTokenSource(s_exitAfterKill, _timeProvider);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            LogKillFailed(null, process.StartInfo.FileName);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Running {Command} (timeout {TimeoutSeconds} s)")]
    private partial void LogStarting(string command, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Program} exited with code {ExitCode} after {DurationMs} ms")]
    private partial void LogFinished(string program, int exitCode, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Command} timed out after {TimeoutSeconds} s; killed it and its child processes")]
    private partial void LogTimedOut(string command, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Command} was cancelled; killed it and its child processes")]
    private partial void LogCancelled(string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Program} wrote more than {MaxChars} characters to a stream; kept the last part")]
    private partial void LogTruncated(string program, int maxChars);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The output line callback for {Program} failed")]
    private partial void LogCallbackFailed(Exception exception, string program);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Program} finished but a child process kept its output open; stopped reading after {GraceSeconds} s")]
    private partial void LogOutputHeldOpen(string program, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not kill {Program} and its child processes")]
    private partial void LogKillFailed(Exception? exception, string program);
}
