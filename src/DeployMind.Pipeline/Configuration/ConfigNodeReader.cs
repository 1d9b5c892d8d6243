using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Domain;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployMind.Pipeline.Configuration;

/// <summary>
/// Reads typed values out of YAML nodes and records a <see cref="ConfigProblem"/> (with the node's
/// position and dotted key) for each one that is missing, mistyped or out of range, instead of
/// stopping at the first.
/// </summary>
internal sealed partial class ConfigNodeReader(string file)
{
    private readonly List<ConfigProblem> _problems = [];

    public string File { get; } = file;

    public IReadOnlyList<ConfigProblem> Problems => _problems;

    public void Report(Mark at, string key, string message, string fix) =>
        _problems.Add(new ConfigProblem(File, (int)at.Line, (int)at.Column, key, message, fix));

    public void Report(YamlNode at, string key, string message, string fix) => Report(at.Start, key, message, fix);

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static bool IsNull(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>How a node looks, for "expected X, got Y" messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping (key: value pairs)",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"'{Shorten(scalar.Value ?? "")}'",
        _ => "an unsupported YAML node",
    };

    public static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    public static bool IsEnvironmentName(string? name) => name is not null && EnvironmentName().IsMatch(name);

    public ConfigMapping? Mapping(YamlNode node, string path, IReadOnlyList<string> knownKeys)
    {
        if (node is YamlMappingNode mapping)
        {
            return new ConfigMapping(this, mapping, path, knownKeys);
        }

        Report(node, path, $"expected a mapping (key: value pairs), got {Describe(node)}",
            $"write {path} as indented 'key: value' lines; allowed keys: {string.Join(", ", knownKeys)}");
        return null;
    }

    public string? Text(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }

        Report(node, path, $"expected a text value, got {Describe(node)}", "write a single value on the same line as the key");
        return null;
    }

    public int? Int(YamlNode node, string path, int min, int max)
    {
        if (node is YamlScalarNode { Value: { } text }
            && int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }

        var range = max == int.MaxValue ? $"of at least {min}" : $"from {min} to {max}";
        Report(node, path, $"expected a whole number {range}, got {Describe(node)}", $"write a whole number {range}, without quotes or units");
        return null;
    }

    public double? Number(YamlNode node, string path, double min, double max)
    {
        if (node is YamlScalarNode { Value: { } text }
            && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }

        var range = string.Create(CultureInfo.InvariantCulture, $"from {min} to {max}");
        Report(node, path, $"expected a number {range}, got {Describe(node)}", $"write a number {range}, e.g. {min.ToString("0.0", CultureInfo.InvariantCulture)}");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text.Trim(), out var value))
        {
            return value;
        }

        Report(node, path, $"expected true or false, got {Describe(node)}", "write true or false");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string path, TimeSpan min, TimeSpan max)
    {
        if (node is YamlScalarNode { Value: { } text } && Configuration.Duration.TryParse(text, out var value)
            && value >= min && value <= max)
        {
            return value;
        }

        Report(node, path,
            $"expected a duration from {Configuration.Duration.Format(min)} to {Configuration.Duration.Format(max)}, got {Describe(node)}",
            $"write {Configuration.Duration.Form}");
        return null;
    }

    public T? Enum<T>(YamlNode node, string path) where T : struct, System.Enum
    {
        if (node is YamlScalarNode { Value: { } text } && WireValues.TryParse<T>(text, out var value))
        {
            return value;
        }

        var allowed = string.Join(", ", WireValues.AllOf<T>());
        Report(node, path, $"expected one of {allowed}, got {Describe(node)}", $"use one of: {allowed}");
        return null;
    }

    /// <summary>A list of plain text items (a command's arguments, ids).</summary>
    public List<string>? TextList(YamlNode node, string path, string listExample)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Report(node, path, $"expected a list, got {Describe(node)}", $"write it in list form, e.g. {listExample}");
            return null;
        }

        var items = new List<string>();
        var ok = true;
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            if (item is YamlScalarNode { Value: { Length: > 0 } text })
            {
                items.Add(text);
            }
            else
            {
                ok = false;
                Report(item, $"{path}[{i}]", $"expected a non-empty text item, got {Describe(item)}", $"write each item as text, e.g. {listExample}");
            }
        }

        return ok ? items : null;
    }

    /// <summary>A mapping of names to plain values (env, build args, headers, base images).</summary>
    public Dictionary<string, string> TextMap(YamlNode node, string path, Func<string, bool> isValidKey, string keyRule,
        Func<string, string, bool>? isValidValue = null, string? valueRule = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            Report(node, path, $"expected a mapping of names to values, got {Describe(node)}", "write one 'NAME: value' pair per line");
            return result;
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (KeyText(keyNode, path) is not { } key)
            {
                continue;
            }

            var keyPath = Join(path, key);
            if (!isValidKey(key))
            {
                Report(keyNode, keyPath, $"'{Shorten(key)}' is not a valid name here", $"use {keyRule}");
                continue;
            }

            if (IsNull(valueNode))
            {
                Report(valueNode, keyPath, "has no value", $"write a value after '{key}:' (\"\" for an empty one), or remove the line");
                continue;
            }

            if (valueNode is YamlMappingNode reference && reference.Children.Keys.OfType<YamlScalarNode>()
                    .Any(k => k.Value is "env" or "file"))
            {
                Report(valueNode, keyPath, "looks like a secret reference, but this section holds plain values",
                    $"move '{key}' to the matching secrets section");
                continue;
            }

            if (Text(valueNode, keyPath) is not { } value)
            {
                continue;
            }

            if (isValidValue is not null && !isValidValue(key, value))
            {
                Report(valueNode, keyPath, $"'{Shorten(value)}' is not valid here", $"use {valueRule}");
                continue;
            }

            result[key] = value;
        }

        return result;
    }

    /// <summary>
    /// A secret reference: <c>{ env: NAME }</c> or <c>{ file: PATH }</c>. A literal value is refused
    /// without repeating it, since repeating it would print the secret.
    /// </summary>
    public SecretReference? Secret(YamlNode node, string path)
    {
        const string Fix = "write { env: NAME } to read it from an environment variable or { file: PATH } to read it from a file";
        if (node is YamlScalarNode { Value: { } written } && ShellVariable().Match(written.Trim()) is { Success: true } variable)
        {
            // Safe to repeat: it is a variable name, not a value.
            var name = variable.Groups[1].Value;
            Report(node, path, $"'{written.Trim()}' is not expanded in this file", $"write {{ env: {name} }} to read the secret from {name}");
            return null;
        }

        if (node is YamlScalarNode)
        {
            Report(node, path, "is an inline value, but secrets must be references so their values never sit in the file",
                $"{Fix}; then remove the value from this file and its git history, and rotate it");
            return null;
        }

        if (node is not YamlMappingNode)
        {
            Report(node, path, $"expected a secret reference, got {Describe(node)}", Fix);
            return null;
        }

        var mapping = Mapping(node, path, ["env", "file"])!;
        var envNode = mapping.Value("env");
        var fileNode = mapping.Value("file");
        if ((envNode is null) == (fileNode is null))
        {
            Report(node, path, envNode is null ? "names neither env nor file" : "names both env and file", $"keep exactly one: {Fix}");
            return null;
        }

        var at = new ConfigLocation(File, (int)node.Start.Line, (int)node.Start.Column, path);
        if (envNode is not null)
        {
            var name = envNode is YamlScalarNode { Value: { } envText } ? envText.Trim() : null;
            if (!IsEnvironmentName(name))
            {
                // Not echoed: a value that is not a variable name may well be the secret itself.
                Report(envNode, Join(path, "env"), "is not an environment variable name",
                    "write the NAME of the variable that holds the secret (letters, digits and '_', not starting with a digit), e.g. { env: DATABASE_URL }");
                return null;
            }

            return new SecretReference { Env = name, DeclaredAt = at };
        }

        var file = Text(fileNode!, Join(path, "file"));
        if (string.IsNullOrWhiteSpace(file))
        {
            if (file is not null)
            {
                Report(fileNode!, Join(path, "file"), "is empty", "write the path of the file that holds the secret");
            }

            return null;
        }

        return new SecretReference { File = file.Trim(), DeclaredAt = at };
    }

    public Dictionary<string, SecretReference> SecretMap(YamlNode node, string path, string keyRule)
    {
        var result = new Dictionary<string, SecretReference>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            Report(node, path, $"expected a mapping of names to secret references, got {Describe(node)}",
                "write one 'NAME: { env: VARIABLE }' or 'NAME: { file: PATH }' per line");
            return result;
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (KeyText(keyNode, path) is not { } key)
            {
                continue;
            }

            var keyPath = Join(path, key);
            if (!IsEnvironmentName(key))
            {
                Report(keyNode, keyPath, $"'{Shorten(key)}' is not a valid name here", $"use {keyRule}");
                continue;
            }

            if (IsNull(valueNode))
            {
                Report(valueNode, keyPath, "has no secret reference", $"write {key}: {{ env: VARIABLE }} or {key}: {{ file: PATH }}");
                continue;
            }

            if (Secret(valueNode, keyPath) is { } reference)
            {
                result[key] = reference;
            }
        }

        return result;
    }

    public string? KeyText(YamlNode keyNode, string path)
    {
        if (keyNode is YamlScalarNode { Value: { Length: > 0 } key })
        {
            return key;
        }

        Report(keyNode, path, $"expected a plain name as key, got {Describe(keyNode)}", "use a plain word as the key");
        return null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentName();

    [GeneratedRegex(@"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$", RegexOptions.CultureInvariant)]
    private static partial Regex ShellVariable();
}

/// <summary>A YAML mapping whose keys have been checked against the ones a section allows.</summary>
internal sealed class ConfigMapping
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public ConfigMapping(ConfigNodeReader reader, YamlMappingNode node, string path, IReadOnlyList<string> knownKeys)
    {
        Node = node;
        Path = path;
        foreach (var (keyNode, valueNode) in node.Children)
        {
            if (reader.KeyText(keyNode, path) is not { } key)
            {
                continue;
            }

            if (knownKeys.Contains(key))
            {
                _entries[key] = ((YamlScalarNode)keyNode, valueNode);
                continue;
            }

            var keyPath = ConfigNodeReader.Join(path, key);
            var shown = ConfigNodeReader.Shorten(key);
            if (KeySuggestion.Closest(key, knownKeys) is { } suggestion)
            {
                reader.Report(keyNode, keyPath, $"unknown key '{shown}'; did you mean '{suggestion}'?",
                    $"rename '{shown}' to '{suggestion}'");
            }
            else
            {
                reader.Report(keyNode, keyPath, $"unknown key '{shown}'",
                    $"remove it; keys allowed {(path.Length == 0 ? "at the top level" : $"in {path}")}: {string.Join(", ", knownKeys)}");
            }
        }
    }

    public YamlMappingNode Node { get; }

    public string Path { get; }

    public string KeyPath(string key) => ConfigNodeReader.Join(Path, key);

    /// <summary>The value of <paramref name="key"/>, or null when the key is absent or has no value.</summary>
    public YamlNode? Value(string key) =>
        _entries.TryGetValue(key, out var entry) && !ConfigNodeReader.IsNull(entry.Value) ? entry.Value : null;

    public YamlScalarNode? KeyNode(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key : null;

    /// <summary>The keys present (with or without a value), in file order.</summary>
    public IEnumerable<string> PresentKeys => _entries.Keys;
}
