using System.Text;
using DeployMind.Pipeline.Source;
using DeployMind.Testing;
using Microsoft.Extensions.Options;

namespace DeployMind.Pipeline.Tests.Source;

/// <summary>The GitHub token reaches git only through its environment and appears nowhere a user or log could see.</summary>
public sealed class GitTokenTests : IDisposable
{
    private readonly TempDirectory _workspaces = new("dm-workspaces");
    private readonly string _tokenVariable = $"DEPLOYMIND_TEST_TOKEN_{Guid.NewGuid():N}";
    private readonly string _token = "ghp_FakeToken" + Guid.NewGuid().ToString("N");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_tokenVariable, null);
        _workspaces.Dispose();
    }

    private string ExpectedHeaderValue =>
        "basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + _token));

    [Fact]
    public async Task CheckoutAsync_TokenSetAndHttpsRemoteUnreachable_TokenInNoErrorOrOutput()
    {
        Environment.SetEnvironmentVariable(_tokenVariable, _token);
        var runner = new RecordingRunner();
        var options = new GitOptions
        {
            GitHubBaseUrl = new Uri($"https://127.0.0.1:{GitHttpServer.FreePort()}/"),
            TokenEnvironmentVariable = _tokenVariable,
        };

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => new GitSourceCheckout(runner, Options.Create(options))
            .CheckoutAsync(SourceSpec.ForRepository("acme/private-app"), _workspaces.Path, CancellationToken.None));

        Assert.Equal(SourceUnavailableReason.Unreachable, error.Reason);
        Assert.Contains("/acme/private-app.git", error.Message, StringComparison.Ordinal);
        AssertNoToken(error.ToString());
        AssertNoToken(runner.AllVisibleText());
        // It was offered to git, but only as config in the environment.
        var lsRemote = Assert.Single(runner.Commands);
        Assert.Contains(lsRemote.Environment.Values, v => v is not null && v.EndsWith(ExpectedHeaderValue, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckoutAsync_GitHubRemoteRequiringToken_AuthenticatesAndLeaksItNowhere()
    {
        Environment.SetEnvironmentVariable(_tokenVariable, _token);
        await using var server = await StartServerAsync();
        var runner = new RecordingRunner();
        var options = new GitOptions { GitHubBaseUrl = server.Server.BaseUrl, TokenEnvironmentVariable = _tokenVariable };

        await using var checkout = await new GitSourceCheckout(runner, Options.Create(options))
            .CheckoutAsync(SourceSpec.ForRepository("acme/private-app"), _workspaces.Path, CancellationToken.None);

        Assert.Equal(server.Head, checkout.CommitSha);
        Assert.Equal("main", checkout.Branch);
        Assert.All(server.Server.AuthorizationHeaders, h => Assert.Equal(ExpectedHeaderValue, h));
        AssertNoToken(string.Join('\n', checkout.CommitSha, checkout.Branch, checkout.RemoteDisplay, checkout.CommitMessage,
            checkout.Author, checkout.Directory, string.Join('\n', checkout.Warnings)));
        AssertNoToken(runner.AllVisibleText());
        var gitDirectory = Path.Combine(checkout.Directory, ".git");
        AssertNoToken(await File.ReadAllTextAsync(Path.Combine(gitDirectory, "config")));
        AssertNoToken(await File.ReadAllTextAsync(Path.Combine(gitDirectory, "FETCH_HEAD")));
    }

    [Fact]
    public async Task CheckoutAsync_GitHubRemoteRequiringTokenWithoutOne_ThrowsAuthenticationFailedWithHint()
    {
        await using var server = await StartServerAsync();
        var options = new GitOptions { GitHubBaseUrl = server.Server.BaseUrl, TokenEnvironmentVariable = _tokenVariable };

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => new GitSourceCheckout(new RecordingRunner(), Options.Create(options))
            .CheckoutAsync(SourceSpec.ForRepository("acme/private-app"), _workspaces.Path, CancellationToken.None));

        Assert.Equal(SourceUnavailableReason.AuthenticationFailed, error.Reason);
        Assert.Contains($"set {_tokenVariable}", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workspaces.Path));
    }

    [Fact]
    public async Task CheckoutAsync_WrongToken_ThrowsAuthenticationFailedWithoutShowingIt()
    {
        await using var server = await StartServerAsync();
        Environment.SetEnvironmentVariable(_tokenVariable, "ghp_wrong" + _token);
        var options = new GitOptions { GitHubBaseUrl = server.Server.BaseUrl, TokenEnvironmentVariable = _tokenVariable };

        var error = await Assert.ThrowsAsync<SourceUnavailableException>(() => new GitSourceCheckout(new RecordingRunner(), Options.Create(options))
            .CheckoutAsync(SourceSpec.ForRepository("acme/private-app"), _workspaces.Path, CancellationToken.None));

        Assert.Equal(SourceUnavailableReason.AuthenticationFailed, error.Reason);
        Assert.Contains($"check that the token in {_tokenVariable}", error.Message, StringComparison.Ordinal);
        AssertNoToken(error.ToString());
    }

    private void AssertNoToken(string text)
    {
        Assert.DoesNotContain(_token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + _token)), text, StringComparison.Ordinal);
    }

    private async Task<ServedRepository> StartServerAsync()
    {
        var source = await TestRepository.CreateAsync();
        var head = await source.CommitAsync("private code");
        var root = new TempDirectory("dm-git-http");
        Directory.CreateDirectory(root.Combine("acme"));
        await source.GitAsync("clone", "-q", "--bare", source.Path, root.Combine("acme", "private-app.git"));
        source.Dispose();
        return new ServedRepository(new GitHttpServer(root.Path, "basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + _token))), root, head);
    }

    private sealed record ServedRepository(GitHttpServer Server, TempDirectory Root, string Head) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Root.Dispose();
        }
    }
}
