using DeployMind.Build.Generation;
using DeployMind.Build.Images;
using DeployMind.Domain;

namespace DeployMind.Build.Tests.Images;

public sealed class BaseImageRecipeTests
{
    [Fact]
    public void Select_NothingNamed_ReturnsDefaultSetWithBaseFirst()
    {
        var names = BaseImageRecipe.Select([], all: false).Select(r => r.Name).ToList();

        Assert.Equal(["base", "node-slim", "node", "python-slim", "python", "golang", "static"], names);
    }

    [Fact]
    public void Select_OnlyNode_AddsTheBaseAndTheRuntimeItIsBuiltFrom()
    {
        var names = BaseImageRecipe.Select(["node"], all: false).Select(r => r.Name).ToList();

        Assert.Equal(["base", "node-slim", "node"], names);
    }

    [Fact]
    public void Select_MavenAndComposer_AddTheirParentsBeforeThem()
    {
        var names = BaseImageRecipe.Select(["composer", "maven"], all: false).Select(r => r.Name).ToList();

        Assert.Equal(["base", "openjdk", "maven", "php", "composer"], names);
    }

    [Fact]
    public void All_EveryParentIsARecipeListedBeforeItsChild()
    {
        var names = BaseImageRecipe.All.Select(r => r.Name).ToList();

        Assert.All(BaseImageRecipe.All.Where(r => r.Parent is not null), r =>
            Assert.True(names.IndexOf(r.Parent!) is >= 0 and var i && i < names.IndexOf(r.Name), $"{r.Name}'s parent {r.Parent} must come first"));
    }

    [Fact]
    public void Select_UnknownAndDotnet_ListsBothProblems()
    {
        var error = Assert.Throws<InvalidInputException>(() => BaseImageRecipe.Select(["nodejs", "dotnet-sdk"], all: false));

        Assert.Contains("'nodejs' is not a base image", error.Message);
        Assert.Contains("known: base, node-slim, node, python-slim", error.Message);
        Assert.Contains("'dotnet-sdk': .NET is not packaged by Debian", error.Message);
    }

    [Fact]
    public void All_EveryOfflineMapImageIsBuiltOrExplained()
    {
        var map = BaseImageMap.Offline();
        var references = BaseImageRecipe.All.Select(r => r.Reference("deploymind")).ToHashSet();

        foreach (var role in BaseImageMap.Roles)
        {
            var image = map[role].Resolve(version: null);
            var repository = image["deploymind/".Length..image.IndexOf(':', StringComparison.Ordinal)];
            Assert.True(references.Contains(image) || BaseImageRecipe.Unavailable.ContainsKey(repository),
                $"offline role {role} uses {image}, which bootstrap neither builds nor explains");
        }
    }

    [Fact]
    public void Dockerfile_RuntimeImage_IsBuiltFromTheBase()
    {
        var dockerfile = BaseImageRecipe.All.Single(r => r.Name == "python-slim").Dockerfile("local");

        Assert.StartsWith("FROM local/base:bookworm", dockerfile);
        Assert.Contains("apt-get install -y --no-install-recommends python3 ca-certificates", dockerfile);
    }

    [Fact]
    public void Dockerfile_BuildImage_InstallsPackagesOnItsRuntimeAndCleansInTheSameLayer()
    {
        var node = BaseImageRecipe.All.Single(r => r.Name == "node");

        var dockerfile = node.Dockerfile("local");

        Assert.StartsWith("FROM local/node:18-slim", dockerfile);
        var run = dockerfile[dockerfile.IndexOf("RUN", StringComparison.Ordinal)..];
        Assert.Contains("apt-get install -y --no-install-recommends nodejs npm ca-certificates", run);
        Assert.Contains("rm -rf /var/lib/apt/lists/*", run);
        Assert.Single(dockerfile.Split('\n'), l => l.StartsWith("RUN", StringComparison.Ordinal));
    }
}
