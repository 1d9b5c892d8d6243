using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeployMind.Domain;
using DeployMind.Security.Secrets;

namespace DeployMind.Security.Reports;

/// <summary>A Trivy JSON report that is not valid JSON or not a SchemaVersion 2 report; names the file and position.</summary>
public sealed class TrivyReportException : DeployMindException
{
    public TrivyReportException(string fileName, long? line, long? position, string message, Exception? innerException = null)
        : base(Format(fileName, line, position, message), innerException)
    {
        FileName = fileName;
        Line = line;
        Position = position;
    }

    public string FileName { get; }

    /// <summary>1-based line of the error, when known.</summary>
    public long? Line { get; }

    /// <summary>1-based byte position within the line, when known.</summary>
    public long? Position { get; }

    private static string Format(string fileName, long? line, long? position, string message) =>
        line is null
            ? $"{fileName}: {message}"
            : string.Create(CultureInfo.InvariantCulture, $"{fileName}:{line}:{position}: {message}");
}

/// <summary>
/// Reads a Trivy JSON report (SchemaVersion 2) into the shared findings model: os-pkgs and lang-pkgs
/// vulnerabilities, Dockerfile misconfigurations (FAIL only) and secrets (re-redacted). One report per scan type present.
/// </summary>
public static partial class TrivyReportImporter
{
    public const string ScannerName = "trivy";

    private const int MaxProblems = 50;

    [GeneratedRegex(@"^(?:AVD-)?(?<prefix>[A-Za-z]+)-?(?<number>[0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex CheckIdRegex();

    public static IReadOnlyList<ScanReport> ImportFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrivyReportException(path, null, null, $"could not be read: {e.Message}", e);
        }

        return Import(text, path);
    }

    /// <summary>Parses report text; <paramref name="fileName"/> is used in error messages and problems.</summary>
    public static IReadOnlyList<ScanReport> Import(string json, string fileName, TimeSpan duration = default)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new TrivyReportException(fileName, (e.LineNumber ?? 0) + 1, (e.BytePositionInLine ?? 0) + 1,
                $"not valid JSON ({FirstSentence(e.Message)})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TrivyReportException(fileName, null, null,
                    $"expected a JSON object with SchemaVersion 2 at the top level, found {Describe(root.ValueKind)}; produce it with 'trivy ... --format json'");
            }

            if (!root.TryGetProperty("SchemaVersion", out var schema) || schema.ValueKind != JsonValueKind.Number
                || !schema.TryGetInt32(out var version) || version != 2)
            {
                var found = root.TryGetProperty("SchemaVersion", out var s) ? s.GetRawText() : "none";
                throw new TrivyReportException(fileName, null, null,
                    $"unsupported SchemaVersion {found}; expected 2 (Trivy 0.20 or later with --format json)");
            }

            var context = new ImportContext(fileName, ScannerVersionOf(root));
            if (root.TryGetProperty("Results", out var results))
            {
                if (results.ValueKind == JsonValueKind.Array)
                {
                    var index = 0;
                    foreach (var result in results.EnumerateArray())
                    {
                        ImportResult(result, $"$.Results[{index++}]", context);
                    }
                }
                else if (results.ValueKind != JsonValueKind.Null)
                {
                    throw new TrivyReportException(fileName, null, null, $"$.Results must be an array, found {Describe(results.ValueKind)}");
                }
            }

            return context.Reports(duration);
        }
    }

    private static string ScannerVersionOf(JsonElement root) =>
        root.TryGetProperty("Trivy", out var trivy) && trivy.ValueKind == JsonValueKind.Object && Text(trivy, "Version") is { Length: > 0 } v
            ? v
            : "unknown";

    private static void ImportResult(JsonElement result, string path, ImportContext context)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            context.Problem(null, $"{path} is {Describe(result.ValueKind)}, not an object; skipped");
            return;
        }

        var target = Text(result, "Target") ?? "";
        var resultClass = Text(result, "Class");
        var type = Text(result, "Type");
        switch (resultClass)
        {
            case "os-pkgs":
            case "lang-pkgs":
                foreach (var (item, itemPath) in Items(result, "Vulnerabilities", path, context, ScanType.Dependencies))
                {
                    context.Add(ScanType.Dependencies, Vulnerability(item, itemPath, target, resultClass, type, context));
                }

                break;
            case "config":
                var misconfigurations = Items(result, "Misconfigurations", path, context, ScanType.Dockerfile).ToList();
                if (!string.Equals(type, "dockerfile", StringComparison.OrdinalIgnoreCase))
                {
                    var failed = misconfigurations.Count(m => Text(m.Item, "Status") == "FAIL");
                    if (failed > 0)
                    {
                        context.Problem(ScanType.Dockerfile, $"{path}: {failed} {type ?? "unknown"} misconfigurations in {target} skipped; DeployMind records Dockerfile misconfigurations only");
                    }

                    break;
                }

                foreach (var (item, itemPath) in misconfigurations)
                {
                    if (Text(item, "Status") is "FAIL")
                    {
                        context.Add(ScanType.Dockerfile, Misconfiguration(item, itemPath, target, context));
                    }
                }

                break;
            case "secret":
                foreach (var (item, itemPath) in Items(result, "Secrets", path, context, ScanType.Secrets))
                {
                    context.Add(ScanType.Secrets, Secret(item, itemPath, target, context));
                }

                break;
            default:
                // license and custom classes have no place in the three DeployMind scan types.
                break;
        }
    }

    private static IEnumerable<(JsonElement Item, string Path)> Items(JsonElement result, string name, string path, ImportContext context, ScanType scanType)
    {
        if (!result.TryGetProperty(name, out var items) || items.ValueKind == JsonValueKind.Null)
        {
            context.Touch(scanType);
            yield break;
        }

        context.Touch(scanType);
        if (items.ValueKind != JsonValueKind.Array)
        {
            context.Problem(scanType, $"{path}.{name} must be an array, found {Describe(items.ValueKind)}; skipped");
            yield break;
        }

        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var itemPath = $"{path}.{name}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                context.Problem(scanType, $"{itemPath} is {Describe(item.ValueKind)}, not an object; skipped");
                continue;
            }

            yield return (item, itemPath);
        }
    }

    private static SecurityFinding? Vulnerability(JsonElement item, string path, string target, string resultClass, string? type, ImportContext context)
    {
        var id = Text(item, "VulnerabilityID");
        var package = Text(item, "PkgName");
        if (id is null || package is null)
        {
            context.Problem(ScanType.Dependencies, $"{path}: VulnerabilityID or PkgName missing; skipped");
            return null;
        }

        var installed = Text(item, "InstalledVersion");
        var fixedVersion = NullIfEmpty(Text(item, "FixedVersion"));
        var description = new StringBuilder(Text(item, "Description")?.Trim() ?? "");
        if (BestCvss(item) is { } cvss)
        {
            Append(description, string.Create(CultureInfo.InvariantCulture, $"CVSS v3 {cvss.Score:0.0} ({cvss.Source}{(cvss.Vector is null ? "" : ", " + cvss.Vector)})."));
        }

        if (Text(item, "Status") is { Length: > 0 } status)
        {
            Append(description, $"Status: {status}.");
        }

        if (Text(item, "PrimaryURL") is { Length: > 0 } url)
        {
            Append(description, $"More: {url}");
        }

        // os-pkgs targets name an image or OS ("alpine:3.19 (alpine 3.19.1)"), not a file of the source tree.
        var filePath = resultClass == "lang-pkgs" && target.Length > 0 ? target : null;
        var aliases = Strings(item, "VendorIDs").Where(a => !string.Equals(a, id, StringComparison.Ordinal)).ToList();
        return new SecurityFinding
        {
            ScanType = ScanType.Dependencies,
            RuleId = id,
            Title = Text(item, "Title") is { Length: > 0 } title ? title : $"{id} in {package}",
            Severity = SeverityOf(Text(item, "Severity")),
            Description = description.Length == 0 ? null : description.ToString(),
            Fix = fixedVersion is null ? null : UpgradeCommand(type, package, fixedVersion),
            FilePath = filePath,
            Line = Location(item),
            Package = package,
            InstalledVersion = installed,
            FixedVersion = fixedVersion,
            Ecosystem = type,
            Aliases = aliases,
            Fingerprint = $"{id}:{target}:{type}:{package}@{installed}",
        };
    }

    private static SecurityFinding? Misconfiguration(JsonElement item, string path, string target, ImportContext context)
    {
        var rawId = Text(item, "ID") ?? Text(item, "AVDID");
        if (rawId is null)
        {
            context.Problem(ScanType.Dockerfile, $"{path}: ID missing; skipped");
            return null;
        }

        var id = NormalizeCheckId(rawId);
        int? start = null, end = null;
        if (item.TryGetProperty("CauseMetadata", out var cause) && cause.ValueKind == JsonValueKind.Object)
        {
            start = PositiveInt(cause, "StartLine");
            end = PositiveInt(cause, "EndLine");
        }

        var message = Text(item, "Message");
        var description = Text(item, "Description");
        return new SecurityFinding
        {
            ScanType = ScanType.Dockerfile,
            RuleId = id,
            Title = Text(item, "Title") ?? id,
            Severity = SeverityOf(Text(item, "Severity")),
            Description = (message, description) switch
            {
                (null, null) => null,
                ({ } m, null) => m,
                (null, { } d) => d,
                ({ } m, { } d) => $"{m}. {d}",
            },
            Fix = Text(item, "Resolution"),
            FilePath = target.Length > 0 ? target : "Dockerfile",
            Line = start,
            EndLine = end ?? start,
            Fingerprint = string.Create(CultureInfo.InvariantCulture, $"{id}:{target}:{start}"),
        };
    }

    private static SecurityFinding? Secret(JsonElement item, string path, string target, ImportContext context)
    {
        var ruleId = Text(item, "RuleID");
        if (ruleId is null)
        {
            context.Problem(ScanType.Secrets, $"{path}: RuleID missing; skipped");
            return null;
        }

        var match = Text(item, "Match");
        var line = PositiveInt(item, "StartLine");
        var redacted = match is null ? null : Redact(match);
        var category = Text(item, "Category");
        var rule = SecretRules.All.FirstOrDefault(r => string.Equals(r.Id, ruleId, StringComparison.OrdinalIgnoreCase)) ?? SecretRules.All[0];
        var title = Text(item, "Title") ?? ruleId;
        return new SecurityFinding
        {
            ScanType = ScanType.Secrets,
            RuleId = ruleId,
            Title = title,
            Severity = SeverityOf(Text(item, "Severity")),
            Description = category is null ? $"A {title} in source code is readable by anyone with access to the repository." : $"{category}: a {title} in source code is readable by anyone with access to the repository.",
            Fix = rule.Fix,
            FilePath = target,
            Line = line,
            EndLine = PositiveInt(item, "EndLine") ?? line,
            RedactedMatch = redacted,
            // Hash of what Trivy reported (already masked by Trivy) with the line: stable, and never the text itself.
            Fingerprint = SecretText.Fingerprint(ruleId, target, string.Create(CultureInfo.InvariantCulture, $"{line}:{match}")),
        };
    }

    /// <summary>DS002, DS-0002 and AVD-DS-0002 all become DS-0002.</summary>
    public static string NormalizeCheckId(string id)
    {
        var match = CheckIdRegex().Match(id.Trim());
        if (!match.Success)
        {
            return id.Trim();
        }

        var number = int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{match.Groups["prefix"].Value.ToUpperInvariant()}-{number:D4}");
    }

    /// <summary>
    /// Trivy masks secrets with '*', but its output is not trusted: the secret part keeps at most its first 4
    /// characters. The secret part is the token holding the first '*'; without one, the whole value after the first
    /// '=' or ':' (up to its closing quote or a trailing comment), else the whole match. Too much masked beats a leak.
    /// </summary>
    public static string Redact(string match)
    {
        int start, end;
        var star = match.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0)
        {
            start = star;
            while (start > 0 && !IsSeparator(match[start - 1]))
            {
                start--;
            }

            end = star;
            while (end < match.Length && !IsSeparator(match[end]))
            {
                end++;
            }
        }
        else
        {
            var assign = match.IndexOfAny(['=', ':']);
            start = assign < 0 ? 0 : assign + 1;
            while (start < match.Length && char.IsWhiteSpace(match[start]))
            {
                start++;
            }

            char? quote = start < match.Length && match[start] is '"' or '\'' or '`' ? match[start] : null;
            if (quote is not null)
            {
                start++;
            }

            end = quote is { } q ? match.IndexOf(q, start) : ValueEnd(match, start);
            if (end < 0)
            {
                end = match.Length;
            }
        }

        return end <= start ? match : string.Concat(match.AsSpan(0, start), SecretText.Redact(match[start..end]), match.AsSpan(end));
    }

    private static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is '"' or '\'' or '`' or '=' or ':' or ',' or ';' or '(' or ')' or '[' or ']' or '{' or '}' or '<' or '>';

    // An unquoted value runs to the end of the match, short of a trailing " #" or " //" comment and trailing space.
    private static int ValueEnd(string match, int start)
    {
        var end = match.Length;
        foreach (var comment in new[] { " #", " //" })
        {
            var at = match.IndexOf(comment, start, StringComparison.Ordinal);
            if (at >= 0 && at < end)
            {
                end = at;
            }
        }

        while (end > start && char.IsWhiteSpace(match[end - 1]))
        {
            end--;
        }

        return end;
    }

    private static string UpgradeCommand(string? type, string package, string fixedVersion)
    {
        // Trivy may list several fixed versions ("1.2.5, 2.0.1"); the first is the smallest step.
        var first = fixedVersion.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? fixedVersion;
        return type switch
        {
            "npm" => $"npm install {package}@{first}",
            "yarn" => $"yarn upgrade {package}@{first}",
            "pnpm" => $"pnpm update {package}@{first}",
            "pip" or "pipenv" => $"pip install '{package}>={first}'",
            "poetry" => $"poetry add '{package}>={first}'",
            "uv" => $"uv add '{package}>={first}'",
            "gomod" or "gobinary" => $"go get {package}@{(first.StartsWith('v') ? first : "v" + first)}",
            "cargo" => $"cargo update -p {package} --precise {first}",
            "bundler" => $"bundle update {package}",
            "composer" => $"composer require {package}:^{first}",
            "nuget" or "dotnet-core" or "packages-props" => $"dotnet add package {package} --version {first}",
            "pom" or "gradle" or "jar" => $"set {package} to version {first} in the build file",
            "debian" or "ubuntu" => $"RUN apt-get update && apt-get install -y --only-upgrade {package} (fixed in {first}), or move to a newer base image",
            "alpine" or "wolfi" or "chainguard" => $"RUN apk upgrade --no-cache {package} (fixed in {first}), or move to a newer base image",
            "redhat" or "centos" or "rocky" or "alma" or "amazon" or "oracle" or "fedora" => $"RUN dnf upgrade -y {package} (fixed in {first}), or move to a newer base image",
            _ => $"upgrade {package} to {first}",
        };
    }

    private static (double Score, string Source, string? Vector)? BestCvss(JsonElement item)
    {
        if (!item.TryGetProperty("CVSS", out var cvss) || cvss.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        (double Score, string Source, string? Vector)? best = null;
        foreach (var source in cvss.EnumerateObject())
        {
            if (source.Value.ValueKind == JsonValueKind.Object && source.Value.TryGetProperty("V3Score", out var score)
                && score.ValueKind == JsonValueKind.Number && score.TryGetDouble(out var value)
                && (best is null || value > best.Value.Score))
            {
                best = (value, source.Name, Text(source.Value, "V3Vector"));
            }
        }

        return best;
    }

    private static int? Location(JsonElement item)
    {
        if (item.TryGetProperty("PkgIdentifier", out _) && item.TryGetProperty("Locations", out var locations)
            && locations.ValueKind == JsonValueKind.Array && locations.GetArrayLength() > 0 && locations[0].ValueKind == JsonValueKind.Object)
        {
            return PositiveInt(locations[0], "StartLine");
        }

        return null;
    }

    private static Severity SeverityOf(string? text) =>
        WireValues.TryParse<Severity>(text, out var severity) ? severity : Severity.Unknown;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? PositiveInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n > 0 ? n : null;

    private static IEnumerable<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)
            : [];

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static void Append(StringBuilder builder, string text)
    {
        if (builder.Length > 0)
        {
            builder.Append(builder[^1] is '.' or '!' or '?' ? " " : ". ");
        }

        builder.Append(text);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }

    private sealed class ImportContext(string fileName, string scannerVersion)
    {
        private readonly Dictionary<ScanType, List<SecurityFinding>> _findings = [];
        private readonly Dictionary<ScanType, List<ScanProblem>> _problems = [];
        private readonly List<ScanProblem> _general = [];
        private int _problemCount;

        public void Touch(ScanType scanType)
        {
            if (!_findings.ContainsKey(scanType))
            {
                _findings[scanType] = [];
            }
        }

        public void Add(ScanType scanType, SecurityFinding? finding)
        {
            Touch(scanType);
            if (finding is not null)
            {
                _findings[scanType].Add(finding);
            }
        }

        public void Problem(ScanType? scanType, string message)
        {
            if (++_problemCount > MaxProblems)
            {
                return;
            }

            var problem = new ScanProblem(fileName, null, _problemCount == MaxProblems ? message + $" (further problems of {fileName} not listed)" : message);
            if (scanType is { } type)
            {
                Touch(type);
                if (!_problems.TryGetValue(type, out var list))
                {
                    _problems[type] = list = [];
                }

                list.Add(problem);
            }
            else
            {
                _general.Add(problem);
            }
        }

        public IReadOnlyList<ScanReport> Reports(TimeSpan duration)
        {
            var reports = _findings.OrderBy(p => p.Key).Select(p => new ScanReport
            {
                ScanType = p.Key,
                ScannerName = ScannerName,
                ScannerVersion = scannerVersion,
                Findings = p.Value,
                Problems = [.. _problems.GetValueOrDefault(p.Key) ?? [], .. _general],
                Duration = duration,
            }).ToList();
            if (reports.Count == 0 && _general.Count > 0)
            {
                // Nothing usable at all: keep the problems visible on a dependencies report rather than lose them.
                reports.Add(new ScanReport { ScanType = ScanType.Dependencies, ScannerName = ScannerName, ScannerVersion = scannerVersion, Findings = [], Problems = _general, Duration = duration });
            }

            return reports;
        }
    }
}
