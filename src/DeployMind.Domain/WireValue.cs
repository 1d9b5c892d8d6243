using System.Collections.Frozen;
using System.Reflection;

namespace DeployMind.Domain;

/// <summary>The exact string an enum member is stored and shown as (the seed's lowercase values).</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class WireValueAttribute(string value) : Attribute
{
    public string Value { get; } = value;
}

/// <summary>Converts enums to and from the strings stored in the database and accepted on input.</summary>
public static class WireValues
{
    public static string ToWire<T>(this T value) where T : struct, Enum => Table<T>.ToText[value];

    public static T Parse<T>(string? text, string field) where T : struct, Enum
    {
        if (TryParse<T>(text, out var value))
        {
            return value;
        }

        throw new InvalidInputException(field,
            $"'{text}' is not a valid {field}; expected one of: {string.Join(", ", AllOf<T>())}");
    }

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return text is not null && Table<T>.FromText.TryGetValue(text.Trim(), out value);
    }

    public static IReadOnlyList<string> AllOf<T>() where T : struct, Enum => Table<T>.Ordered;

    private static class Table<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ToText;
        public static readonly FrozenDictionary<string, T> FromText;
        public static readonly string[] Ordered;

        static Table()
        {
            var pairs = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => (Value: (T)f.GetValue(null)!, Text: f.GetCustomAttribute<WireValueAttribute>()?.Value
                    ?? throw new InvalidOperationException($"{typeof(T).Name}.{f.Name} has no [WireValue]")))
                .ToArray();
            ToText = pairs.ToFrozenDictionary(p => p.Value, p => p.Text);
            FromText = pairs.ToFrozenDictionary(p => p.Text, p => p.Value, StringComparer.OrdinalIgnoreCase);
            Ordered = pairs.Select(p => p.Text).ToArray();
        }
    }
}
