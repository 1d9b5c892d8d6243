using DeployMind.Build.Detection;
using DeployMind.Build.Generation;
using DeployMind.Build.Optimization;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Build.Tests;

public sealed class ServiceCollectionExtensionsTests
{
    [Fact]
    public void AddDeployMindBuild_WithOfflineMap_ResolvesEveryServiceAndThatMap()
    {
        var offline = BaseImageMap.Offline();
        using var provider = new ServiceCollection().AddDeployMindBuild(offline).BuildServiceProvider(validateScopes: true);

        Assert.Same(offline, provider.GetRequiredService<BaseImageMap>());
        Assert.NotNull(provider.GetRequiredService<ProjectDetector>());
        Assert.NotNull(provider.GetRequiredService<DockerfileGenerator>());
        Assert.NotNull(provider.GetRequiredService<DockerfileAnalyzer>());
        Assert.NotNull(provider.GetRequiredService<DockerfileOptimizer>());
    }

    [Fact]
    public void AddDeployMindBuild_WithoutMap_UsesOfficialImages()
    {
        using var provider = new ServiceCollection().AddDeployMindBuild().BuildServiceProvider();

        Assert.Same(BaseImageMap.Official, provider.GetRequiredService<BaseImageMap>());
    }
}
