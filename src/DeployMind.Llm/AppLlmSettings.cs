using DeployMind.Pipeline.Configuration;

namespace DeployMind.Llm;

/// <summary>Applies the llm section of deploymind.yml to the client's options.</summary>
public static class AppLlmSettings
{
    public static void Apply(this LlmOptions options, LlmConfig config)
    {
        if (config.Provider == Pipeline.Configuration.LlmProvider.None)
        {
            // "none": the rule-based advisor answers every question, and no request leaves the machine.
            options.Enabled = false;
            return;
        }

        options.Provider = config.Provider switch
        {
            Pipeline.Configuration.LlmProvider.OpenAi => LlmProvider.OpenAi,
            Pipeline.Configuration.LlmProvider.Ollama => LlmProvider.Ollama,
            Pipeline.Configuration.LlmProvider.Custom => LlmProvider.Custom,
            _ => LlmProvider.Groq,
        };
        options.Model = config.Model ?? options.Model;
        options.BaseUrl = config.BaseUrl ?? options.BaseUrl;
        if (config.ApiKeyEnv is { } variable)
        {
            options.ApiKeyEnvironmentVariable = variable;
        }
    }
}
