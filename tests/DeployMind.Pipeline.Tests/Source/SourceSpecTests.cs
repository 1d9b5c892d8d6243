using DeployMind.Domain;
using DeployMind.Pipeline.Source;

namespace DeployMind.Pipeline.Tests.Source;

public sealed class SourceSpecTests
{
    [Theory]
    [InlineData("https://github.com/acme/web.git")]
    [InlineData("ssh://git@example.com:2222/acme/web.git")]
    [InlineData("git@github.com:acme/web.git")]
    [InlineData("file:///srv/git/web.git")]
    public void ForUrl_GitUrl_Accepted(string url)
    {
        Assert.Equal(url, SourceSpec.ForUrl(url).Location);
    }

    [Theory]
    [InlineData("-uploadpack=touch /tmp/x")]
    [InlineData("--upload-pack=evil")]
    [InlineData("ext::sh -c touch% /tmp/pwned")]
    [InlineData("ext::evil")]
    [InlineData("ftp://example.com/repo.git")]
    [InlineData("https://")]
    [InlineData("not a url")]
    [InlineData("")]
    public void ForUrl_NotAGitUrl_ThrowsInvalidInputBeforeRunningGit(string url)
    {
        var error = Assert.Throws<InvalidInputException>(() => SourceSpec.ForUrl(url));

        Assert.Equal("url", error.Field);
        Assert.Contains("is not a git URL", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("xyz1234", null)]
    [InlineData("abc12", null)]
    [InlineData(null, "feature..x")]
    [InlineData(null, "-main")]
    public void ForRepository_MalformedCommitOrBranch_ThrowsInvalidInput(string? commit, string? branch)
    {
        var error = Assert.Throws<InvalidInputException>(() => SourceSpec.ForRepository("acme/web", commit, branch));

        Assert.Equal(commit is null ? "branch" : "commit", error.Field);
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("acme/web/extra")]
    [InlineData("../etc/passwd")]
    public void ForRepository_MalformedName_ThrowsInvalidInput(string repository)
    {
        Assert.Throws<InvalidInputException>(() => SourceSpec.ForRepository(repository));
    }

    [Fact]
    public void ForRepository_UpperCaseCommit_NormalisedToLowerCase()
    {
        var spec = SourceSpec.ForRepository("acme/web", "ABCDEF1234");

        Assert.Equal("abcdef1234", spec.Commit);
        Assert.False(spec.HasFullCommit);
    }
}
