using DeployMind.Build.Docker;

namespace DeployMind.Build.Tests.Docker;

public sealed class BuildContextTests
{
    [Theory]
    [InlineData("node_modules", "node_modules/left-pad/index.js", true)]
    [InlineData("*.log", "app.log", true)]
    [InlineData("*.log", "logs/app.log", false)]
    [InlineData("**/*.log", "logs/deep/app.log", true)]
    [InlineData("/secrets", "secrets/key.pem", true)]
    [InlineData("src/?.tmp", "src/a.tmp", true)]
    [InlineData("src/?.tmp", "src/ab.tmp", false)]
    [InlineData("# comment", "# comment", false)]
    public void IsExcluded_Pattern_MatchesLikeDocker(string pattern, string path, bool excluded) =>
        Assert.Equal(excluded, DockerIgnore.Parse(pattern).IsExcluded(path));

    [Fact]
    public void IsExcluded_NegationAfterExclusion_LastMatchingLineWins()
    {
        var ignore = DockerIgnore.Parse("*.md\n!README.md\nREADME.md.bak\n");

        Assert.True(ignore.IsExcluded("CHANGELOG.md"));
        Assert.False(ignore.IsExcluded("README.md"));
        Assert.True(ignore.IsExcluded("README.md.bak"));
    }

    [Fact]
    public void ListEntries_DockerignoreWithNegation_SendsOnlyWhatIsKept()
    {
        using var context = new TempDirectory();
        context.Write("Dockerfile", "FROM scratch\n");
        context.Write(".dockerignore", "Dockerfile\n.git\nlogs\n!logs/keep.txt\n*.secret\n");
        context.Write("app.txt", "app");
        context.Write("token.secret", "s3cr3t");
        context.Write(".git/HEAD", "ref");
        context.Write("logs/a.log", "x");
        context.Write("logs/keep.txt", "x");

        var entries = BuildContext.ListEntries(context.Path);

        Assert.Equal([".dockerignore", "Dockerfile", "app.txt", "logs/keep.txt"], entries);
    }

    [Fact]
    public void Redact_SecretsInLine_AreMasked()
    {
        var redactor = new SecretRedactor(["hunter2", "", "hunter2-long"]);

        Assert.Equal("token=*** and ***", redactor.Redact("token=hunter2-long and hunter2"));
    }
}
