using System.Diagnostics;
using DeployMind.Pipeline.Processes;
using DeployMind.Pipeline.Source;
using DeployMind.Testing;
using ProcessRunner = DeployMind.Pipeline.Processes.ProcessRunner;
using Microsoft.Extensions.Options;

namespace DeployMind.Pipeline.Tests.Source;

public sealed class GitSourceCheckoutTests : IAsyncLifetime
{
    private readonly TempDirectory _workspaces = new("dm-workspaces");
    private TestRepository _repository = null!;
    private string _first = null!;
    private string _second = null!;
    private string _mainHead = null!;
    private string _featureHead = null!;

    public async Task InitializeAsync()
    {
        // main: first -> second -> mainHead; feature branches off second with one commit.
        _repository = await TestRepository.CreateAsync();
        _first = await _repository.CommitAsync("first commit");
        _second = await _repository.CommitAsync("second commit");
        await _repository.GitAsync("checkout", "-q", "-b", "feature");
        _featureHead = await _repository.CommitAsync("feature work\n\nwith a body", "feature.txt", "feature\n");
        await _repository.GitAsync("checkout", "-q", "main");
        _mainHead = await _repository.CommitAsync("third commit");
    }

    public Task DisposeAsync()
    {
        _repository.Dispose();
        _workspaces.Dispose();
        return Task.CompletedTask;
    }

    private static GitSourceCheckout Checkout(GitOptions? options = null) =>
        new(new ProcessRunner(), Options.Create(options ?? new GitOptions()));

    [Fact]
    public async Task CheckoutAsync_Branch_ChecksOutBranchHeadWithDetails()
    {
        await using var checkout = await Checkout().CheckoutAsync(
            SourceSpec.ForUrl(_repository.FileUrl, branch: "feature"), _workspaces.Path, CancellationToken.None);

        Assert.Equal(_featureHead, checkout.CommitSha);
        Assert.Equal(await _repository.RevParseAsync("feature"), checkout.CommitSha);
        Assert.Equal(_featureHead[..8], checkout.ShortSha);
        Assert.Equal("feature", checkout.Branch);
        Assert.Equal("feature work\n\nwith a body", checkout.CommitMessage);
        Assert.Equal("Ada Tester <ada@example.test>", checkout.Author);
        Assert.Equal(new DateTimeOffset(2026, 1, 3, 10, 0, 0, TimeSpan.FromHours(2)), checkout.CommittedAt);
        Assert.Equal(_repository.FileUrl, checkout.RemoteDisplay);
        Assert.Equal("feature\n", await File.ReadAllTextAsync(Path.Combine(checkout.Directory, "feature.txt")));
        Assert.Empty(checkout.Warnings);
    }

    [Fact]
    public async Task CheckoutAsync_FullShaOfOlderCommit_ChecksOutThatCommitDetached()
    {
        await using var checkout = await Checkout().CheckoutAsync(
            SourceSpec.ForUrl(_repository.FileUrl, commit: _second), _workspaces.Path, CancellationToken.None);

        Assert.Equal(_second, checkout.CommitSha);
        Assert.Null(checkout.Branch);
        Assert.Equal("version 2\n", await File.ReadAllTextAsync(Path.Combine(checkout.Directory, "app.txt")));
    }

    [Fact]
    public async Task CheckoutAsync_FullShaOfBranchHead_ReportsThatBranch()
    {
        await using var checkout = await Checkout().CheckoutAsync(
            SourceSpec.ForLocalPath(_repository.Path, commit: _featureHead), _workspaces.Path, CancellationToken.None);

        Assert.Equal(_featureHead, checkout.CommitSha);
        Assert.Equal("feature", checkout.Branch);
    }

    [Fact]
    public async Task CheckoutAsync_AbbreviatedShaOfOlderCommit_ResolvesFullSha()
    {
        // Depth 1 first cannot hold the first commit, so the search has to deepen the history.
        var options = new GitOptions { CommitSearchDepths = [1] };

        await using var checkout = await Checkout(options).CheckoutAsync(
            SourceSpec.ForUrl(_repository.FileUrl, commit: _first[..7]), _workspaces.Path, CancellationToken.None);

        Assert.Equal(_first, checkout.CommitSha);
        Assert.Equal(await _repository.RevParseAsync(_first[..7]), checkout.CommitSha);
        Assert.Null(checkout.Branch);
        Assert.Equal("version 1\n", await File.ReadAllTextAsync(Path.Combine(checkout.Directory, "app.txt")));
    }

    [Fact]
    public async Task CheckoutAsync_AbbreviatedShaWithBranch_FindsItInThatBranchHistory()
    {
        await using var checkout = await Checkout().CheckoutAsync(
            SourceSpec.ForLocalPath(_repository.Path, commit: _second[..10], branch: "feature"), _workspaces.Path, CancellationToken.None);

        Assert.Equal(_second, checkout.CommitSha);
        Assert.Equal("feature", checkout.Branch);
    }

    [Fact]
    public async Task CheckoutAsync_CommitNotOnGivenBranch_ThrowsUnknownRevision()
    {
        var error = await Assert.ThrowsAsync<UnknownRevisionException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForUrl(_repository.FileUrl, commit: _featureHead, branch: "main"), _workspaces.Path, CancellationToken.None));

        Assert.Contains(_featureHead, error.Message, StringComparison.Ordinal);
        Assert.Contains("branch 'main'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckoutAsync_NoRevision_UsesRemoteDefaultBranch()
    {
        using var repository = await TestRepository.CreateAsync(defaultBranch: "trunk");
        var trunk = await repository.CommitAsync("on trunk");
        await repository.GitAsync("branch", "zzz-other");

        await using var checkout = await Checkout().CheckoutAsync(
            SourceSpec.ForUrl(repository.FileUrl), _workspaces.Path, CancellationToken.None);

        Assert.Equal(trunk, checkout.CommitSha);
        Assert.Equal("trunk", checkout.Branch);
    }

    [Fact]
    public async Task CheckoutAsync_LocalPath_TakesHeadAndCurrentBranch()
    {
        await _repository.GitAsync("checkout", "-q", "feature");

        await using var checkout = await Checkout().CheckoutAsync(
            SourceSpec.ForLocalPath(Path.Combine(_repository.Path, ".")), _workspaces.Path, CancellationToken.None);

        Assert.Equal(await _repository.HeadAsync(), checkout.CommitSha);
        Assert.Equal("feature", checkout.Branch);
        Assert.Equal(_repository.Path, checkout.RemoteDisplay);
        Assert.Empty(checkout.Warnings);
    }

    [Fact]
    public async Task CheckoutAsync_DirtyLocalWorkTree_WarnsAndUsesLastCommit()
    {
        await File.WriteAllTextAsync(Path.Combine(_repository.Path, "app.txt"), "uncommitted edit\n");
        await File.WriteAllTextAsync(Path.Combine(_repository.Path, "new.txt"), "untracked\n");

        await using var checkout = await Checkout().CheckoutAsync(
            SourceSpec.ForLocalPath(_repository.Path), _workspaces.Path, CancellationToken.None);

        Assert.Equal(_mainHead, checkout.CommitSha);
        var warning = Assert.Single(checkout.Warnings);
        Assert.Contains("uncommitted changes in 2 file(s)", warning, StringComparison.Ordinal);
        Assert.Contains("app.txt", warning, StringComparison.Ordinal);
        Assert.Equal("version 4\n", await File.ReadAllTextAsync(Path.Combine(checkout.Directory, "app.txt")));
        Assert.False(File.Exists(Path.Combine(checkout.Directory, "new.txt")));
    }

    [Fact]
    public async Task CheckoutAsync_UnknownFullCommit_ThrowsUnknownRevisionNamingIt()
    {
        const string missing = "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";

        var error = await Assert.ThrowsAsync<UnknownRevisionException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForUrl(_repository.FileUrl, commit: missing), _workspaces.Path, CancellationToken.None));

        Assert.Equal(RevisionKind.Commit, error.Kind);
        Assert.StartsWith($"commit '{missing}' was not found on {_repository.FileUrl}", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workspaces.Path));
    }

    [Fact]
    public async Task CheckoutAsync_UnknownAbbreviatedCommit_ThrowsUnknownRevisionAfterFullSearch()
    {
        var missing = "0000000" == _first[..7] ? "1111111" : "0000000";

        var error = await Assert.ThrowsAsync<UnknownRevisionException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForLocalPath(_repository.Path, commit: missing), _workspaces.Path, CancellationToken.None));

        Assert.Equal(missing, error.Revision);
        Assert.Contains($"commit '{missing}' was not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("any branch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckoutAsync_UnknownBranch_ThrowsUnknownRevisionListingBranches()
    {
        var error = await Assert.ThrowsAsync<UnknownRevisionException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForUrl(_repository.FileUrl, branch: "release/9"), _workspaces.Path, CancellationToken.None));

        Assert.Equal(RevisionKind.Branch, error.Kind);
        Assert.Contains("branch 'release/9' was not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("feature, main", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workspaces.Path));
    }

    [Fact]
    public async Task CheckoutAsync_MissingRepositoryPath_ThrowsSourceUnavailable()
    {
        var url = $"file:///does/not/exist-{Guid.NewGuid():N}.git";

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForUrl(url), _workspaces.Path, CancellationToken.None));

        Assert.Equal(SourceUnavailableReason.RepositoryNotFound, error.Reason);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not appear to be a git repository", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workspaces.Path));
    }

    [Fact]
    public async Task CheckoutAsync_LocalPathNotAGitWorkTree_ThrowsSourceUnavailable()
    {
        using var plain = new TempDirectory("dm-not-git");

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForLocalPath(plain.Path), _workspaces.Path, CancellationToken.None));

        Assert.Contains("not a git work tree", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckoutAsync_ClosedLoopbackPort_ThrowsSourceUnavailableQuickly()
    {
        var url = $"http://127.0.0.1:{GitHttpServer.FreePort()}/acme/web.git";
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForUrl(url), _workspaces.Path, CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(SourceUnavailableReason.Unreachable, error.Reason);
        Assert.Contains("Failed to connect", error.Message, StringComparison.Ordinal);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckoutAsync_UrlWithPassword_PasswordMaskedInDisplayAndErrors()
    {
        var url = $"http://deployer:pa55word-xyz@127.0.0.1:{GitHttpServer.FreePort()}/acme/web.git";

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForUrl(url), _workspaces.Path, CancellationToken.None));

        Assert.DoesNotContain("pa55word-xyz", error.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("http://deployer:***@127.0.0.1:", error.RemoteDisplay, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckoutAsync_GitTakesLongerThanTimeout_ThrowsSourceUnavailableTimedOut()
    {
        // A listener that accepts the connection but never answers stands in for a hung server.
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
            var options = new GitOptions { CloneTimeout = TimeSpan.FromSeconds(2) };

            var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => Checkout(options).CheckoutAsync(
                SourceSpec.ForUrl($"http://127.0.0.1:{port}/acme/web.git"), _workspaces.Path, CancellationToken.None));

            Assert.Equal(SourceUnavailableReason.TimedOut, error.Reason);
            Assert.Contains("git ls-remote did not finish within 2 s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task DisposeAsync_AfterCheckout_RemovesWorkspaceEvenWithReadOnlyEntries()
    {
        var checkout = await Checkout().CheckoutAsync(SourceSpec.ForUrl(_repository.FileUrl), _workspaces.Path, CancellationToken.None);
        var locked = Path.Combine(checkout.Directory, "locked");
        Directory.CreateDirectory(locked);
        await File.WriteAllTextAsync(Path.Combine(locked, "file.txt"), "x");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(checkout.Directory, ".git", "objects"), "*", SearchOption.AllDirectories));

        await checkout.DisposeAsync();

        Assert.False(Directory.Exists(checkout.Directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workspaces.Path));
    }

    [Fact]
    public async Task CheckoutAsync_CheckoutConfig_HasNoRemoteOrCredentials()
    {
        await using var checkout = await Checkout().CheckoutAsync(SourceSpec.ForUrl(_repository.FileUrl), _workspaces.Path, CancellationToken.None);

        var config = await File.ReadAllTextAsync(Path.Combine(checkout.Directory, ".git", "config"));

        Assert.DoesNotContain("[remote", config, StringComparison.Ordinal);
        Assert.DoesNotContain("extraheader", config, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CheckoutAsync_Cancelled_ThrowsAndLeavesNoWorkspace()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Checkout().CheckoutAsync(
            SourceSpec.ForUrl(_repository.FileUrl), _workspaces.Path, cts.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_workspaces.Path));
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var options = new GitOptions { GitExecutable = " ", CloneTimeout = TimeSpan.Zero, TokenEnvironmentVariable = "" };

        var error = Assert.Throws<Domain.InvalidInputException>(() => Checkout(options));

        Assert.Contains("Git:GitExecutable", error.Message, StringComparison.Ordinal);
        Assert.Contains("Git:CloneTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("Git:TokenEnvironmentVariable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckoutAsync_GitNotInstalled_ThrowsProgramNotFound()
    {
        var options = new GitOptions { GitExecutable = "deploymind-no-such-git" };

        var error = await Assert.ThrowsAsync<ProgramNotFoundException>(() => Checkout(options).CheckoutAsync(
            SourceSpec.ForUrl(_repository.FileUrl), _workspaces.Path, CancellationToken.None));

        Assert.Contains("'deploymind-no-such-git' was not found on PATH", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workspaces.Path));
    }
}
