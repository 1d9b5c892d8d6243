namespace DeployMind.Llm.Tests;

public sealed class AnswerSchemaTests
{
    private static readonly AnswerSchema s_schema = LlmDeploymentAdvisor.StrategySchema;

    [Fact]
    public void Parse_ConformingAnswer_ReturnsItsValues()
    {
        var answer = s_schema.Parse("""{"strategy":"canary","reasoning":"2 of 5 rolled back"}""");

        Assert.Equal("canary", answer["strategy"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_AnswerInJsonFence_IsAccepted()
    {
        var answer = s_schema.Parse("```json\n{\"strategy\":\"rolling\",\"reasoning\":\"no rollbacks\"}\n```");

        Assert.Equal("rolling", answer["strategy"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Sure! Here is my answer: {\"strategy\":\"rolling\",\"reasoning\":\"x\"}", "not JSON")]
    [InlineData("{\"strategy\":\"rolling\",\"reasoning\":\"x\"} Hope this helps", "not JSON")]
    [InlineData("```python\n{\"strategy\":\"rolling\",\"reasoning\":\"x\"}\n```", "not JSON")]
    [InlineData("I recommend rolling.", "not JSON")]
    [InlineData("[\"rolling\"]", "not an object")]
    [InlineData("{\"strategy\":\"rolling\"}", "'reasoning' is missing")]
    [InlineData("{\"strategy\":\"yolo\",\"reasoning\":\"x\"}", "expected one of: rolling, canary, blue-green")]
    [InlineData("{\"strategy\":7,\"reasoning\":\"x\"}", "'strategy' must be a string")]
    [InlineData("{\"strategy\":\"rolling\",\"reasoning\":\"  \"}", "'reasoning' is empty")]
    [InlineData("{\"strategy\":\"rolling\",\"reasoning\":\"x\",\"run\":\"rm -rf /\"}", "unexpected property 'run'")]
    [InlineData("{\"strategy\":\"rolling\",\"strategy\":\"canary\",\"reasoning\":\"x\"}", "not JSON")]
    public void Parse_NonConformingAnswer_IsRejectedWithTheReason(string content, string expectedReason)
    {
        var ex = Assert.Throws<LlmAnswerRejectedException>(() => s_schema.Parse(content));

        Assert.Contains(expectedReason, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StringLongerThanItsCap_IsRejected()
    {
        var content = $"{{\"strategy\":\"rolling\",\"reasoning\":\"{new string('x', 1_501)}\"}}";

        var ex = Assert.Throws<LlmAnswerRejectedException>(() => s_schema.Parse(content));

        Assert.Contains("more than 1500", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ArrayWithTooManyOrNonStringItems_IsRejected()
    {
        var items = string.Join(",", Enumerable.Range(0, 9).Select(i => $"\"step {i}\""));
        var schema = LlmDeploymentAdvisor.BuildSchema;

        var tooMany = Assert.Throws<LlmAnswerRejectedException>(() => schema.Parse($"{{\"summary\":\"s\",\"suggestions\":[{items}]}}"));
        var notStrings = Assert.Throws<LlmAnswerRejectedException>(() => schema.Parse("{\"summary\":\"s\",\"suggestions\":[{\"a\":1}]}"));

        Assert.Contains("9 items, more than 8", tooMany.Reason, StringComparison.Ordinal);
        Assert.Contains("'suggestions[0]' must be a string", notStrings.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJsonSchema_WithoutLimits_KeepsEnumsAndDropsSizeCaps()
    {
        var schema = LlmDeploymentAdvisor.SecuritySchema.ToJsonSchema(withLimits: false).ToJsonString();
        var withLimits = LlmDeploymentAdvisor.SecuritySchema.ToJsonSchema().ToJsonString();

        Assert.Contains("\"enum\":[\"approve\",\"warn\",\"reject\"]", schema, StringComparison.Ordinal);
        Assert.DoesNotContain("maxLength", schema, StringComparison.Ordinal);
        Assert.Contains("maxLength", withLimits, StringComparison.Ordinal);
        Assert.Contains("\"additionalProperties\":false", schema, StringComparison.Ordinal);
    }
}
