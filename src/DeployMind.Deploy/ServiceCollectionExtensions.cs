using DeployMind.Deploy.Agent;
using DeployMind.Deploy.Strategies;
using DeployMind.Deploy.Targets;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.Logging;
using DeployMind.Pipeline;
using DeployMind.Pipeline.Agents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DeployMind.Deploy;

public static class DeployServiceCollectionExtensions
{
    /// <summary>
    /// Registers the deploy and verify stages. Targets are opened by the registered <see cref="IAppHostFactory"/>; runtime
    /// variables come from an <see cref="IAppEnvironmentSource"/> and the built image from an <see cref="IDeployImageSource"/>
    /// when those are registered.
    /// </summary>
    public static IServiceCollection AddDeployMindDeployStage(this IServiceCollection services, Action<DeployOptions>? configure = null)
    {
        services.AddDeployMindPipeline();
        var options = new DeployOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.TryAddSingleton(new DockerAppHostOptions());
        services.TryAddSingleton<IDeployTargetFactory>(sp => new DeployTargetFactory(
            sp.GetRequiredService<IProcessRunner>(),
            new DeployTargetOptions { Environment = options.Environment, LocalDockerHost = options.Environment?.GetValueOrDefault("DOCKER_HOST") },
            sp.GetService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IDeployImageSource, BuiltImageSource>();
        services.TryAddSingleton<IAppHostFactory>(sp => new DockerAppHostFactory(
            sp.GetRequiredService<IDeployTargetFactory>(),
            sp.GetRequiredService<DockerAppHostOptions>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDeploymentAgent>(sp => new DeployAgent(
            sp.GetRequiredService<IAppHostFactory>(),
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IAppEnvironmentSource>(),
            sp.GetService<IDeployImageSource>()));
        services.AddSingleton<IDeploymentAgent>(_ => new VerifyAgent(options));
        services.TryAddSingleton<RollbackPlanner>();
        services.TryAddSingleton(sp => new StandbyRetirement(sp.GetRequiredService<Persistence.DeployMindDatabase>(), sp.GetRequiredService<IAppHostFactory>(),
            options, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new AppInstances(sp.GetRequiredService<IAppHostFactory>()));
        return services;
    }

    /// <summary>Injects the `deploymind env` variables of the application (AddDeployMindRuntimeConfig must be registered too).</summary>
    public static IServiceCollection AddDeployMindRuntimeVariables(this IServiceCollection services)
    {
        services.TryAddSingleton<IAppEnvironmentSource, AppVariableEnvironmentSource>();
        return services;
    }
}
