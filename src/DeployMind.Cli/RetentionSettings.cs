using System.Globalization;
using DeployMind.Domain;
using DeployMind.Persistence.Retention;

namespace DeployMind.Cli;

/// <summary>
/// Retention overrides from the environment: DEPLOYMIND_RETENTION_&lt;TABLE&gt;_DAYS=N or "forever",
/// and DEPLOYMIND_RETENTION_BATCH_SIZE. Every bad value is reported at once.
/// </summary>
internal sealed class RetentionSettings
{
    private readonly List<Action<RetentionOptions>> _changes = [];

    public static readonly (string Table, Action<RetentionOptions, TimeSpan?> Set)[] Tables =
    [
        ("deployments", (o, v) => o.Deployments = v),
        ("security_scans", (o, v) => o.SecurityScans = v),
        ("build_results", (o, v) => o.BuildResults = v),
        ("health_checks", (o, v) => o.HealthChecks = v),
        ("deployment_logs", (o, v) => o.DeploymentLogs = v),
        ("agent_executions", (o, v) => o.AgentExecutions = v),
    ];

    public static RetentionSettings FromEnvironment(CliContext context)
    {
        var settings = new RetentionSettings();
        var problems = new List<string>();
        foreach (var (table, set) in Tables)
        {
            var name = $"DEPLOYMIND_RETENTION_{table.ToUpperInvariant()}_DAYS";
            var text = context.Variable(name);
            if (text is null)
            {
                continue;
            }

            if (text.Equals("forever", StringComparison.OrdinalIgnoreCase))
            {
                settings._changes.Add(o => set(o, null));
            }
            else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days > 0)
            {
                settings._changes.Add(o => set(o, TimeSpan.FromDays(days)));
            }
            else
            {
                problems.Add($"{name}='{text}' is not valid; use a whole number of days (e.g. 30) or 'forever'");
            }
        }

        if (context.Variable("DEPLOYMIND_RETENTION_BATCH_SIZE") is { } batch)
        {
            if (int.TryParse(batch, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
            {
                settings._changes.Add(o => o.BatchSize = size);
            }
            else
            {
                problems.Add($"DEPLOYMIND_RETENTION_BATCH_SIZE='{batch}' is not valid; use a positive whole number such as 5000");
            }
        }

        return problems.Count == 0 ? settings : throw new InvalidInputException("retention", string.Join("; ", problems));
    }

    public void Apply(RetentionOptions options) => _changes.ForEach(change => change(options));
}
