using DeployMind.Domain;

namespace DeployMind.Llm.Tests;

public sealed class LlmOptionsTests
{
    [Fact]
    public void Validate_Defaults_HasNoProblemAndTargetsGroq()
    {
        var options = new LlmOptions();

        Assert.Empty(options.Validate());
        Assert.Equal("https://api.groq.com/openai/v1", options.ResolvedBaseUrl);
        Assert.Equal("llama-3.1-70b-versatile", options.ResolvedModel);
        Assert.Equal("DEPLOYMIND_LLM_API_KEY", options.ApiKeyEnvironmentVariable);
        Assert.True(options.ApiKeyRequired);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.Equal(3, options.MaxRetries);
    }

    [Theory]
    [InlineData(LlmProvider.OpenAi, "https://api.openai.com/v1", true, true)]
    [InlineData(LlmProvider.Ollama, "http://127.0.0.1:11434/v1", false, false)]
    public void ResolvedValues_Preset_FollowTheProvider(LlmProvider provider, string baseUrl, bool keyRequired, bool jsonSchema)
    {
        var options = new LlmOptions { Provider = provider };

        Assert.Equal(baseUrl, options.ResolvedBaseUrl);
        Assert.Equal(keyRequired, options.ApiKeyRequired);
        Assert.Equal(jsonSchema, options.JsonSchemaSupported);
    }

    [Fact]
    public void Validate_SeveralMistakes_ListsEveryProblemAtOnce()
    {
        var options = new LlmOptions
        {
            Provider = LlmProvider.Custom,
            BaseUrl = "ftp://models.internal",
            Timeout = TimeSpan.Zero,
            MaxRetries = -1,
            ApiKeyEnvironmentVariable = "MY KEY",
        };
        options.Prices["cheap"] = new ModelPrice(-1m, 0m);

        var problems = options.Validate();

        Assert.Equal(6, problems.Count);
        Assert.Contains(problems, p => p.Contains("BaseUrl 'ftp://models.internal'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Model is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Timeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("MaxRetries -1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'MY KEY' is not a valid variable name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Prices:cheap", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_KeyPutWhereTheVariableNameGoes_IsFlaggedWithoutEchoingIt()
    {
        const string key = "gsk_abcdefghijklmnopqrstuvwxyz0123456789";
        var options = new LlmOptions { ApiKeyEnvironmentVariable = key };

        var problem = Assert.Single(options.Validate());

        Assert.Contains("looks like an API key", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(key, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Price_DatedModelName_UsesTheLongestPricedPrefix()
    {
        var usage = LlmPricing.Price(LlmOptions.DefaultPrices(), "gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000);

        Assert.Equal(0.75m, usage.CostUsd);
        Assert.False(usage.Unpriced);
    }

    [Fact]
    public void ApplyTo_Execution_RecordsModelTokensAndCost()
    {
        var execution = new DeployMind.Domain.AgentExecution { DeploymentId = "deploy-20260204-abc123", AgentName = "security" };

        LlmPricing.Price(LlmOptions.DefaultPrices(), "gpt-4o", 450, 120).ApplyTo(execution);

        Assert.Equal("gpt-4o", execution.LlmModel);
        Assert.Equal(450, execution.LlmTokensInput);
        Assert.Equal(120, execution.LlmTokensOutput);
        Assert.Equal(0.002325m, execution.LlmCostUsd);
    }

    [Fact]
    public void Rules_Usage_IsRulesWithNoTokensAndNoCost()
    {
        Assert.Equal("rules", LlmUsage.Rules.Model);
        Assert.Equal(0, LlmUsage.Rules.TokensInput + LlmUsage.Rules.TokensOutput);
        Assert.Equal(0m, LlmUsage.Rules.CostUsd);
    }
}
