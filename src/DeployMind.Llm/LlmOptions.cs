using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace DeployMind.Llm;

/// <summary>Which OpenAI-compatible service the client talks to; each preset fills in its base URL, model and key needs.</summary>
public enum LlmProvider
{
    Groq,
    OpenAi,
    Ollama,
    Custom,
}

/// <summary>US dollars per million tokens, the unit every provider publishes its prices in.</summary>
public sealed record ModelPrice(decimal InputPerMillionUsd, decimal OutputPerMillionUsd);

/// <summary>Configuration of the LLM client and advisor (section <c>DeployMind:Llm</c>); presets per provider, every value overridable.</summary>
public sealed partial class LlmOptions
{
    public const string SectionName = "DeployMind:Llm";
    public const string DefaultApiKeyEnvironmentVariable = "DEPLOYMIND_LLM_API_KEY";

    /// <summary>False makes every task answer from the deterministic rules without any network call.</summary>
    public bool Enabled { get; set; } = true;

    public LlmProvider Provider { get; set; } = LlmProvider.Groq;

    /// <summary>The API root ending before <c>/chat/completions</c>; null takes the provider's default.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Null takes the provider's default model.</summary>
    public string? Model { get; set; }

    /// <summary>The name of the environment variable that holds the key; the key itself never goes in configuration.</summary>
    public string ApiKeyEnvironmentVariable { get; set; } = DefaultApiKeyEnvironmentVariable;

    /// <summary>Null: a key is required for every provider except a local Ollama.</summary>
    public bool? RequireApiKey { get; set; }

    /// <summary>
    /// Ask for <c>response_format: json_schema</c> (strict) instead of <c>json_object</c>. Null: only where the
    /// provider is known to support it (OpenAI). The answer is validated against the schema either way.
    /// </summary>
    public bool? UseJsonSchema { get; set; }

    /// <summary>Bound of one HTTP attempt, from sending the request to reading the whole answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt on 429, 5xx, transport errors and timeouts.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff; doubled on each retry, with jitter, and capped by <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of one wait between attempts, including a server's Retry-After.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Cap of the untrusted data (logs, findings, Dockerfile) sent in one prompt, in characters.</summary>
    public int MaxPromptDataChars { get; set; } = 24_000;

    /// <summary>The <c>max_tokens</c> sent with each request.</summary>
    public int MaxAnswerTokens { get; set; } = 1_024;

    /// <summary>Cap of the answer's content, in characters; a longer answer is rejected.</summary>
    public int MaxAnswerChars { get; set; } = 32_000;

    /// <summary>
    /// Model name → price. The name the server reports (e.g. <c>gpt-4o-mini-2024-07-18</c>) is matched exactly
    /// or by its longest priced prefix; a model with no price costs 0 and is flagged unpriced.
    /// </summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(DefaultPrices(), StringComparer.OrdinalIgnoreCase);

    public string ResolvedBaseUrl => (BaseUrl ?? Provider switch
    {
        LlmProvider.Groq => "https://api.groq.com/openai/v1",
        LlmProvider.OpenAi => "https://api.openai.com/v1",
        LlmProvider.Ollama => "http://127.0.0.1:11434/v1",
        _ => string.Empty,
    }).TrimEnd('/');

    public string ResolvedModel => Model ?? Provider switch
    {
        LlmProvider.Groq => "llama-3.1-70b-versatile",
        LlmProvider.OpenAi => "gpt-4o-mini",
        LlmProvider.Ollama => "llama3.1",
        _ => string.Empty,
    };

    public bool ApiKeyRequired => RequireApiKey ?? Provider != LlmProvider.Ollama;

    public bool JsonSchemaSupported => UseJsonSchema ?? Provider == LlmProvider.OpenAi;

    /// <summary>Groq's free tier costs nothing; OpenAI's list prices (USD per million tokens).</summary>
    public static IReadOnlyDictionary<string, ModelPrice> DefaultPrices() => new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase)
    {
        ["llama-3.1-70b-versatile"] = new(0m, 0m),
        ["llama-3.3-70b-versatile"] = new(0m, 0m),
        ["llama-3.1-8b-instant"] = new(0m, 0m),
        ["gpt-4o"] = new(2.50m, 10.00m),
        ["gpt-4o-mini"] = new(0.15m, 0.60m),
        ["gpt-4.1"] = new(2.00m, 8.00m),
        ["gpt-4.1-mini"] = new(0.40m, 1.60m),
        ["gpt-4.1-nano"] = new(0.10m, 0.40m),
    };

    /// <summary>Every problem with this configuration at once, each naming its key and a fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var baseUrl = ResolvedBaseUrl;
        if (baseUrl.Length == 0)
        {
            problems.Add($"{SectionName}:BaseUrl is required for provider '{Provider}'; set it to the API root, e.g. http://127.0.0.1:8080/v1");
        }
        else if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{SectionName}:BaseUrl '{baseUrl}' is not an absolute http(s) URL; e.g. https://api.groq.com/openai/v1");
        }

        if (string.IsNullOrWhiteSpace(ResolvedModel))
        {
            problems.Add($"{SectionName}:Model is required for provider '{Provider}'; e.g. llama-3.1-70b-versatile");
        }

        if (ApiKeyRequired)
        {
            if (string.IsNullOrWhiteSpace(ApiKeyEnvironmentVariable))
            {
                problems.Add($"{SectionName}:ApiKeyEnvironmentVariable is empty; name the variable holding the key, e.g. {DefaultApiKeyEnvironmentVariable}");
            }
            else if (LooksLikeAKey(ApiKeyEnvironmentVariable))
            {
                // Never echo the value: it is probably the secret itself.
                problems.Add($"{SectionName}:ApiKeyEnvironmentVariable holds what looks like an API key; put the key in an environment variable and name that variable here, e.g. {DefaultApiKeyEnvironmentVariable}");
            }
            else if (!EnvironmentVariableName().IsMatch(ApiKeyEnvironmentVariable))
            {
                problems.Add($"{SectionName}:ApiKeyEnvironmentVariable '{ApiKeyEnvironmentVariable}' is not a valid variable name; use letters, digits and '_', e.g. {DefaultApiKeyEnvironmentVariable}");
            }
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{SectionName}:Timeout {Timeout} must be more than 0 and at most 00:10:00; e.g. 00:00:30");
        }

        if (MaxRetries is < 0 or > 10)
        {
            problems.Add($"{SectionName}:MaxRetries {MaxRetries} must be between 0 and 10; e.g. 3");
        }

        if (InitialBackoff < TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:InitialBackoff {InitialBackoff} must not be negative; e.g. 00:00:01");
        }

        if (MaxBackoff < InitialBackoff || MaxBackoff > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{SectionName}:MaxBackoff {MaxBackoff} must be at least InitialBackoff ({InitialBackoff}) and at most 00:05:00; e.g. 00:00:20");
        }

        if (MaxPromptDataChars < 1_000)
        {
            problems.Add($"{SectionName}:MaxPromptDataChars {MaxPromptDataChars} is below 1000; e.g. 24000");
        }

        if (MaxAnswerTokens is < 64 or > 32_768)
        {
            problems.Add($"{SectionName}:MaxAnswerTokens {MaxAnswerTokens} must be between 64 and 32768; e.g. 1024");
        }

        if (MaxAnswerChars < 1_000)
        {
            problems.Add($"{SectionName}:MaxAnswerChars {MaxAnswerChars} is below 1000; e.g. 32000");
        }

        foreach (var (model, price) in Prices)
        {
            if (price is null || price.InputPerMillionUsd < 0 || price.OutputPerMillionUsd < 0)
            {
                problems.Add($"{SectionName}:Prices:{model} must have non-negative InputPerMillionUsd and OutputPerMillionUsd; e.g. 0.15 and 0.60");
            }
        }

        return problems;
    }

    private static bool LooksLikeAKey(string value) =>
        value.StartsWith("sk-", StringComparison.Ordinal) || value.StartsWith("gsk_", StringComparison.Ordinal)
        || (value.Length >= 32 && !value.Contains('_', StringComparison.Ordinal));

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentVariableName();
}

/// <summary>Runs <see cref="LlmOptions.Validate"/> when the options are first used, listing every problem.</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
