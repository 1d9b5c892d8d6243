using System.Net.Http.Headers;
using DeployMind.Llm.Tests.Fakes;

namespace DeployMind.Llm.Tests;

public sealed class OpenAiChatClientTests
{
    private const string ValidBuildAnswer = """{"summary":"npm ci needs a lockfile","suggestions":["commit package-lock.json"]}""";

    private static readonly IReadOnlyList<ChatMessage> s_messages = [ChatMessage.System("task"), ChatMessage.User("data")];

    [Fact]
    public async Task CompleteAsync_PricedModel_RecordsUsageAndExactCost()
    {
        await using var rig = LlmRig.Start();
        rig.Server.Enqueue(FakeResponse.Completion(ValidBuildAnswer, model: "gpt-4o-2024-08-06", promptTokens: 450, completionTokens: 120));

        var answer = await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        // gpt-4o: 2.50 USD per million input, 10.00 per million output.
        Assert.Equal(0.002325m, answer.Usage.CostUsd);
        Assert.Equal(450, answer.Usage.TokensInput);
        Assert.Equal(120, answer.Usage.TokensOutput);
        Assert.Equal("gpt-4o-2024-08-06", answer.Usage.Model);
        Assert.False(answer.Usage.Unpriced);
        Assert.Equal("npm ci needs a lockfile", answer.Answer["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task CompleteAsync_AnyRequest_PostsChatCompletionAtTemperatureZeroAskingForJson()
    {
        await using var rig = LlmRig.Start();
        rig.Server.Enqueue(FakeResponse.Completion(ValidBuildAnswer));

        await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        var request = Assert.Single(rig.Server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("gpt-4o", request.Json["model"]!.GetValue<string>());
        Assert.Equal(0, request.Json["temperature"]!.GetValue<int>());
        Assert.Equal("json_object", request.Json["response_format"]!["type"]!.GetValue<string>());
        Assert.Equal("data", request.Message("user"));
    }

    [Fact]
    public async Task CompleteAsync_JsonSchemaEnabled_SendsStrictSchemaOfTheTask()
    {
        await using var rig = LlmRig.Start(o => o.UseJsonSchema = true);
        rig.Server.Enqueue(FakeResponse.Completion(ValidBuildAnswer));

        await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        var format = Assert.Single(rig.Server.Requests).Json["response_format"]!;
        Assert.Equal("json_schema", format["type"]!.GetValue<string>());
        Assert.Equal("build_fix", format["json_schema"]!["name"]!.GetValue<string>());
        Assert.True(format["json_schema"]!["strict"]!.GetValue<bool>());
        Assert.Equal(["summary", "suggestions"], format["json_schema"]!["schema"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task CompleteAsync_GroqModel_CostsZero()
    {
        await using var rig = LlmRig.Start(o =>
        {
            o.Provider = LlmProvider.Groq;
            o.Model = null;
        });
        rig.Server.Enqueue(FakeResponse.Completion(ValidBuildAnswer, model: "llama-3.1-70b-versatile", promptTokens: 450, completionTokens: 120));

        var answer = await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        Assert.Equal("llama-3.1-70b-versatile", Assert.Single(rig.Server.Requests).Json["model"]!.GetValue<string>());
        Assert.Equal(0m, answer.Usage.CostUsd);
        Assert.Equal(450, answer.Usage.TokensInput);
        Assert.False(answer.Usage.Unpriced);
    }

    [Fact]
    public async Task CompleteAsync_ModelMissingFromPriceTable_CostsZeroAndIsFlaggedUnpriced()
    {
        await using var rig = LlmRig.Start(o => o.Model = "mystery-model");
        rig.Server.Enqueue(FakeResponse.Completion(ValidBuildAnswer, model: "mystery-model"));

        var answer = await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        Assert.Equal(0m, answer.Usage.CostUsd);
        Assert.True(answer.Usage.Unpriced);
        Assert.Contains("not in the price table", rig.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_TooManyRequestsWithRetryAfter_SucceedsAfterOneRetryHonouringTheDelay()
    {
        await using var rig = LlmRig.Start();
        rig.Server.Enqueue(FakeResponse.Error(429, retryAfter: "2"), FakeResponse.Completion(ValidBuildAnswer));

        var answer = await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        Assert.Equal(2, rig.Server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(2)], rig.RecordingTime.SkippedWaits);
        Assert.Equal(450, answer.Usage.TokensInput);
    }

    [Fact]
    public async Task CompleteAsync_RetryAfterLongerThanMaxBackoff_WaitsOnlyMaxBackoff()
    {
        await using var rig = LlmRig.Start(o => o.MaxBackoff = TimeSpan.FromSeconds(3));
        rig.Server.Enqueue(FakeResponse.Error(503, retryAfter: "120"), FakeResponse.Completion(ValidBuildAnswer));

        await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(3)], rig.RecordingTime.SkippedWaits);
    }

    [Fact]
    public async Task CompleteAsync_ServerErrorsWithoutRetryAfter_BacksOffExponentiallyWithinCap()
    {
        await using var rig = LlmRig.Start(o =>
        {
            o.MaxRetries = 3;
            o.InitialBackoff = TimeSpan.FromSeconds(1);
            o.MaxBackoff = TimeSpan.FromSeconds(3);
        });
        rig.Server.Enqueue(FakeResponse.Error(500), FakeResponse.Error(502), FakeResponse.Error(504), FakeResponse.Completion(ValidBuildAnswer));

        await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        var waits = rig.RecordingTime.SkippedWaits;
        Assert.Equal(3, waits.Count);
        Assert.InRange(waits[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.InRange(waits[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(waits[2], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task CompleteAsync_ServiceUnavailableBeyondMaxRetries_ThrowsUnavailableAfterEveryAttempt()
    {
        await using var rig = LlmRig.Start(o => o.MaxRetries = 2);
        rig.Server.Fallback = FakeResponse.Error(503);

        var ex = await Assert.ThrowsAsync<LlmUnavailableException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));

        Assert.Equal(3, rig.Server.Requests.Count);
        Assert.Contains("HTTP 503", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("3 attempts", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_BadRequest_IsNotRetried()
    {
        await using var rig = LlmRig.Start();
        rig.Server.Fallback = FakeResponse.Error(400, "{\"error\":{\"message\":\"model does not support json_schema\"}}");

        var ex = await Assert.ThrowsAsync<LlmUnavailableException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));

        Assert.Single(rig.Server.Requests);
        Assert.Contains("does not support json_schema", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_WithKey_SendsBearerKeyThatAppearsInNoExceptionOrLog()
    {
        await using var rig = LlmRig.Start(o => o.MaxRetries = 1);
        // A server that echoes the credential it refuses, as some proxies do.
        rig.Server.Fallback = FakeResponse.Error(503, $"{{\"error\":\"bad credential {rig.ApiKey}\"}}");

        var ex = await Assert.ThrowsAsync<LlmUnavailableException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));

        Assert.All(rig.Server.Requests, r => Assert.Equal($"Bearer {rig.ApiKey}", r.Authorization));
        Assert.Contains("[redacted]", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.ApiKey!, ex.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(rig.Logs.Lines);
        Assert.DoesNotContain(rig.ApiKey!, rig.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.ApiKey!, rig.Options.ToString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_NoKeyInEnvironment_ThrowsWithoutAnyRequest()
    {
        await using var rig = LlmRig.Start(withKey: false);

        var ex = await Assert.ThrowsAsync<LlmUnavailableException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));

        Assert.Empty(rig.Server.Requests);
        Assert.Contains(rig.Options.ApiKeyEnvironmentVariable, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_OllamaWithoutKey_SendsRequestWithoutAuthorization()
    {
        await using var rig = LlmRig.Start(o => o.Provider = LlmProvider.Ollama, withKey: false);
        rig.Server.Enqueue(FakeResponse.Completion(ValidBuildAnswer, model: "llama3.1"));

        var answer = await rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None);

        Assert.Null(Assert.Single(rig.Server.Requests).Authorization);
        Assert.Equal("llama3.1", answer.Usage.Model);
    }

    [Fact]
    public async Task CompleteAsync_AnswerCutAtTokenLimit_IsRejected()
    {
        await using var rig = LlmRig.Start();
        rig.Server.Enqueue(FakeResponse.Completion(ValidBuildAnswer, finishReason: "length"));

        var ex = await Assert.ThrowsAsync<LlmAnswerRejectedException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));

        Assert.Contains("finish_reason", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_ResponseNotChatCompletion_IsRejected()
    {
        await using var rig = LlmRig.Start();
        rig.Server.Enqueue(new FakeResponse(200, "<html>proxy login</html>"));

        await Assert.ThrowsAsync<LlmAnswerRejectedException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public async Task CompleteAsync_NothingListening_RetriesTransportErrorsThenThrowsUnavailable()
    {
        await using var rig = LlmRig.Start(o =>
        {
            o.BaseUrl = $"http://127.0.0.1:{FakeOpenAiServer.FreeLoopbackPort()}/v1";
            o.MaxRetries = 2;
        });

        var ex = await Assert.ThrowsAsync<LlmUnavailableException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));

        Assert.Contains("transport error", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(2, rig.RecordingTime.SkippedWaits.Count);
    }

    [Fact]
    public async Task CompleteAsync_Disabled_ThrowsWithoutAnyRequest()
    {
        await using var rig = LlmRig.Start(o => o.Enabled = false);

        await Assert.ThrowsAsync<LlmUnavailableException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));

        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public async Task CompleteAsync_InvalidOptions_ThrowsUnavailableListingTheProblemWithoutAnyRequest()
    {
        await using var rig = LlmRig.Start();
        rig.Options.BaseUrl = "models.internal/v1";

        var ex = await Assert.ThrowsAsync<LlmUnavailableException>(() =>
            rig.Client.CompleteAsync(s_messages, LlmDeploymentAdvisor.BuildSchema, CancellationToken.None));

        Assert.Contains("BaseUrl 'models.internal/v1' is not an absolute http(s) URL", ex.Reason, StringComparison.Ordinal);
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void RetryAfterDelay_HttpDate_IsTheTimeUntilThatDate()
    {
        var now = new DateTimeOffset(2026, 2, 4, 10, 0, 0, TimeSpan.Zero);

        var delay = OpenAiChatClient.RetryAfterDelay(new RetryConditionHeaderValue(now.AddSeconds(7)), now);

        Assert.Equal(TimeSpan.FromSeconds(7), delay);
    }

    [Fact]
    public void RetryAfterDelay_DateInThePast_IsZero()
    {
        var now = new DateTimeOffset(2026, 2, 4, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.Zero, OpenAiChatClient.RetryAfterDelay(new RetryConditionHeaderValue(now.AddSeconds(-30)), now));
        Assert.Null(OpenAiChatClient.RetryAfterDelay(null, now));
    }
}
