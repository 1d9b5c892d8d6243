using DeployMind.Pipeline.Execution;
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
        return services;
    }
}
