using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace DeployMind.Persistence.Configuration;

/// <summary>Converters between domain types and what the providers store.</summary>
internal static class ValueConversions
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.General);

    public static ValueConverter<T, string> Wire<T>() where T : struct, Enum =>
        new(v => v.ToWire(), s => WireValues.Parse<T>(s, typeof(T).Name));

    public static readonly ValueConverter<JsonObject?, string?> JsonObject =
        new(v => v == null ? null : v.ToJsonString(s_json), s => s == null ? null : ParseObject(s));

    public static readonly ValueConverter<JsonArray?, string?> JsonArray =
        new(v => v == null ? null : v.ToJsonString(s_json), s => s == null ? null : ParseArray(s));

    public static readonly ValueConverter<List<string>, string> StringList =
        new(v => JsonSerializer.Serialize(v, s_json), s => JsonSerializer.Deserialize<List<string>>(s, s_json) ?? new List<string>());

    public static readonly ValueComparer<JsonObject?> JsonObjectComparer = new(
        (a, b) => JsonNode.DeepEquals(a, b),
        v => v == null ? 0 : v.ToJsonString(s_json).GetHashCode(StringComparison.Ordinal),
        v => v == null ? null : (JsonObject)v.DeepClone());

    public static readonly ValueComparer<JsonArray?> JsonArrayComparer = new(
        (a, b) => JsonNode.DeepEquals(a, b),
        v => v == null ? 0 : v.ToJsonString(s_json).GetHashCode(StringComparison.Ordinal),
        v => v == null ? null : (JsonArray)v.DeepClone());

    public static readonly ValueComparer<List<string>> StringListComparer = new(
        (a, b) => (a == null && b == null) || (a != null && b != null && a.SequenceEqual(b)),
        v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s.GetHashCode(StringComparison.Ordinal))),
        v => v.ToList());

    private static JsonObject ParseObject(string text) => (JsonObject)JsonNode.Parse(text)!;

    private static JsonArray ParseArray(string text) => (JsonArray)JsonNode.Parse(text)!;
}
