using DeployMind.Build.Agent;
using DeployMind.Build.Detection;
using DeployMind.Build.Docker;
using DeployMind.Build.Generation;
using DeployMind.Build.Optimization;
using DeployMind.Build.Registry;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Processes;
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

    /// <summary>
    /// Registers the build stage: the Docker engine (DOCKER_HOST unless <paramref name="engine"/> says otherwise), the image builder,
    /// the registry publisher and the agent. The pipeline, the advisor (AddDeployMindLlm) and a process runner must be registered too.
    /// </summary>
    public static IServiceCollection AddDeployMindBuildStage(this IServiceCollection services, BaseImageMap? baseImages = null,
        DockerEngineOptions? engine = null, Action<RegistryOptions>? registry = null)
    {
        services.AddDeployMindBuild(baseImages);
        services.TryAddSingleton(engine ?? new DockerEngineOptions());
        services.TryAddSingleton(sp => new DockerEngine(sp.GetRequiredService<DockerEngineOptions>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new ImageBuilder(sp.GetRequiredService<DockerEngine>(), sp.GetRequiredService<IProcessRunner>(), sp.GetService<TimeProvider>()));
        var registryOptions = new RegistryOptions();
        registry?.Invoke(registryOptions);
        services.TryAddSingleton<IImagePublisher>(sp => new RegistryPublisher(sp.GetRequiredService<DockerEngine>(), registryOptions, sp.GetService<TimeProvider>()));
        services.AddSingleton<IDeploymentAgent>(sp => new BuildAgent(
            sp.GetRequiredService<ImageBuilder>(),
            sp.GetRequiredService<ProjectDetector>(),
            sp.GetRequiredService<DockerfileGenerator>(),
            sp.GetRequiredService<DockerfileOptimizer>(),
            sp.GetRequiredService<BaseImageMap>(),
            sp.GetRequiredService<Llm.IDeploymentAdvisor>(),
            sp.GetRequiredService<IProcessRunner>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<IImagePublisher>()));
        return services;
    }
}
