using System.ComponentModel;
using System.Globalization;
using DeployMind.Domain;

namespace DeployMind.Security.Reports;

/// <summary>Scans with an installed Trivy and returns its results in the shared findings model.</summary>
public interface ITrivyScanner
{
    /// <summary><c>trivy fs</c> over a source tree: vulnerabilities, secrets and misconfigurations.</summary>
    Task<IReadOnlyList<ScanReport>> ScanFilesystemAsync(string path, CancellationToken cancellationToken);

    /// <summary><c>trivy image</c> over a built image.</summary>
    Task<IReadOnlyList<ScanReport>> ScanImageAsync(string image, CancellationToken cancellationToken);
}

/// <summary>Where Trivy is and how long it may run.</summary>
public sealed class TrivyRunnerOptions
{
    /// <summary>Program name looked up on PATH, or a full path.</summary>
    public string Program { get; set; } = "trivy";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Adds <c>--skip-db-update</c> (air-gapped: use the database already in Trivy's cache).</summary>
    public bool SkipDatabaseUpdate { get; set; }
}

/// <summary>Trivy is selected but cannot be started.</summary>
public sealed class TrivyNotInstalledException : DeployMindException
{
    public TrivyNotInstalledException(string program, Exception? innerException = null)
        : base($"trivy is selected as the scanner but '{program}' was not found on PATH; install Trivy, set the scanner back to the built-in scanners, or import a report with --trivy-report FILE", innerException)
    {
        Program = program;
    }

    public string Program { get; }
}

/// <summary>Trivy ran but failed, timed out or printed something that is not a report.</summary>
public sealed class TrivyScanException : DeployMindException
{
    public TrivyScanException(string message, int? exitCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public int? ExitCode { get; }
}

/// <summary>Builds Trivy command lines, runs them through a process-running delegate and imports the JSON output.</summary>
public sealed class TrivyRunner : ITrivyScanner
{
    private const int MaxStderrInMessage = 2000;

    private readonly TrivyRunnerOptions _options;
    private readonly Func<string, IReadOnlyList<string>, TimeSpan, CancellationToken, Task<(int ExitCode, string Stdout, string Stderr)>> _run;
    private readonly TimeProvider _timeProvider;

    /// <param name="run">Runs a program with an argument list and a timeout, returning its exit code and output (the host wires its process runner here).</param>
    public TrivyRunner(Func<string, IReadOnlyList<string>, TimeSpan, CancellationToken, Task<(int ExitCode, string Stdout, string Stderr)>> run,
        TrivyRunnerOptions? options = null, TimeProvider? timeProvider = null)
    {
        _run = run;
        _options = options ?? new TrivyRunnerOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public IReadOnlyList<string> FilesystemArguments(string path)
    {
        List<string> args = ["fs", "--format", "json", "--quiet", "--scanners", "vuln,secret,misconfig"];
        AddCommon(args);
        args.Add(path);
        return args;
    }

    public IReadOnlyList<string> ImageArguments(string image)
    {
        List<string> args = ["image", "--format", "json", "--quiet"];
        AddCommon(args);
        args.Add(image);
        return args;
    }

    public Task<IReadOnlyList<ScanReport>> ScanFilesystemAsync(string path, CancellationToken cancellationToken) =>
        RunAsync(FilesystemArguments(path), $"trivy fs {path}", cancellationToken);

    public Task<IReadOnlyList<ScanReport>> ScanImageAsync(string image, CancellationToken cancellationToken) =>
        RunAsync(ImageArguments(image), $"trivy image {image}", cancellationToken);

    /// <summary>The installed Trivy's version (from <c>trivy --version</c>), or null when it is not installed.</summary>
    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken)
    {
        (int ExitCode, string Stdout, string Stderr) result;
        try
        {
            result = await _run(_options.Program, ["--version"], TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (Exception e) when (IsNotFound(e))
        {
            return null;
        }

        if (result.ExitCode == 127)
        {
            return null;
        }

        foreach (var line in result.Stdout.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("Version:", StringComparison.OrdinalIgnoreCase))
            {
                return trimmed["Version:".Length..].Trim();
            }
        }

        return null;
    }

    private void AddCommon(List<string> args)
    {
        args.Add("--timeout");
        // Trivy's own timeout a little under ours, so it reports its partial failure before it is killed.
        var seconds = Math.Max(1, (int)(_options.Timeout.TotalSeconds * 0.9));
        args.Add(string.Create(CultureInfo.InvariantCulture, $"{seconds}s"));
        if (_options.SkipDatabaseUpdate)
        {
            args.Add("--skip-db-update");
        }
    }

    private async Task<IReadOnlyList<ScanReport>> RunAsync(IReadOnlyList<string> args, string what, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        (int ExitCode, string Stdout, string Stderr) result;
        try
        {
            result = await _run(_options.Program, args, _options.Timeout, cancellationToken);
        }
        catch (Exception e) when (IsNotFound(e))
        {
            throw new TrivyNotInstalledException(_options.Program, e);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new TrivyScanException($"{what} did not finish within {_options.Timeout.TotalSeconds:0} s; raise the Trivy timeout or scan a smaller tree", null, e);
        }

        if (result.ExitCode == 127 || (result.ExitCode != 0 && result.Stderr.Contains("not found", StringComparison.OrdinalIgnoreCase)
            && result.Stderr.Contains(_options.Program, StringComparison.Ordinal) && string.IsNullOrWhiteSpace(result.Stdout)))
        {
            throw new TrivyNotInstalledException(_options.Program);
        }

        if (result.ExitCode != 0)
        {
            throw new TrivyScanException(string.Create(CultureInfo.InvariantCulture,
                $"{what} failed with exit code {result.ExitCode}: {Shorten(result.Stderr)}"), result.ExitCode);
        }

        if (string.IsNullOrWhiteSpace(result.Stdout))
        {
            throw new TrivyScanException($"{what} printed no report; stderr: {Shorten(result.Stderr)}", result.ExitCode);
        }

        return TrivyReportImporter.Import(result.Stdout, $"{what} (output)", _timeProvider.GetElapsedTime(started));
    }

    private static bool IsNotFound(Exception e) =>
        e is Win32Exception or FileNotFoundException or DirectoryNotFoundException;

    private static string Shorten(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return "(no error output)";
        }

        return trimmed.Length <= MaxStderrInMessage ? trimmed : trimmed[..MaxStderrInMessage] + " ...";
    }
}
