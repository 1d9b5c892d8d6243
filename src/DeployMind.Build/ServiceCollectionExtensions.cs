using DeployMind.Build.Detection;
using DeployMind.Build.Generation;
using DeployMind.Build.Optimization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DeployMind.Build;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers detection, Dockerfile generation and optimization. The base image map defaults to the official images;
    /// hosts pass <see cref="BaseImageMap.Offline"/> or <see cref="BaseImageMap.FromConfiguration"/> for air-gapped machines.
    /// </summary>
    public static IServiceCollection AddDeployMindBuild(this IServiceCollection services, BaseImageMap? baseImages = null)
    {
        services.TryAddSingleton(baseImages ?? BaseImageMap.Default);
        services.TryAddSingleton<ProjectDetector>();
        services.TryAddSingleton<DockerfileGenerator>();
        services.TryAddSingleton<DockerfileAnalyzer>();
        services.TryAddSingleton(sp => new DockerfileOptimizer(sp.GetRequiredService<DockerfileAnalyzer>(), sp.GetRequiredService<DockerfileGenerator>()));
        return services;
    }
}
