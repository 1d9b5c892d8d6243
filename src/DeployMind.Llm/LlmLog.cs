using Microsoft.Extensions.Logging;

namespace DeployMind.Llm;

/// <summary>Every log line of the LLM client and advisor. No header, key or prompt text is ever logged.</summary>
internal static partial class LlmLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "LLM request {Schema} to {Endpoint} with model {Model}, attempt {Attempt} of {Attempts}")]
    public static partial void Sending(this ILogger logger, string schema, string endpoint, string model, int attempt, int attempts);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "LLM attempt {Attempt} failed ({Failure}); retrying in {Delay}")]
    public static partial void Retrying(this ILogger logger, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "LLM answered {Schema} with model {Model}: {TokensInput} input and {TokensOutput} output tokens, {CostUsd} USD{UnpricedNote}, in {ElapsedMs} ms")]
    public static partial void Answered(this ILogger logger, string schema, string model, int tokensInput, int tokensOutput, decimal costUsd, string unpricedNote, long elapsedMs);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "LLM answer for {Schema} rejected: {Reason}")]
    public static partial void AnswerRejected(this ILogger logger, string schema, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Advisor task {Task} answered by the rules instead of the LLM: {Reason}")]
    public static partial void FellBackToRules(this ILogger logger, string task, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Advisor kept the policy decision {PolicyDecision} for {Repository}; the model suggested the looser {ModelDecision}")]
    public static partial void LooserDecisionIgnored(this ILogger logger, string repository, string policyDecision, string modelDecision);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Advisor task {Task} answered by the rules: {Reason}")]
    public static partial void RulesByConfiguration(this ILogger logger, string task, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "LLM usage reported no token counts for model {Model}; recording 0")]
    public static partial void UsageMissing(this ILogger logger, string model);
}
