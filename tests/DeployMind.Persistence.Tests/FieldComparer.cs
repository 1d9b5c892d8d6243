using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;

namespace DeployMind.Persistence.Tests;

/// <summary>Compares every stored field of two entities and names the ones that differ.</summary>
internal static class FieldComparer
{
    public static void AssertSameFields<T>(T expected, T actual, params string[] ignore)
    {
        var differences = new List<string>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (ignore.Contains(property.Name) || IsNavigation(property.PropertyType))
            {
                continue;
            }

            var e = property.GetValue(expected);
            var a = property.GetValue(actual);
            if (!Same(e, a))
            {
                differences.Add($"{property.Name}: expected {Show(e)}, got {Show(a)}");
            }
        }

        Assert.True(differences.Count == 0, $"{typeof(T).Name} differs after the round trip:\n" + string.Join('\n', differences));
    }

    private static bool IsNavigation(Type type) =>
        type.Namespace == "DeployMind.Domain" && type.IsClass
        || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && type.GetGenericArguments()[0].Namespace == "DeployMind.Domain");

    private static bool Same(object? e, object? a) => (e, a) switch
    {
        (null, null) => true,
        (JsonNode x, JsonNode y) => JsonNode.DeepEquals(x, y),
        (DateTime x, DateTime y) => x == y && x.Kind == y.Kind,
        (IEnumerable x, IEnumerable y) when e is not string => x.Cast<object>().SequenceEqual(y.Cast<object>()),
        _ => Equals(e, a),
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        JsonNode node => node.ToJsonString(),
        DateTime t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + $" ({t.Kind})",
        IEnumerable list when value is not string => "[" + string.Join(", ", list.Cast<object>()) + "]",
        _ => value.ToString() ?? "",
    };
}
