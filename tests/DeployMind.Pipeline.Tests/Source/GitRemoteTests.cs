using DeployMind.Pipeline.Source;

namespace DeployMind.Pipeline.Tests.Source;

public sealed class GitRemoteTests : IDisposable
{
    private readonly string _tokenVariable = $"DEPLOYMIND_TEST_TOKEN_{Guid.NewGuid():N}";

    public GitRemoteTests()
    {
        Environment.SetEnvironmentVariable(_tokenVariable, "ghp_remote_test_token");
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_tokenVariable, null);

    private GitOptions Options(string baseUrl) => new() { GitHubBaseUrl = new Uri(baseUrl), TokenEnvironmentVariable = _tokenVariable };

    [Theory]
    [InlineData("https://ghe.example.test/api", "https://ghe.example.test/api/acme/web.git", true)]
    [InlineData("https://ghe.example.test/api", "https://ghe.example.test/apiary/acme/web.git", false)]
    [InlineData("https://github.com/", "https://github.com.example.net/acme/web.git", false)]
    [InlineData("https://github.com/", "ssh://git@github.com/acme/web.git", false)]
    [InlineData("https://github.com/", "https://gitlab.com/acme/web.git", false)]
    [InlineData("https://github.com/", "https://GitHub.com/acme/web.git", true)]
    public void Create_RemoteUnderGitHubBaseUrlOrNot_TokenSentOnlyToGitHub(string baseUrl, string url, bool expectsToken)
    {
        var remote = GitRemote.Create(url, Options(baseUrl));

        Assert.Equal(expectsToken, remote.AuthorizationHeader is not null);
        Assert.DoesNotContain("ghp_remote_test_token", remote.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void For_Repository_BuildsUrlUnderBaseUrl()
    {
        var remote = GitRemote.For(SourceSpec.ForRepository("acme/web"), Options("https://ghe.example.test/git/"));

        Assert.Equal("https://ghe.example.test/git/acme/web.git", remote.Url);
        Assert.Equal("http.https://ghe.example.test/git/.extraHeader", remote.AuthorizationConfigKey);
    }
}
