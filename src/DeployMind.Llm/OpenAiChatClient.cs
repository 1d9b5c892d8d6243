using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using DeployMind.Domain;

namespace DeployMind.Llm;

/// <summary>A validated JSON answer and what it cost.</summary>
public sealed record ChatAnswer(JsonObject Answer, LlmUsage Usage);

/// <summary>
/// Client of any OpenAI-compatible <c>/chat/completions</c> endpoint (Groq, OpenAI, Ollama, llama.cpp): asks for a
/// JSON answer at temperature 0, bounds each attempt by a timeout, retries 429/5xx/transport failures with backoff
/// honouring Retry-After, validates the answer against the task's schema and prices its token usage.
/// </summary>
public sealed class OpenAiChatClient
{
    private const int MaxResponseBytes = 4 * 1024 * 1024;
    private const int ExcerptChars = 200;

    private readonly HttpClient _httpClient;
    private readonly LlmOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<OpenAiChatClient> _logger;

    public OpenAiChatClient(HttpClient httpClient, IOptions<LlmOptions> options, TimeProvider timeProvider, ILogger<OpenAiChatClient> logger)
    {
        _httpClient = httpClient;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public string Model => _options.ResolvedModel;

    /// <summary>Sends <paramref name="messages"/> and returns the answer as an object conforming to <paramref name="schema"/>.</summary>
    /// <exception cref="LlmUnavailableException">Disabled, no key, or no successful response within the retries.</exception>
    /// <exception cref="LlmAnswerRejectedException">A response came, but not a conforming JSON answer.</exception>
    public async Task<ChatAnswer> CompleteAsync(IReadOnlyList<ChatMessage> messages, AnswerSchema schema, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            throw new LlmUnavailableException($"the LLM is disabled ({LlmOptions.SectionName}:Enabled is false)", notConfigured: true);
        }

        // Hosts validate at start-up; a client wired by hand with bad options must still fail typed, not with a UriFormatException.
        if (_options.Validate() is { Count: > 0 } problems)
        {
            throw new LlmUnavailableException($"the LLM configuration is invalid: {string.Join("; ", problems)}");
        }

        var key = ResolveApiKey();
        var endpoint = new Uri(_options.ResolvedBaseUrl + "/chat/completions");
        var body = BuildRequestBody(messages, schema);
        var attempts = _options.MaxRetries + 1;
        var started = _timeProvider.GetTimestamp();

        for (var attempt = 1; ; attempt++)
        {
            _logger.Sending(schema.Name, endpoint.GetLeftPart(UriPartial.Path), _options.ResolvedModel, attempt, attempts);
            string failure;
            TimeSpan? retryAfter = null;
            using (var attemptTimeout = new CancellationTokenSource(_options.Timeout, _timeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token))
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
                    {
                        Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    };
                    if (key is not null)
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    }

                    using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                    var text = await ReadBoundedAsync(response.Content, linked.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        return ParseCompletion(text, schema, started);
                    }

                    var status = (int)response.StatusCode;
                    failure = $"HTTP {status} {response.ReasonPhrase}: {Excerpt(text, key)}";
                    if (!IsRetryable(status))
                    {
                        throw new LlmUnavailableException(failure);
                    }

                    retryAfter = RetryAfterDelay(response.Headers.RetryAfter, _timeProvider.GetUtcNow());
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"no answer within {_options.Timeout}";
                }
                catch (HttpRequestException ex)
                {
                    failure = $"transport error: {Redact(ex.Message, key)}";
                }
            }

            if (attempt >= attempts)
            {
                throw new LlmUnavailableException($"{failure} (gave up after {attempts} attempts)");
            }

            var delay = BackoffDelay(attempt, retryAfter);
            _logger.Retrying(attempt, failure, delay);
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
    }

    internal static bool IsRetryable(int status) => status is 429 or 500 or 502 or 503 or 504;

    /// <summary>The server's Retry-After as a wait from <paramref name="now"/> (seconds or an HTTP date), never negative.</summary>
    internal static TimeSpan? RetryAfterDelay(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        var delay = header?.Delta ?? (header?.Date is { } date ? date - now : null);
        return delay is null ? null : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    /// <summary>Retry-After when the server sent one, else exponential backoff with jitter; capped by MaxBackoff.</summary>
    internal TimeSpan BackoffDelay(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } serverDelay)
        {
            return serverDelay < _options.MaxBackoff ? serverDelay : _options.MaxBackoff;
        }

        var exponential = _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jittered = exponential * (0.5 + (Random.Shared.NextDouble() * 0.5));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, _options.MaxBackoff.TotalMilliseconds));
    }

    private string? ResolveApiKey()
    {
        var key = string.IsNullOrWhiteSpace(_options.ApiKeyEnvironmentVariable)
            ? null
            : Environment.GetEnvironmentVariable(_options.ApiKeyEnvironmentVariable)?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            return _options.ApiKeyRequired
                ? throw new LlmUnavailableException($"no API key: environment variable {_options.ApiKeyEnvironmentVariable} is not set", notConfigured: true)
                : null;
        }

        return key;
    }

    private string BuildRequestBody(IReadOnlyList<ChatMessage> messages, AnswerSchema schema)
    {
        var responseFormat = _options.JsonSchemaSupported
            ? new JsonObject
            {
                ["type"] = "json_schema",
                ["json_schema"] = new JsonObject
                {
                    ["name"] = schema.Name,
                    ["strict"] = true,
                    ["schema"] = schema.ToJsonSchema(withLimits: false),
                },
            }
            : new JsonObject { ["type"] = "json_object" };

        var body = new JsonObject
        {
            ["model"] = _options.ResolvedModel,
            ["messages"] = new JsonArray(messages
                .Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })
                .ToArray()),
            ["temperature"] = 0,
            ["max_tokens"] = _options.MaxAnswerTokens,
            ["response_format"] = responseFormat,
        };
        return body.ToJsonString();
    }

    private ChatAnswer ParseCompletion(string text, AnswerSchema schema, long started)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw Rejected(schema, "the response is not chat-completions JSON", ex);
        }

        var choice = root?["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;
        if (choice?["message"]?["content"] is not JsonValue contentValue || contentValue.GetValueKind() != JsonValueKind.String)
        {
            throw Rejected(schema, "the response has no choices[0].message.content string");
        }

        if (choice["finish_reason"] is JsonValue finish && finish.GetValueKind() == JsonValueKind.String
            && finish.GetValue<string>() == "length")
        {
            throw Rejected(schema, "the answer was cut off at the token limit (finish_reason = length)");
        }

        var content = contentValue.GetValue<string>();
        if (content.Length > _options.MaxAnswerChars)
        {
            throw Rejected(schema, $"the answer is {content.Length} characters, more than {_options.MaxAnswerChars}");
        }

        JsonObject answer;
        try
        {
            answer = schema.Parse(content);
        }
        catch (LlmAnswerRejectedException ex)
        {
            _logger.AnswerRejected(schema.Name, ex.Reason);
            throw;
        }

        var model = root!["model"] is JsonValue m && m.GetValueKind() == JsonValueKind.String && m.GetValue<string>().Length > 0
            ? m.GetValue<string>()
            : _options.ResolvedModel;
        var tokensInput = ReadTokenCount(root["usage"]?["prompt_tokens"]);
        var tokensOutput = ReadTokenCount(root["usage"]?["completion_tokens"]);
        if (tokensInput is null && tokensOutput is null)
        {
            _logger.UsageMissing(model);
        }

        var usage = LlmPricing.Price(_options.Prices, model, tokensInput ?? 0, tokensOutput ?? 0);
        _logger.Answered(schema.Name, usage.Model, usage.TokensInput, usage.TokensOutput, usage.CostUsd,
            usage.Unpriced ? " (model not in the price table)" : string.Empty,
            (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds);
        return new ChatAnswer(answer, usage);
    }

    private LlmAnswerRejectedException Rejected(AnswerSchema schema, string reason, Exception? inner = null)
    {
        _logger.AnswerRejected(schema.Name, reason);
        return new LlmAnswerRejectedException(reason, inner);
    }

    private static int? ReadTokenCount(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<int>(out var count) && count >= 0 ? count : null;

    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new LlmAnswerRejectedException($"the response is {content.Headers.ContentLength} bytes, more than {MaxResponseBytes}");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                throw new LlmAnswerRejectedException($"the response is more than {MaxResponseBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Excerpt(string text, string? key)
    {
        var oneLine = Redact(text, key).ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= ExcerptChars ? oneLine : oneLine[..ExcerptChars] + "...";
    }

    /// <summary>Servers sometimes echo the credentials they refuse; the key never leaves this class.</summary>
    private static string Redact(string text, string? key) =>
        string.IsNullOrEmpty(key) ? text : text.Replace(key, "[redacted]", StringComparison.Ordinal);
}
