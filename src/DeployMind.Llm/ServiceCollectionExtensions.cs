using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DeployMind.Llm;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the LLM client (a typed HttpClient), the rule-based and LLM advisors and validated <see cref="LlmOptions"/>;
    /// <see cref="IDeploymentAdvisor"/> resolves to the LLM advisor with its rule-based fallback.
    /// </summary>
    public static IServiceCollection AddDeployMindLlm(this IServiceCollection services, Action<LlmOptions>? configure = null)
    {
        var options = services.AddOptions<LlmOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RuleBasedAdvisor>();

        // Each attempt is bounded by LlmOptions.Timeout through the injected TimeProvider; the HttpClient's own
        // timeout would cut across retries and ignore the fake clock in tests.
        services.AddHttpClient<OpenAiChatClient>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddTransient<IDeploymentAdvisor, LlmDeploymentAdvisor>();
        services.TryAddSingleton<DeployMind.Persistence.DeploymentQueries>();
        services.TryAddTransient<DeployMind.Pipeline.Execution.IRootCauseAnalyst, AdvisorRootCauseAnalyst>();
        return services;
    }
}
