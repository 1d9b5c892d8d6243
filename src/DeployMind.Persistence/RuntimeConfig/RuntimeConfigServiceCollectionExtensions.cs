using DeployMind.Persistence.Tokens;
using DeployMind.Persistence.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DeployMind.Persistence.RuntimeConfig;

public static class RuntimeConfigServiceCollectionExtensions
{
    /// <summary>
    /// Registers app variables (and the secret key ring), API tokens, the webhook delivery log and the
    /// schedule fire ledger. The secret key defaults to the process's DEPLOYMIND_SECRET_KEY /
    /// DEPLOYMIND_SECRET_KEY_FILE; a later <c>Configure&lt;SecretKeyOptions&gt;</c> overrides them.
    /// </summary>
    public static IServiceCollection AddDeployMindRuntimeConfig(this IServiceCollection services)
    {
        services.AddOptions<SecretKeyOptions>().Configure(o =>
        {
            o.Key ??= Environment.GetEnvironmentVariable(SecretKeyOptions.KeyVariable);
            o.KeyFile ??= Environment.GetEnvironmentVariable(SecretKeyOptions.KeyFileVariable);
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretKeyRing>();
        services.TryAddSingleton<AppVariableStore>();
        services.TryAddSingleton<ApiTokenStore>();
        services.TryAddSingleton<WebhookDeliveryLog>();
        services.TryAddSingleton<ScheduleFireLedger>();
        return services;
    }
}
