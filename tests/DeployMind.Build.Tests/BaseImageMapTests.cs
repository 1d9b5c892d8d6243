using DeployMind.Build.Generation;
using DeployMind.Domain;

namespace DeployMind.Build.Tests;

public sealed class BaseImageMapTests
{
    [Theory]
    [InlineData("official")]
    [InlineData("offline")]
    public void FromConfiguration_Preset_HasEveryRolePinned(string preset)
    {
        var map = BaseImageMap.FromConfiguration(new Dictionary<string, string?> { ["preset"] = preset });

        Assert.Equal(BaseImageMap.Roles, map.Entries.Select(e => e.Key));
        Assert.All(map.Entries, e => Assert.DoesNotContain(":latest", e.Value.Resolve(null), StringComparison.Ordinal));
        if (preset == "offline")
        {
            Assert.All(map.Entries, e => Assert.StartsWith("deploymind/", e.Value.Image, StringComparison.Ordinal));
            Assert.All(map.Entries, e => Assert.Equal(PackageFamily.Apt, e.Value.Family));
        }
    }

    [Fact]
    public void FromConfiguration_RoleOverrides_ReplaceImageFamilyUserAndProbe()
    {
        var map = BaseImageMap.FromConfiguration(new Dictionary<string, string?>
        {
            ["node.runtime:image"] = "registry.local/node:20-bookworm",
            ["node.runtime:family"] = "apt",
            ["node.runtime:user"] = "svc",
            ["go.runtime"] = "registry.local/base:12",
            ["go.runtime:family"] = "none",
            ["go.runtime:create-user"] = "",
            ["go.runtime:probe"] = "curl",
        });

        var node = map["node.runtime"];
        Assert.Equal("registry.local/node:20-bookworm", node.Resolve("18"));
        Assert.Equal(PackageFamily.Apt, node.Family);
        Assert.Equal("groupadd --system svc && useradd --system --gid svc --no-create-home --shell /usr/sbin/nologin svc", node.EffectiveCreateUserCommand);
        Assert.Equal(HttpProbeTool.Curl, map["go.runtime"].EffectiveProbe);
        Assert.Equal("node:{version}-alpine", map["node.build"].Image);
    }

    [Fact]
    public void FromConfiguration_SeveralProblems_ReportsThemAllAtOnce()
    {
        var error = Assert.Throws<InvalidInputException>(() => BaseImageMap.FromConfiguration(new Dictionary<string, string?>
        {
            ["nodejs.runtime"] = "node:20",
            ["python.runtime:family"] = "yum",
            ["go.runtime"] = "gcr.io/distroless/static:latest",
            ["static.runtime"] = "busybox",
        }));

        Assert.Equal("base_images", error.Field);
        Assert.Contains("4 problem(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown role 'nodejs.runtime'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'yum' is not a package family", error.Message, StringComparison.Ordinal);
        Assert.Contains("uses ':latest'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'busybox' has no tag", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_UntaggedImage_IsRejected()
    {
        var error = Assert.Throws<InvalidInputException>(() => BaseImageMap.Official.With("node.runtime", new BaseImage { Image = "localhost:5000/node" }));

        Assert.Contains("has no tag", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "python:3.12-slim")]
    [InlineData("3.11", "python:3.11-slim")]
    public void Resolve_VersionPlaceholder_UsesDetectedVersionOrDefault(string? version, string expected)
    {
        Assert.Equal(expected, BaseImageMap.Official["python.runtime"].Resolve(version));
    }

    [Fact]
    public void EffectiveCreateUserCommand_ByFamily_UsesTheFamilysTools()
    {
        Assert.StartsWith("addgroup -S app && adduser -S", new BaseImage { Image = "a:1", Family = PackageFamily.Apk }.EffectiveCreateUserCommand, StringComparison.Ordinal);
        Assert.StartsWith("groupadd --system app && useradd --system", new BaseImage { Image = "a:1", Family = PackageFamily.Apt }.EffectiveCreateUserCommand, StringComparison.Ordinal);
        Assert.Null(new BaseImage { Image = "a:1", Family = PackageFamily.None }.EffectiveCreateUserCommand);
        Assert.Null(new BaseImage { Image = "a:1", Family = PackageFamily.Apk, CreateUserCommand = "" }.EffectiveCreateUserCommand);
    }
}
