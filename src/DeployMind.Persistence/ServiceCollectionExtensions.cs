using DeployMind.Persistence.Analytics;
using DeployMind.Persistence.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DeployMind.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database facade, analytics, retention, app variables, API tokens and the exactly-once guards. Hosts also register the providers they
    /// ship (AddDeployMindSqlite, AddDeployMindPostgreSql); the configured URL picks one.
    /// </summary>
    public static IServiceCollection AddDeployMindPersistence(this IServiceCollection services, Action<DatabaseOptions>? configure = null)
    {
        var options = services.AddOptions<DatabaseOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<RetentionOptions>();
        services.TryAddSingleton<DeployMindDatabase>();
        services.TryAddSingleton<DeploymentAnalytics>();
        services.TryAddSingleton<RetentionPolicy>();
        services.TryAddSingleton<DeploymentQueries>();
        RuntimeConfig.RuntimeConfigServiceCollectionExtensions.AddDeployMindRuntimeConfig(services);
        return services;
    }
}
