using DeployMind.Domain;

namespace DeployMind.Domain.Tests;

public sealed class IdentifierTests
{
    [Fact]
    public void DeploymentIdNew_HasTheSeedsFormAndTheDate()
    {
        var id = DeploymentId.New(new DateTime(2026, 2, 4, 23, 59, 0, DateTimeKind.Utc));
        Assert.Matches("^deploy-20260204-[0-9a-f]{6}$", id);
        Assert.True(DeploymentId.IsValid(id));
    }

    [Theory]
    [InlineData("deploy-20260204-abc123", true)]
    [InlineData("deploy-20260230-abc123", false)]
    [InlineData("deploy-20260204-ABC123", false)]
    [InlineData("deploy-20260204-abc12", false)]
    [InlineData("deploy-2026024-abc123", false)]
    [InlineData("dep-20260204-abc123", false)]
    public void DeploymentIdIsValid_Forms(string id, bool valid) => Assert.Equal(valid, DeploymentId.IsValid(id));

    [Theory]
    [InlineData("PrathamModi001/my-app")]
    [InlineData("acme/web.app_2")]
    [InlineData("a/b")]
    public void RepositoryValidate_GithubNames_Accepted(string name) => Assert.Equal(name, RepositoryName.Validate(name));

    [Theory]
    [InlineData("my-app")]
    [InlineData("acme/")]
    [InlineData("-acme/web")]
    [InlineData("acme--x/web")]
    [InlineData("acme/web/extra")]
    [InlineData("acme/we b")]
    [InlineData("acme/..")]
    public void RepositoryValidate_Malformed_NamesTheFieldAndForm(string name)
    {
        var error = Assert.Throws<InvalidInputException>(() => RepositoryName.Validate(name));
        Assert.Equal("repository", error.Field);
        Assert.Contains("owner/repo", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a1b2c3d4", "a1b2c3d4")]
    [InlineData("A1B2C3D", "a1b2c3d")]
    [InlineData("0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567")]
    public void CommitShaValidate_HexForms_NormalizedLowercase(string sha, string expected) => Assert.Equal(expected, CommitSha.Validate(sha));

    [Theory]
    [InlineData("a1b2c3")]
    [InlineData("zzzzzzzz")]
    [InlineData("0123456789abcdef0123456789abcdef012345678")]
    [InlineData("")]
    public void CommitShaValidate_Malformed_Rejected(string sha) =>
        Assert.Equal("commit_sha", Assert.Throws<InvalidInputException>(() => CommitSha.Validate(sha)).Field);

    [Theory]
    [InlineData("i-0123456789")]
    [InlineData("i-0123456789abcdef0")]
    [InlineData("web-1")]
    [InlineData("local")]
    public void InstanceIdValidate_Ec2AndNamedTargets_Accepted(string id) => Assert.Equal(id, InstanceId.Validate(id));

    [Theory]
    [InlineData("i-0123", "EC2")]
    [InlineData("i-0123456789ABCDEF", "EC2")]
    [InlineData("i-0123456789abcdef01", "EC2")]
    [InlineData("web 1", "target name")]
    [InlineData("-web", "target name")]
    public void InstanceIdValidate_Malformed_ExplainsTheExpectedForm(string id, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => InstanceId.Validate(id));
        Assert.Equal("instance_id", error.Field);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ap-south-1", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("eu-central-2", true)]
    [InlineData("local", true)]
    [InlineData("mars-1", false)]
    [InlineData("US-EAST-1", false)]
    [InlineData("us-east", false)]
    public void RegionValidate_Forms(string region, bool valid)
    {
        if (valid)
        {
            Assert.Equal(region, RegionCode.Validate(region));
        }
        else
        {
            Assert.Equal("region", Assert.Throws<InvalidInputException>(() => RegionCode.Validate(region)).Field);
        }
    }

    [Theory]
    [InlineData("main", true)]
    [InlineData("release/1.2", true)]
    [InlineData("feature/x..y", false)]
    [InlineData("-bad", false)]
    [InlineData("ends.lock", false)]
    [InlineData("has space", false)]
    public void BranchValidate_Forms(string branch, bool valid)
    {
        if (valid)
        {
            Assert.Equal(branch, BranchName.Validate(branch));
        }
        else
        {
            Assert.Throws<InvalidInputException>(() => BranchName.Validate(branch));
        }
    }
}
