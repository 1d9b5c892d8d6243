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

        Assert.Equal(["base", "node", "node-slim", "python", "python-slim", "golang", "static"], names);
    }

    [Fact]
    public void Select_OnlyNode_AddsTheBaseItNeeds()
    {
        var names = BaseImageRecipe.Select(["node"], all: false).Select(r => r.Name).ToList();

        Assert.Equal(["base", "node"], names);
    }

    [Fact]
    public void Select_UnknownAndDotnet_ListsBothProblems()
    {
        var error = Assert.Throws<InvalidInputException>(() => BaseImageRecipe.Select(["nodejs", "dotnet-sdk"], all: false));

        Assert.Contains("'nodejs' is not a base image", error.Message);
        Assert.Contains("known: base, node, node-slim, python", error.Message);
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
    public void Dockerfile_LanguageImage_InstallsPackagesFromTheBaseAndCleansInTheSameLayer()
    {
        var node = BaseImageRecipe.All.Single(r => r.Name == "node");

        var dockerfile = node.Dockerfile("local");

        Assert.StartsWith("FROM local/base:bookworm", dockerfile);
        var run = dockerfile[dockerfile.IndexOf("RUN", StringComparison.Ordinal)..];
        Assert.Contains("apt-get install -y --no-install-recommends nodejs npm ca-certificates", run);
        Assert.Contains("rm -rf /var/lib/apt/lists/*", run);
        Assert.Single(dockerfile.Split('\n'), l => l.StartsWith("RUN", StringComparison.Ordinal));
    }
}
