using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.AdminApi;

/// <summary>A parsed and validated backend set, or every problem found in it.</summary>
internal sealed record BackendSetInput(IReadOnlyList<ProxyBackend> Backends, double? DrainTimeoutSeconds, Dictionary<string, List<string>> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>Reads <c>PUT /admin/backends</c> bodies: <c>{"backends":[{id,url,weight}], "drainTimeoutSeconds":N}</c>
/// or a bare array of backends. Lists every problem, by field, instead of stopping at the first.</summary>
internal static partial class BackendSetParser
{
    public const int MaxBackends = 64;
    public const int MaxWeight = 100;
    public const double MaxDrainTimeoutSeconds = 3600;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")]
    private static partial Regex IdPattern();

    public static BackendSetInput Parse(string json)
    {
        var errors = new Dictionary<string, List<string>>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            Add(errors, "body", $"not valid JSON: {ex.Message}");
            return new BackendSetInput([], null, errors);
        }
        using (doc)
        {
            var root = doc.RootElement;
            JsonElement? list = null;
            double? drain = null;
            if (root.ValueKind == JsonValueKind.Array)
            {
                list = root;
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in root.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "backends":
                            if (property.Value.ValueKind == JsonValueKind.Array)
                            {
                                list = property.Value;
                            }
                            else
                            {
                                Add(errors, "backends", "must be an array of {id, url, weight}");
                                list = default(JsonElement);
                            }
                            break;
                        case "drainTimeoutSeconds":
                            if (property.Value.ValueKind == JsonValueKind.Null)
                            {
                                break;
                            }
                            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var d))
                            {
                                Add(errors, "drainTimeoutSeconds", "must be a number of seconds");
                            }
                            else
                            {
                                drain = d;
                                ValidateDrain(errors, d);
                            }
                            break;
                        default:
                            Add(errors, property.Name, "unknown property (expected backends, drainTimeoutSeconds)");
                            break;
                    }
                }
                if (list is null)
                {
                    Add(errors, "backends", "is required (an array of {id, url, weight}; [] removes every backend)");
                }
            }
            else
            {
                Add(errors, "body", "must be an object {\"backends\": [...], \"drainTimeoutSeconds\": N} or an array of backends");
            }

            var backends = new List<ProxyBackend>();
            if (list is { ValueKind: JsonValueKind.Array } array)
            {
                backends = ParseBackends(array, errors);
            }
            return new BackendSetInput(backends, drain, errors);
        }
    }

    /// <summary>Checks a drain timeout given as a query parameter.</summary>
    public static double? ParseDrainQuery(string? value, Dictionary<string, List<string>> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            Add(errors, "drainTimeoutSeconds", "must be a number of seconds");
            return null;
        }
        ValidateDrain(errors, d);
        return d;
    }

    private static void ValidateDrain(Dictionary<string, List<string>> errors, double d)
    {
        if (double.IsNaN(d) || d < 0 || d > MaxDrainTimeoutSeconds)
        {
            Add(errors, "drainTimeoutSeconds", $"must be between 0 and {MaxDrainTimeoutSeconds:0} seconds");
        }
    }

    private static List<ProxyBackend> ParseBackends(JsonElement array, Dictionary<string, List<string>> errors)
    {
        var result = new List<ProxyBackend>();
        var count = array.GetArrayLength();
        if (count > MaxBackends)
        {
            Add(errors, "backends", $"has {count} entries; at most {MaxBackends} are allowed");
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"backends[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                Add(errors, at, "must be an object {id, url, weight}");
                index++;
                continue;
            }
            string? id = null, url = null;
            int? weight = null;
            bool hasId = false, hasUrl = false, hasWeight = false;
            foreach (var property in item.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "id":
                        hasId = true;
                        id = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                        if (id is null)
                        {
                            Add(errors, $"{at}.id", "must be a string");
                        }
                        break;
                    case "url":
                        hasUrl = true;
                        url = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                        if (url is null)
                        {
                            Add(errors, $"{at}.url", "must be a string");
                        }
                        break;
                    case "weight":
                        hasWeight = true;
                        if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var w))
                        {
                            weight = w;
                        }
                        else
                        {
                            Add(errors, $"{at}.weight", "must be a whole number from 0 to 100");
                        }
                        break;
                    default:
                        Add(errors, $"{at}.{property.Name}", "unknown property (expected id, url, weight)");
                        break;
                }
            }
            if (!hasId)
            {
                Add(errors, $"{at}.id", "is required");
            }
            if (!hasUrl)
            {
                Add(errors, $"{at}.url", "is required");
            }
            if (!hasWeight)
            {
                Add(errors, $"{at}.weight", "is required (0..100)");
            }
            if (id is not null)
            {
                if (!IdPattern().IsMatch(id))
                {
                    Add(errors, $"{at}.id", "must be 1-100 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
                }
                else if (seen.TryGetValue(id, out var first))
                {
                    Add(errors, $"{at}.id", $"'{id}' is already used by backends[{first}]");
                }
                else
                {
                    seen[id] = index;
                }
            }
            string? normalized = null;
            if (url is not null)
            {
                normalized = ValidateUrl(url, $"{at}.url", errors);
            }
            if (weight is { } value && (value < 0 || value > MaxWeight))
            {
                Add(errors, $"{at}.weight", $"is {value}; must be from 0 to {MaxWeight}");
            }
            if (id is not null && normalized is not null && weight is { } ok && ok is >= 0 and <= MaxWeight)
            {
                result.Add(new ProxyBackend(id, normalized, ok));
            }
            index++;
        }
        return result;
    }

    /// <summary>Returns the URL normalized (scheme://host:port/path/), or null after recording the problem.</summary>
    internal static string? ValidateUrl(string url, string field, Dictionary<string, List<string>> errors)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            Add(errors, field, $"'{url}' is not an absolute URL (expected e.g. http://127.0.0.1:5001)");
            return null;
        }
        var ok = true;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            Add(errors, field, $"scheme '{uri.Scheme}' is not supported; use http or https");
            ok = false;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            Add(errors, field, "must not contain credentials");
            ok = false;
        }
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            Add(errors, field, "must not have a query or fragment");
            ok = false;
        }
        return ok ? uri.GetLeftPart(UriPartial.Path) : null;
    }

    internal static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(message);
    }
}
