using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;
using DeployMind.Pipeline.Processes;
using DeployMind.Pipeline.Source;
using DeployMind.Pipeline.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DeployMind.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>Registers the orchestrator, queue and worker. Agents register themselves as IDeploymentAgent.</summary>
    public static IServiceCollection AddDeployMindPipeline(this IServiceCollection services)
    {
        services.AddOptions<PipelineOptions>();
        services.AddOptions<QueueOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.TryAddSingleton<DeploymentQueue>();
        services.TryAddSingleton<DeploymentOrchestrator>();
        services.TryAddSingleton<DeploymentWorker>();
        services.AddOptions<GitOptions>();
        services.TryAddSingleton<IProcessRunner, ProcessRunner>();
        services.TryAddSingleton<GitSourceCheckout>();
        services.TryAddSingleton<GitRemoteProbe>();
        services.TryAddSingleton<SourceResolver>();
        return services;
    }

    /// <summary>Registers the built-in source stage (git checkout of the deployment's commit).</summary>
    public static IServiceCollection AddDeployMindSourceStage(this IServiceCollection services)
    {
        services.AddDeployMindPipeline();
        services.AddSingleton<IDeploymentAgent, SourceAgent>();
        return services;
    }
}
