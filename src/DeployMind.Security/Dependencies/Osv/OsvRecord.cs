using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DeployMind.Security.Dependencies.Osv;

/// <summary>One OSV advisory (https://ossf.github.io/osv-schema/), the fields the scanner uses.</summary>
public sealed record OsvRecord
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("modified")]
    public string? Modified { get; init; }

    [JsonPropertyName("published")]
    public string? Published { get; init; }

    [JsonPropertyName("withdrawn")]
    public string? Withdrawn { get; init; }

    [JsonPropertyName("aliases")]
    public IReadOnlyList<string> Aliases { get; init; } = [];

    [JsonPropertyName("summary")]
    public string? Summary { get; init; }

    [JsonPropertyName("details")]
    public string? Details { get; init; }

    [JsonPropertyName("severity")]
    public IReadOnlyList<OsvSeverity> Severity { get; init; } = [];

    [JsonPropertyName("affected")]
    public IReadOnlyList<OsvAffected> Affected { get; init; } = [];

    [JsonPropertyName("database_specific")]
    public JsonObject? DatabaseSpecific { get; init; }

    public bool IsWithdrawn => !string.IsNullOrWhiteSpace(Withdrawn);

    /// <summary>The <c>modified</c> timestamp; records without one order first.</summary>
    public DateTimeOffset ModifiedAt =>
        DateTimeOffset.TryParse(Modified, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MinValue;

    private static readonly JsonSerializerOptions s_options = new()
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>Parses one record; throws <see cref="JsonException"/> (with line and position) for malformed JSON or a record without an id.</summary>
    public static OsvRecord Parse(string json)
    {
        return Validated(JsonSerializer.Deserialize<OsvRecord>(json, s_options));
    }

    public static OsvRecord Parse(Stream utf8Json) => Validated(JsonSerializer.Deserialize<OsvRecord>(utf8Json, s_options));

    // Explicit JSON nulls ("aliases": null) are read as empty lists so that matching never meets a null.
    private static OsvRecord Validated(OsvRecord? record)
    {
        if (record is null)
        {
            throw new JsonException("the document is 'null', not an OSV record");
        }

        if (string.IsNullOrWhiteSpace(record.Id))
        {
            throw new JsonException("the OSV record has no 'id'");
        }

        if (!HasNulls(record))
        {
            return record;
        }

        return record with
        {
            Aliases = record.Aliases ?? [],
            Severity = [.. (record.Severity ?? []).Where(s => s is not null)],
            Affected = [.. (record.Affected ?? []).Where(a => a is not null).Select(a => a with
            {
                Ranges = [.. (a.Ranges ?? []).Where(r => r is not null).Select(r => r with { Events = [.. (r.Events ?? []).Where(e => e is not null)] })],
                Versions = [.. (a.Versions ?? []).Where(v => v is not null)],
                Severity = [.. (a.Severity ?? []).Where(s => s is not null)],
            })],
        };
    }

    private static bool HasNulls(OsvRecord record)
    {
        if (record.Aliases is null || record.Severity is null || record.Affected is null || record.Severity.Contains(null!))
        {
            return true;
        }

        foreach (var affected in record.Affected)
        {
            if (affected is null || affected.Ranges is null || affected.Versions is null || affected.Severity is null
                || affected.Versions.Contains(null!) || affected.Severity.Contains(null!))
            {
                return true;
            }

            foreach (var range in affected.Ranges)
            {
                if (range is null || range.Events is null || range.Events.Contains(null!))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

public sealed record OsvSeverity
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    [JsonPropertyName("score")]
    public string Score { get; init; } = "";
}

public sealed record OsvAffected
{
    [JsonPropertyName("package")]
    public OsvPackage? Package { get; init; }

    [JsonPropertyName("ranges")]
    public IReadOnlyList<OsvRange> Ranges { get; init; } = [];

    [JsonPropertyName("versions")]
    public IReadOnlyList<string> Versions { get; init; } = [];

    [JsonPropertyName("severity")]
    public IReadOnlyList<OsvSeverity> Severity { get; init; } = [];

    [JsonPropertyName("database_specific")]
    public JsonObject? DatabaseSpecific { get; init; }

    [JsonPropertyName("ecosystem_specific")]
    public JsonObject? EcosystemSpecific { get; init; }
}

public sealed record OsvPackage
{
    [JsonPropertyName("ecosystem")]
    public string Ecosystem { get; init; } = "";

    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("purl")]
    public string? Purl { get; init; }
}

public sealed record OsvRange
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    [JsonPropertyName("repo")]
    public string? Repo { get; init; }

    [JsonPropertyName("events")]
    public IReadOnlyList<OsvEvent> Events { get; init; } = [];
}

/// <summary>One range event; exactly one of the four properties is set.</summary>
public sealed record OsvEvent
{
    [JsonPropertyName("introduced")]
    public string? Introduced { get; init; }

    [JsonPropertyName("fixed")]
    public string? Fixed { get; init; }

    [JsonPropertyName("last_affected")]
    public string? LastAffected { get; init; }

    [JsonPropertyName("limit")]
    public string? Limit { get; init; }
}
