using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeployMind.Domain;

namespace DeployMind.Server.Api;

/// <summary>
/// Reads a JSON request body strictly: size-limited, an object, no unknown fields, values of the right type. Every
/// failure is an <see cref="InvalidInputException"/> naming the field (or "body"), which the API answers with 400.
/// </summary>
public static class JsonBody
{
    public const long DefaultLimit = 1024 * 1024;

    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 16,
    };

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken, long limit = DefaultLimit)
        where T : class
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidInputException("Content-Type", $"the body must be JSON; send 'Content-Type: application/json' (got '{request.ContentType ?? "none"}')");
        }

        var bytes = await ReadBytesAsync(request, limit, cancellationToken);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("body", $"the body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException("body", "the body must be a JSON object");
            }

            var allowed = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!allowed.Contains(property.Name))
                {
                    throw new InvalidInputException(property.Name.Length > 100 ? property.Name[..100] : property.Name,
                        $"unknown field '{Shorten(property.Name)}'; allowed fields: {string.Join(", ", allowed.Order(StringComparer.Ordinal))}");
                }
            }

            try
            {
                return document.RootElement.Deserialize<T>(s_options) ?? throw new InvalidInputException("body", "the body must be a JSON object");
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
                throw new InvalidInputException(field, $"{field} has the wrong type or form: {FirstSentence(e.Message)}");
            }
        }
    }

    /// <summary>Reads the raw body up to <paramref name="limit"/> bytes; a larger body is refused without reading it all.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static InvalidInputException TooLarge(long limit) =>
        new("body", $"the body is larger than {limit / (1024 * 1024)} MiB; send a smaller one");

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
