namespace DeployMind.Domain;

/// <summary>What one advisor answer cost: recorded in agent_executions (llm_model, llm_tokens_input/output, llm_cost_usd).</summary>
public sealed record LlmUsage
{
    public const string RulesModel = "rules";

    /// <summary>The usage of an answer from the deterministic rules: model <c>rules</c>, no tokens, no cost.</summary>
    public static LlmUsage Rules { get; } = new() { Model = RulesModel };

    public required string Model { get; init; }

    public int TokensInput { get; init; }

    public int TokensOutput { get; init; }

    public decimal CostUsd { get; init; }

    /// <summary>True when the model had no entry in the price table, so <see cref="CostUsd"/> is 0 but unknown.</summary>
    public bool Unpriced { get; init; }

    public bool IsRules => Model == RulesModel;

    /// <summary>The usage of two answers together (an agent that asked twice).</summary>
    public LlmUsage Add(LlmUsage other) => new()
    {
        Model = Model == other.Model || other.TokensInput + other.TokensOutput == 0 ? Model
            : TokensInput + TokensOutput == 0 ? other.Model : $"{Model}+{other.Model}",
        TokensInput = TokensInput + other.TokensInput,
        TokensOutput = TokensOutput + other.TokensOutput,
        CostUsd = CostUsd + other.CostUsd,
        Unpriced = Unpriced || other.Unpriced,
    };

    /// <summary>Records this usage on an agent_executions row.</summary>
    public void ApplyTo(AgentExecution execution)
    {
        execution.LlmModel = Model;
        execution.LlmTokensInput = TokensInput;
        execution.LlmTokensOutput = TokensOutput;
        execution.LlmCostUsd = CostUsd;
    }
}
