using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Security.Dockerfiles;
using DeployMind.Security.Secrets;

namespace DeployMind.Security.Reports;

/// <summary>Choices of the SARIF output.</summary>
public sealed class SarifOptions
{
    /// <summary>Where the scanned tree is; absolute finding paths under it are made relative. Also sets <c>originalUriBaseIds</c>.</summary>
    public string? SourceRoot { get; set; }

    /// <summary>The artifact a finding with no file (an image's OS package) is reported against.</summary>
    public string DefaultArtifactUri { get; set; } = "Dockerfile";

    public string DeployMindInformationUri { get; set; } = "https://github.com/deploymind/deploymind";
}

/// <summary>
/// SARIF 2.1.0 as GitHub code scanning accepts it: one run per scanner, rules with security-severity, results
/// located by a relative URI under <c>%SRCROOT%</c>. Secrets appear only as their redacted match.
/// </summary>
public static class SarifWriter
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    public const string SarifVersion = "2.1.0";
    public const string SourceRootId = "%SRCROOT%";
    public const string FingerprintKey = "deploymindFindingHash/v1";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string WriteString(IReadOnlyList<ScanReport> reports, SarifOptions? options = null) =>
        Write(reports, options).ToJsonString(s_indented);

    public static JsonObject Write(IReadOnlyList<ScanReport> reports, SarifOptions? options = null)
    {
        options ??= new SarifOptions();
        var runs = new JsonArray();
        foreach (var scanner in reports.GroupBy(r => (r.ScannerName, r.ScannerVersion)))
        {
            runs.Add(Run(scanner.Key.ScannerName, scanner.Key.ScannerVersion, scanner.ToList(), options));
        }

        return new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = SarifVersion,
            ["runs"] = runs,
        };
    }

    /// <summary>GitHub's security-severity: a CVSS-like score as a string.</summary>
    public static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.5",
        Severity.Low => "2.0",
        _ => "0.0",
    };

    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    /// <summary>A relative, '/'-separated, percent-encoded URI; null when the path is outside the source root.</summary>
    public static string? RelativeUri(string path, string? sourceRoot)
    {
        var normalized = path.Replace('\\', '/');
        if (Path.IsPathRooted(path) || normalized.StartsWith('/'))
        {
            if (sourceRoot is null)
            {
                return null;
            }

            var relative = Path.GetRelativePath(sourceRoot, path).Replace('\\', '/');
            if (relative.StartsWith("../", StringComparison.Ordinal) || relative == ".." || Path.IsPathRooted(relative))
            {
                return null;
            }

            normalized = relative;
        }

        while (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }

        var segments = normalized.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".");
        return string.Join('/', segments.Select(Uri.EscapeDataString));
    }

    private static JsonObject Run(string scannerName, string scannerVersion, List<ScanReport> reports, SarifOptions options)
    {
        var findings = reports.SelectMany(r => r.Findings).ToList();
        var ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var rules = new JsonArray();
        foreach (var group in findings.GroupBy(f => f.RuleId, StringComparer.Ordinal))
        {
            ruleIndex[group.Key] = rules.Count;
            rules.Add(Rule(group.Key, group.ToList()));
        }

        var results = new JsonArray();
        foreach (var finding in findings)
        {
            results.Add(Result(finding, ruleIndex[finding.RuleId], options));
        }

        var driver = new JsonObject
        {
            ["name"] = scannerName,
            ["version"] = scannerVersion,
            ["informationUri"] = scannerName == TrivyReportImporter.ScannerName ? "https://github.com/aquasecurity/trivy" : options.DeployMindInformationUri,
            ["rules"] = rules,
        };
        var run = new JsonObject
        {
            ["tool"] = new JsonObject { ["driver"] = driver },
            ["invocations"] = new JsonArray(Invocation(reports.SelectMany(r => r.Problems).ToList(), options)),
            ["results"] = results,
            ["columnKind"] = "utf16CodeUnits",
        };
        if (options.SourceRoot is { } root)
        {
            var uri = new Uri(Path.GetFullPath(root).TrimEnd('/', '\\') + "/").AbsoluteUri;
            run["originalUriBaseIds"] = new JsonObject { [SourceRootId] = new JsonObject { ["uri"] = uri } };
        }

        return run;
    }

    private static JsonObject Rule(string id, List<SecurityFinding> findings)
    {
        var first = findings[0];
        var severity = findings.Max(f => f.Severity);
        var dockerfileRule = first.ScanType == ScanType.Dockerfile ? DockerfileRules.All.FirstOrDefault(r => r.Id == id) : null;
        var secretRule = first.ScanType == ScanType.Secrets ? SecretRules.All.FirstOrDefault(r => r.Id == id) : null;
        var title = dockerfileRule?.Title ?? secretRule?.Title ?? first.Title;
        var description = dockerfileRule?.Description ?? secretRule?.Description ?? RuleDescription(first);
        var fix = dockerfileRule?.Fix ?? secretRule?.Fix ?? RuleFix(first);
        var rule = new JsonObject
        {
            ["id"] = id,
            ["name"] = RuleName(title),
            ["shortDescription"] = new JsonObject { ["text"] = title },
            ["fullDescription"] = new JsonObject { ["text"] = description },
            ["help"] = new JsonObject
            {
                ["text"] = fix,
                ["markdown"] = $"**{EscapeMarkdown(title)}**\n\n{EscapeMarkdown(description)}\n\n**Fix:** {EscapeMarkdown(fix)}",
            },
            ["defaultConfiguration"] = new JsonObject { ["level"] = Level(severity) },
            ["properties"] = new JsonObject
            {
                ["security-severity"] = SecuritySeverity(severity),
                ["tags"] = new JsonArray("security", first.ScanType.ToWire()),
            },
        };
        return rule;
    }

    private static string RuleDescription(SecurityFinding finding) => finding.ScanType switch
    {
        // Descriptions of dependency findings name the installed version; the rule text is about the advisory.
        ScanType.Dependencies => finding.Description is { Length: > 0 } d ? d : $"{finding.RuleId}: {finding.Title}",
        _ => finding.Description ?? finding.Title,
    };

    private static string RuleFix(SecurityFinding finding) => finding.ScanType switch
    {
        ScanType.Dependencies => finding.FixedVersion is { } fixedVersion
            ? $"Upgrade {finding.Package ?? "the package"} to {fixedVersion} or later."
            : "No fixed version is published; replace the package or accept the risk with a time-limited exception.",
        _ => finding.Fix ?? "See the rule description.",
    };

    private static JsonObject Result(SecurityFinding finding, int index, SarifOptions options)
    {
        var result = new JsonObject
        {
            ["ruleId"] = finding.RuleId,
            ["ruleIndex"] = index,
            ["level"] = Level(finding.Severity),
            ["message"] = new JsonObject { ["text"] = Message(finding) },
            ["locations"] = new JsonArray(Location(finding, options)),
            ["partialFingerprints"] = new JsonObject { [FingerprintKey] = FingerprintOf(finding) },
            ["properties"] = new JsonObject { ["severity"] = finding.Severity.ToWire() },
        };
        return result;
    }

    private static string Message(SecurityFinding finding)
    {
        switch (finding.ScanType)
        {
            case ScanType.Dependencies:
                var message = new StringBuilder();
                message.Append(CultureInfo.InvariantCulture, $"{finding.Package ?? "A package"}");
                if (finding.InstalledVersion is { } installed)
                {
                    message.Append(CultureInfo.InvariantCulture, $" {installed}");
                }

                message.Append(CultureInfo.InvariantCulture, $" is affected by {finding.RuleId} ({finding.Severity.ToWire()}): {finding.Title}.");
                message.Append(finding.FixedVersion is { } fixedVersion ? $" Fixed in {fixedVersion}." : " No fixed version is published.");
                if (finding.Fix is { Length: > 0 } fix && finding.FixedVersion is not null)
                {
                    message.Append(CultureInfo.InvariantCulture, $" Fix: {fix}");
                }

                return message.ToString();
            case ScanType.Secrets:
                // Only the redacted match: the secret itself is never written out.
                return finding.RedactedMatch is { } redacted
                    ? $"{finding.Title} ({finding.Severity.ToWire()}): {redacted.Trim()}"
                    : $"{finding.Title} ({finding.Severity.ToWire()})";
            default:
                return finding.Description is { Length: > 0 } description
                    ? $"{finding.Title} ({finding.Severity.ToWire()}): {description}"
                    : $"{finding.Title} ({finding.Severity.ToWire()})";
        }
    }

    private static JsonObject Location(SecurityFinding finding, SarifOptions options)
    {
        var uri = (finding.FilePath is { Length: > 0 } file ? RelativeUri(file, options.SourceRoot) : null)
            ?? RelativeUri(options.DefaultArtifactUri, null) ?? "Dockerfile";
        var startLine = finding.Line is > 0 ? finding.Line.Value : 1;
        var region = new JsonObject { ["startLine"] = startLine };
        if (finding.EndLine is { } end && end >= startLine && finding.Line is > 0)
        {
            region["endLine"] = end;
        }

        return new JsonObject
        {
            ["physicalLocation"] = new JsonObject
            {
                ["artifactLocation"] = new JsonObject { ["uri"] = uri, ["uriBaseId"] = SourceRootId },
                ["region"] = region,
            },
        };
    }

    private static JsonObject Invocation(List<ScanProblem> problems, SarifOptions options)
    {
        var notifications = new JsonArray();
        foreach (var problem in problems)
        {
            var notification = new JsonObject
            {
                ["level"] = "warning",
                ["message"] = new JsonObject { ["text"] = $"{problem.FilePath}: {problem.Message}" },
            };
            if (RelativeUri(problem.FilePath, options.SourceRoot) is { Length: > 0 } uri)
            {
                var region = new JsonObject { ["startLine"] = problem.Line is > 0 ? problem.Line.Value : 1 };
                notification["locations"] = new JsonArray(new JsonObject
                {
                    ["physicalLocation"] = new JsonObject
                    {
                        ["artifactLocation"] = new JsonObject { ["uri"] = uri, ["uriBaseId"] = SourceRootId },
                        ["region"] = region,
                    },
                });
            }

            notifications.Add(notification);
        }

        var invocation = new JsonObject { ["executionSuccessful"] = true };
        if (notifications.Count > 0)
        {
            invocation["toolExecutionNotifications"] = notifications;
        }

        return invocation;
    }

    /// <summary>The finding's own fingerprint when it has one (never secret text), else a hash of rule, file, line and package.</summary>
    private static string FingerprintOf(SecurityFinding finding)
    {
        var identity = finding.Fingerprint
            ?? string.Create(CultureInfo.InvariantCulture, $"{finding.RuleId}|{finding.FilePath}|{finding.Line}|{finding.Package}@{finding.InstalledVersion}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];
    }

    private static string RuleName(string title)
    {
        var name = new StringBuilder();
        var upper = true;
        foreach (var c in title)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                name.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        return name.Length == 0 ? "Finding" : name.ToString();
    }

    private static string EscapeMarkdown(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("*", "\\*", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
