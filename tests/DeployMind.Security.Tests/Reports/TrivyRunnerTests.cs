using System.ComponentModel;
using DeployMind.Domain;
using DeployMind.Security.Reports;

namespace DeployMind.Security.Tests.Reports;

public sealed class TrivyRunnerTests
{
    private sealed class FakeProcess
    {
        public List<(string Program, IReadOnlyList<string> Args, TimeSpan Timeout)> Calls { get; } = [];

        public Func<(int, string, string)> Respond { get; set; } = () => (0, TrivyFixtures.Filesystem, "");

        public Exception? Throw { get; set; }

        public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Calls.Add((program, args, timeout));
            return Throw is null ? Task.FromResult(Respond()) : Task.FromException<(int, string, string)>(Throw);
        }
    }

    private static (TrivyRunner Runner, FakeProcess Process) Create(TrivyRunnerOptions? options = null)
    {
        var process = new FakeProcess();
        return (new TrivyRunner(process.RunAsync, options), process);
    }

    [Fact]
    public void FilesystemArguments_Default_ScansVulnSecretAndMisconfigAsJson()
    {
        var (runner, _) = Create(new TrivyRunnerOptions { Timeout = TimeSpan.FromMinutes(5) });

        Assert.Equal(["fs", "--format", "json", "--quiet", "--scanners", "vuln,secret,misconfig", "--timeout", "270s", "/src/app"], runner.FilesystemArguments("/src/app"));
    }

    [Fact]
    public void ImageArguments_AirGapped_SkipsDatabaseUpdate()
    {
        var (runner, _) = Create(new TrivyRunnerOptions { Timeout = TimeSpan.FromSeconds(100), SkipDatabaseUpdate = true });

        Assert.Equal(["image", "--format", "json", "--quiet", "--timeout", "90s", "--skip-db-update", "registry.local/shop/web:1.4.2"], runner.ImageArguments("registry.local/shop/web:1.4.2"));
    }

    [Fact]
    public async Task ScanFilesystemAsync_TrivySucceeds_RunsOnceWithArgumentListAndImportsItsOutput()
    {
        var (runner, process) = Create(new TrivyRunnerOptions { Program = "/opt/trivy/trivy", Timeout = TimeSpan.FromMinutes(2) });

        var reports = await runner.ScanFilesystemAsync("/src/app", CancellationToken.None);

        var call = Assert.Single(process.Calls);
        Assert.Equal("/opt/trivy/trivy", call.Program);
        Assert.Equal(runner.FilesystemArguments("/src/app"), call.Args);
        Assert.Equal(TimeSpan.FromMinutes(2), call.Timeout);
        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.Equal("0.58.1", r.ScannerVersion));
    }

    [Fact]
    public async Task ScanImageAsync_TrivySucceeds_ImportsOsPackages()
    {
        var (runner, process) = Create();
        process.Respond = () => (0, TrivyFixtures.Image, "2026-11-28T12:00:00Z INFO some log line");

        var reports = await runner.ScanImageAsync("registry.local/shop/web:1.4.2", CancellationToken.None);

        Assert.Equal("image", process.Calls[0].Args[0]);
        Assert.Equal("libc6", Assert.Single(reports).Findings[0].Package);
    }

    [Fact]
    public async Task ScanFilesystemAsync_ProgramNotFound_ThrowsNotInstalled()
    {
        var (runner, process) = Create();
        process.Throw = new Win32Exception(2, "No such file or directory");

        var error = await Assert.ThrowsAsync<TrivyNotInstalledException>(() => runner.ScanFilesystemAsync(".", CancellationToken.None));

        Assert.IsAssignableFrom<DeployMindException>(error);
        Assert.Contains("'trivy' was not found on PATH", error.Message, StringComparison.Ordinal);
        Assert.Contains("--trivy-report", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanFilesystemAsync_ShellSaysCommandNotFound_ThrowsNotInstalled()
    {
        var (runner, process) = Create();
        process.Respond = () => (127, "", "sh: 1: trivy: not found");

        await Assert.ThrowsAsync<TrivyNotInstalledException>(() => runner.ScanFilesystemAsync(".", CancellationToken.None));
    }

    [Fact]
    public async Task ScanFilesystemAsync_TrivyFails_ThrowsWithExitCodeAndStderr()
    {
        var (runner, process) = Create();
        process.Respond = () => (1, "", "FATAL\tfilesystem scan error: DB error: failed to download vulnerability DB");

        var error = await Assert.ThrowsAsync<TrivyScanException>(() => runner.ScanFilesystemAsync("/src", CancellationToken.None));

        Assert.Equal(1, error.ExitCode);
        Assert.Equal("trivy fs /src failed with exit code 1: FATAL\tfilesystem scan error: DB error: failed to download vulnerability DB", error.Message);
    }

    [Fact]
    public async Task ScanFilesystemAsync_TimedOut_ThrowsScanExceptionNamingTheLimit()
    {
        var (runner, process) = Create(new TrivyRunnerOptions { Timeout = TimeSpan.FromSeconds(30) });
        process.Throw = new TimeoutException("process timed out");

        var error = await Assert.ThrowsAsync<TrivyScanException>(() => runner.ScanFilesystemAsync("/src", CancellationToken.None));

        Assert.Contains("did not finish within 30 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanFilesystemAsync_CallerCancels_CancellationPropagates()
    {
        var (runner, _) = Create();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.ScanFilesystemAsync("/src", cancel.Token));
    }

    [Fact]
    public async Task ScanFilesystemAsync_OutputIsNotJson_ThrowsReportExceptionWithPosition()
    {
        var (runner, process) = Create();
        process.Respond = () => (0, "{\"SchemaVersion\": 2,\n oops", "");

        var error = await Assert.ThrowsAsync<TrivyReportException>(() => runner.ScanFilesystemAsync("/src", CancellationToken.None));

        Assert.Equal("trivy fs /src (output)", error.FileName);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task ScanFilesystemAsync_EmptyOutput_ThrowsScanException()
    {
        var (runner, process) = Create();
        process.Respond = () => (0, "  ", "");

        var error = await Assert.ThrowsAsync<TrivyScanException>(() => runner.ScanFilesystemAsync("/src", CancellationToken.None));

        Assert.Contains("printed no report", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetVersionAsync_Installed_ParsesVersionLine()
    {
        var (runner, process) = Create();
        process.Respond = () => (0, "Version: 0.58.1\nVulnerability DB:\n  Version: 2\n", "");

        Assert.Equal("0.58.1", await runner.GetVersionAsync(CancellationToken.None));
        Assert.Equal(["--version"], process.Calls[0].Args);
    }

    [Fact]
    public async Task GetVersionAsync_NotInstalled_IsNull()
    {
        var (runner, process) = Create();
        process.Throw = new Win32Exception(2, "No such file or directory");

        Assert.Null(await runner.GetVersionAsync(CancellationToken.None));
    }
}
