using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Security.Policy;

namespace DeployMind.Security.Agent;

/// <summary>Builds the policy from the security section of a deployment's configuration snapshot (deploymind.yml).</summary>
public static class SecurityPolicyConfig
{
    public static SecurityPolicy FromSnapshot(JsonObject? configuration)
    {
        if (configuration?["security"] is not JsonObject security)
        {
            return SecurityPolicy.Default;
        }

        var policy = security["policy"]?.GetValue<string>() is { } preset ? SecurityPolicy.FromPreset(preset) : SecurityPolicy.Default;
        if (security["fail_on"] is JsonObject failOn)
        {
            foreach (var (type, threshold) in failOn)
            {
                var scanType = WireValues.Parse<ScanType>(type, "security.fail_on");
                policy = policy.WithRejectThreshold(scanType, PolicyThreshold.Parse(threshold?.GetValue<string>() ?? "none", $"security.fail_on.{type}"));
            }
        }

        var exemptions = (security["exceptions"] as JsonArray ?? [])
            .Select(e => e?.GetValue<string>())
            .Where(e => !string.IsNullOrWhiteSpace(e))
            .Select(e => new PolicyExemption(e!.Trim()))
            .ToList();
        return policy with
        {
            IgnoreUnfixed = security["ignore_unfixed"]?.GetValue<bool>() ?? false,
            Exceptions = exemptions,
        };
    }

    /// <summary>How old the vulnerability database may be before the scan warns (security.max_database_age).</summary>
    public static TimeSpan? MaxDatabaseAge(JsonObject? configuration) =>
        configuration?["security"]?["max_database_age"]?.GetValue<string>() is { } text
        && Duration.TryParse(text, out var age) ? age : null;
}
