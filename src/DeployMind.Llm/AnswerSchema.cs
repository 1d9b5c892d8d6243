using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeployMind.Llm;

public enum AnswerPropertyType
{
    String,
    StringArray,
}

/// <summary>One property of a model's JSON answer: its type, whether it must be present, its allowed values and size caps.</summary>
public sealed record AnswerProperty(string Name, AnswerPropertyType Type, string Description)
{
    public bool Required { get; init; } = true;

    /// <summary>For strings and each array item; a longer value is rejected, not cut.</summary>
    public int MaxLength { get; init; } = 2_000;

    public int MaxItems { get; init; } = 12;

    /// <summary>For strings: the only values accepted (compared ignoring case).</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }
}

/// <summary>
/// The shape a task's answer must have. Checked here, in code, whatever the provider promised: one JSON object
/// with exactly these properties. A single ```json fence around the whole answer is tolerated because local models
/// often add one despite response_format; any other text outside the object is rejected.
/// </summary>
public sealed class AnswerSchema
{
    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 8, AllowDuplicateProperties = false };

    public AnswerSchema(string name, IReadOnlyList<AnswerProperty> properties)
    {
        Name = name;
        Properties = properties;
    }

    public string Name { get; }

    public IReadOnlyList<AnswerProperty> Properties { get; }

    /// <summary>The answer's object when <paramref name="content"/> conforms; otherwise throws with every problem found.</summary>
    public JsonObject Parse(string content)
    {
        var json = StripFence(content.Trim());
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: s_documentOptions);
        }
        catch (JsonException ex)
        {
            throw new LlmAnswerRejectedException($"the answer is not JSON ({ex.Message})", ex);
        }

        if (node is not JsonObject answer)
        {
            throw new LlmAnswerRejectedException($"the answer is JSON but not an object (it is {node?.GetValueKind().ToString() ?? "null"})");
        }

        var problems = Check(answer);
        if (problems.Count > 0)
        {
            throw new LlmAnswerRejectedException($"the answer does not match schema '{Name}': {string.Join("; ", problems)}");
        }

        return answer;
    }

    /// <summary>Every way <paramref name="answer"/> departs from the schema; empty when it conforms.</summary>
    public IReadOnlyList<string> Check(JsonObject answer)
    {
        var problems = new List<string>();
        foreach (var (name, _) in answer)
        {
            if (!Properties.Any(p => p.Name == name))
            {
                problems.Add($"unexpected property '{Shorten(name)}'");
            }
        }

        foreach (var property in Properties)
        {
            if (!answer.TryGetPropertyValue(property.Name, out var value) || value is null)
            {
                if (property.Required)
                {
                    problems.Add($"'{property.Name}' is missing");
                }

                continue;
            }

            switch (property.Type)
            {
                case AnswerPropertyType.String:
                    CheckString(property, property.Name, value, problems);
                    break;
                case AnswerPropertyType.StringArray when value is JsonArray items:
                    if (items.Count > property.MaxItems)
                    {
                        problems.Add($"'{property.Name}' has {items.Count} items, more than {property.MaxItems}");
                    }

                    for (var i = 0; i < items.Count; i++)
                    {
                        CheckString(property, $"{property.Name}[{i}]", items[i], problems);
                    }

                    break;
                case AnswerPropertyType.StringArray:
                    problems.Add($"'{property.Name}' must be an array of strings, not {value.GetValueKind()}");
                    break;
            }
        }

        return problems;
    }

    /// <summary>The schema as JSON Schema, for providers that accept <c>response_format: json_schema</c> and for the prompt.</summary>
    /// <param name="withLimits">False leaves out maxLength and maxItems, which strict structured-output modes refuse; the limits are still checked here.</param>
    public JsonObject ToJsonSchema(bool withLimits = true)
    {
        var properties = new JsonObject();
        foreach (var property in Properties)
        {
            var text = new JsonObject { ["type"] = "string" };
            if (withLimits)
            {
                text["maxLength"] = property.MaxLength;
            }

            if (property.AllowedValues is { } allowed)
            {
                text["enum"] = new JsonArray(allowed.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
            }

            JsonObject schema = property.Type == AnswerPropertyType.String
                ? text
                : new JsonObject { ["type"] = "array", ["items"] = text };
            if (withLimits && property.Type == AnswerPropertyType.StringArray)
            {
                schema["maxItems"] = property.MaxItems;
            }

            schema["description"] = property.Description;
            properties[property.Name] = schema;
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray(Properties.Where(p => p.Required).Select(p => (JsonNode)JsonValue.Create(p.Name)).ToArray()),
            ["additionalProperties"] = false,
        };
    }

    internal static string StripFence(string text)
    {
        if (!text.StartsWith("```", StringComparison.Ordinal) || !text.EndsWith("```", StringComparison.Ordinal) || text.Length < 6)
        {
            return text;
        }

        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstLineEnd < 0)
        {
            return text;
        }

        var language = text[3..firstLineEnd].Trim();
        if (language.Length > 0 && !language.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        return text[(firstLineEnd + 1)..^3].Trim();
    }

    private static void CheckString(AnswerProperty property, string path, JsonNode? value, List<string> problems)
    {
        if (value is not JsonValue scalar || scalar.GetValueKind() != JsonValueKind.String)
        {
            problems.Add($"'{path}' must be a string, not {value?.GetValueKind().ToString() ?? "null"}");
            return;
        }

        var text = scalar.GetValue<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            problems.Add($"'{path}' is empty");
        }
        else if (text.Length > property.MaxLength)
        {
            problems.Add($"'{path}' is {text.Length} characters, more than {property.MaxLength}");
        }
        else if (property.AllowedValues is { } allowed && !allowed.Contains(text.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"'{path}' is '{Shorten(text)}', expected one of: {string.Join(", ", allowed)}");
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
