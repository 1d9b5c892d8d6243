using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeployMind.Security.Tests.Reports;

/// <summary>
/// The SARIF 2.1.0 constraints a log must meet for GitHub code scanning, checked by hand (the official schema
/// cannot be fetched here): required members, enumerations, no unknown members on the objects the schema closes
/// (additionalProperties: false), rule references, relative artifact URIs and 1-based regions.
/// </summary>
internal static class SarifValidator
{
    private static readonly string[] s_levels = ["none", "note", "warning", "error"];

    private static readonly Dictionary<string, string[]> s_allowed = new()
    {
        ["log"] = ["$schema", "version", "runs", "inlineExternalProperties", "properties"],
        ["run"] = ["tool", "invocations", "conversion", "language", "versionControlProvenance", "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results", "automationDetails", "runAggregates", "baselineGuid", "redactionTokens", "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind", "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses", "translations", "policies", "webRequests", "webResponses", "specialLocations", "properties"],
        ["driver"] = ["name", "guid", "product", "productSuite", "shortDescription", "fullDescription", "fullName", "version", "semanticVersion", "dottedQuadFileVersion", "releaseDateUtc", "downloadUri", "informationUri", "organization", "globalMessageStrings", "notifications", "rules", "taxa", "locations", "language", "contents", "isComprehensive", "localizedDataSemanticVersion", "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent", "translationMetadata", "supportedTaxonomies", "properties"],
        ["rule"] = ["id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames", "shortDescription", "fullDescription", "messageStrings", "defaultConfiguration", "helpUri", "help", "relationships", "properties"],
        ["result"] = ["ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations", "guid", "correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints", "stacks", "codeFlows", "graphs", "graphTraversals", "relatedLocations", "suppressions", "baselineState", "rank", "attachments", "hostedViewerUri", "workItemUris", "provenance", "fixes", "taxa", "webRequest", "webResponse", "properties"],
        ["location"] = ["id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"],
        ["physicalLocation"] = ["address", "artifactLocation", "region", "contextRegion", "properties"],
        ["artifactLocation"] = ["uri", "uriBaseId", "index", "description", "properties"],
        ["region"] = ["startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength", "byteOffset", "byteLength", "snippet", "message", "sourceLanguage", "properties"],
        ["invocation"] = ["commandLine", "arguments", "responseFiles", "startTimeUtc", "endTimeUtc", "exitCode", "ruleConfigurationOverrides", "notificationConfigurationOverrides", "toolExecutionNotifications", "toolConfigurationNotifications", "exitCodeDescription", "exitSignalName", "exitSignalNumber", "processStartFailureMessage", "executionSuccessful", "machine", "account", "processId", "executableLocation", "workingDirectory", "environmentVariables", "stdin", "stdout", "stderr", "stdoutStderr", "properties"],
        ["message"] = ["text", "markdown", "id", "arguments", "properties"],
    };

    public static IReadOnlyList<string> Validate(JsonNode? log)
    {
        var errors = new List<string>();
        if (log is not JsonObject root)
        {
            return ["the log is not a JSON object"];
        }

        Members(root, "log", "$", errors);
        if (root["version"]?.GetValueKind() != JsonValueKind.String || root["version"]!.GetValue<string>() != "2.1.0")
        {
            errors.Add("$.version must be \"2.1.0\"");
        }

        if (root["$schema"] is { } schema && (schema.GetValueKind() != JsonValueKind.String || !Uri.IsWellFormedUriString(schema.GetValue<string>(), UriKind.Absolute)))
        {
            errors.Add("$.$schema must be an absolute URI");
        }

        if (root["runs"] is not JsonArray runs)
        {
            errors.Add("$.runs must be an array");
            return errors;
        }

        for (var r = 0; r < runs.Count; r++)
        {
            ValidateRun(runs[r], $"$.runs[{r}]", errors);
        }

        return errors;
    }

    private static void ValidateRun(JsonNode? node, string path, List<string> errors)
    {
        if (node is not JsonObject run)
        {
            errors.Add($"{path} must be an object");
            return;
        }

        Members(run, "run", path, errors);
        if (run["tool"]?["driver"] is not JsonObject driver)
        {
            errors.Add($"{path}.tool.driver is required");
            return;
        }

        Members(driver, "driver", $"{path}.tool.driver", errors);
        RequireString(driver, "name", $"{path}.tool.driver", errors);
        if (driver["informationUri"] is { } info && !Uri.IsWellFormedUriString(info.GetValue<string>(), UriKind.Absolute))
        {
            errors.Add($"{path}.tool.driver.informationUri must be an absolute URI");
        }

        var ruleIds = new List<string>();
        if (driver["rules"] is JsonArray rules)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var rulePath = $"{path}.tool.driver.rules[{i}]";
                if (rules[i] is not JsonObject rule)
                {
                    errors.Add($"{rulePath} must be an object");
                    continue;
                }

                Members(rule, "rule", rulePath, errors);
                var id = RequireString(rule, "id", rulePath, errors);
                if (id is not null && ruleIds.Contains(id))
                {
                    errors.Add($"{rulePath}.id '{id}' is not unique");
                }

                ruleIds.Add(id ?? "");
                foreach (var text in new[] { "shortDescription", "fullDescription", "help" })
                {
                    if (rule[text] is { } message)
                    {
                        ValidateMessage(message, $"{rulePath}.{text}", errors);
                    }
                }

                if (rule["defaultConfiguration"]?["level"] is { } level && !s_levels.Contains(level.GetValue<string>()))
                {
                    errors.Add($"{rulePath}.defaultConfiguration.level '{level}' is not a SARIF level");
                }

                if (rule["properties"]?["security-severity"] is { } severity)
                {
                    if (severity.GetValueKind() != JsonValueKind.String
                        || !double.TryParse(severity.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var score) || score is < 0 or > 10)
                    {
                        errors.Add($"{rulePath}.properties.security-severity must be a numeric string from 0 to 10");
                    }
                }

                if (rule["properties"]?["tags"] is { } tags && (tags is not JsonArray tagArray || tagArray.Any(t => t?.GetValueKind() != JsonValueKind.String)))
                {
                    errors.Add($"{rulePath}.properties.tags must be an array of strings");
                }
            }
        }

        if (run["invocations"] is JsonArray invocations)
        {
            for (var i = 0; i < invocations.Count; i++)
            {
                var invocationPath = $"{path}.invocations[{i}]";
                if (invocations[i] is not JsonObject invocation)
                {
                    errors.Add($"{invocationPath} must be an object");
                    continue;
                }

                Members(invocation, "invocation", invocationPath, errors);
                if (invocation["executionSuccessful"]?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add($"{invocationPath}.executionSuccessful is required and boolean");
                }

                if (invocation["toolExecutionNotifications"] is JsonArray notifications)
                {
                    for (var n = 0; n < notifications.Count; n++)
                    {
                        ValidateMessage(notifications[n]?["message"], $"{invocationPath}.toolExecutionNotifications[{n}].message", errors);
                        ValidateLocations(notifications[n]?["locations"], $"{invocationPath}.toolExecutionNotifications[{n}].locations", errors, required: false);
                    }
                }
            }
        }

        if (run["results"] is not JsonArray results)
        {
            if (run["results"] is not null)
            {
                errors.Add($"{path}.results must be an array");
            }

            return;
        }

        for (var i = 0; i < results.Count; i++)
        {
            var resultPath = $"{path}.results[{i}]";
            if (results[i] is not JsonObject result)
            {
                errors.Add($"{resultPath} must be an object");
                continue;
            }

            Members(result, "result", resultPath, errors);
            ValidateMessage(result["message"], $"{resultPath}.message", errors);
            var ruleId = result["ruleId"]?.GetValue<string>();
            if (result["ruleIndex"] is { } index)
            {
                var value = index.GetValue<int>();
                if (value < 0 || value >= ruleIds.Count)
                {
                    errors.Add($"{resultPath}.ruleIndex {value} is outside tool.driver.rules");
                }
                else if (ruleId is not null && ruleIds[value] != ruleId)
                {
                    errors.Add($"{resultPath}.ruleIndex {value} points at '{ruleIds[value]}', not ruleId '{ruleId}'");
                }
            }
            else if (ruleId is not null && !ruleIds.Contains(ruleId))
            {
                errors.Add($"{resultPath}.ruleId '{ruleId}' is not in tool.driver.rules");
            }

            if (result["level"] is { } level && !s_levels.Contains(level.GetValue<string>()))
            {
                errors.Add($"{resultPath}.level '{level}' is not a SARIF level");
            }

            ValidateLocations(result["locations"], $"{resultPath}.locations", errors, required: true);
            if (result["partialFingerprints"] is { } fingerprints
                && (fingerprints is not JsonObject fingerprintObject || fingerprintObject.Any(p => p.Value?.GetValueKind() != JsonValueKind.String)))
            {
                errors.Add($"{resultPath}.partialFingerprints must map names to strings");
            }
        }
    }

    private static void ValidateLocations(JsonNode? node, string path, List<string> errors, bool required)
    {
        if (node is null)
        {
            if (required)
            {
                // GitHub code scanning rejects results without a location.
                errors.Add($"{path} is required by GitHub code scanning");
            }

            return;
        }

        if (node is not JsonArray locations || (required && locations.Count == 0))
        {
            errors.Add($"{path} must be a non-empty array");
            return;
        }

        for (var i = 0; i < locations.Count; i++)
        {
            var locationPath = $"{path}[{i}]";
            if (locations[i] is not JsonObject location)
            {
                errors.Add($"{locationPath} must be an object");
                continue;
            }

            Members(location, "location", locationPath, errors);
            if (location["physicalLocation"] is not JsonObject physical)
            {
                errors.Add($"{locationPath}.physicalLocation is required");
                continue;
            }

            Members(physical, "physicalLocation", $"{locationPath}.physicalLocation", errors);
            if (physical["artifactLocation"] is not JsonObject artifact)
            {
                errors.Add($"{locationPath}.physicalLocation.artifactLocation is required");
                continue;
            }

            Members(artifact, "artifactLocation", $"{locationPath}.physicalLocation.artifactLocation", errors);
            var uri = RequireString(artifact, "uri", $"{locationPath}.physicalLocation.artifactLocation", errors);
            if (uri is not null)
            {
                if (!Uri.TryCreate(uri, UriKind.RelativeOrAbsolute, out var parsed) || parsed.IsAbsoluteUri || uri.StartsWith('/'))
                {
                    errors.Add($"{locationPath}.physicalLocation.artifactLocation.uri '{uri}' must be relative to its uriBaseId");
                }

                if (uri.Contains('\\', StringComparison.Ordinal) || uri.Contains(' ', StringComparison.Ordinal))
                {
                    errors.Add($"{locationPath}.physicalLocation.artifactLocation.uri '{uri}' must use '/' and percent-encoding");
                }
            }

            if (physical["region"] is JsonObject region)
            {
                Members(region, "region", $"{locationPath}.physicalLocation.region", errors);
                var start = region["startLine"]?.GetValue<int>();
                if (start is null or < 1)
                {
                    errors.Add($"{locationPath}.physicalLocation.region.startLine must be an integer >= 1");
                }

                if (region["endLine"]?.GetValue<int>() is { } end && end < (start ?? 1))
                {
                    errors.Add($"{locationPath}.physicalLocation.region.endLine must not be before startLine");
                }
            }
        }
    }

    private static void ValidateMessage(JsonNode? node, string path, List<string> errors)
    {
        if (node is not JsonObject message)
        {
            errors.Add($"{path} must be an object");
            return;
        }

        Members(message, "message", path, errors);
        if (message["text"]?.GetValueKind() != JsonValueKind.String || message["text"]!.GetValue<string>().Length == 0)
        {
            errors.Add($"{path}.text must be a non-empty string");
        }
    }

    private static string? RequireString(JsonObject node, string name, string path, List<string> errors)
    {
        if (node[name]?.GetValueKind() == JsonValueKind.String && node[name]!.GetValue<string>().Length > 0)
        {
            return node[name]!.GetValue<string>();
        }

        errors.Add($"{path}.{name} is required and must be a non-empty string");
        return null;
    }

    private static void Members(JsonObject node, string kind, string path, List<string> errors)
    {
        foreach (var (name, _) in node)
        {
            if (!s_allowed[kind].Contains(name))
            {
                errors.Add($"{path} has member '{name}', which a SARIF 2.1.0 {kind} does not allow");
            }
        }
    }
}
