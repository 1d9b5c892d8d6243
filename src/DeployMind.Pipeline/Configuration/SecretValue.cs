using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeployMind.Pipeline.Configuration;

/// <summary>
/// A resolved secret. It prints, formats and serializes as <c>***</c>; the value itself comes out
/// only through <see cref="Reveal"/>, so it cannot slip into a log line or a stored record by accident.
/// </summary>
[DebuggerDisplay("***")]
[JsonConverter(typeof(SecretValueJsonConverter))]
public sealed class SecretValue : IFormattable
{
    public const string Mask = "***";

    private readonly string _value;

    public SecretValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>The secret itself: pass it straight to the process, connection or request that needs it.</summary>
    public string Reveal() => _value;

    public override string ToString() => Mask;

    public string ToString(string? format, IFormatProvider? formatProvider) => Mask;

    private sealed class SecretValueJsonConverter : JsonConverter<SecretValue>
    {
        public override SecretValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new JsonException("secret values are never read from JSON");

        public override void Write(Utf8JsonWriter writer, SecretValue value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Mask);
    }
}
