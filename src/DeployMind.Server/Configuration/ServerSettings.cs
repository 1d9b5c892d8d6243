using System.Globalization;
using DeployMind.Domain;
using DeployMind.Persistence.Retention;
using Microsoft.Extensions.Configuration;

namespace DeployMind.Server.Configuration;

/// <summary>
/// The server's settings, read from configuration keys named like the environment variables that set them
/// (DEPLOYMIND_WORKERS=2 in the environment, or --DEPLOYMIND_WORKERS=2 / UseSetting in tests). Every bad value
/// is reported at once, naming the key and the expected form.
/// </summary>
public sealed class ServerSettings
{
    public const string DatabaseUrlKey = "DEPLOYMIND_DATABASE_URL";
    public const string DataDirectoryKey = "DEPLOYMIND_DATA_DIR";
    public const string ConfigKey = "DEPLOYMIND_SERVER_CONFIG";
    public const string WorkersKey = "DEPLOYMIND_WORKERS";

    private readonly IConfiguration _configuration;

    public ServerSettings(IConfiguration configuration)
    {
        _configuration = configuration;
        var problems = new List<string>();
        Workers = Int(WorkersKey, 1, 0, 64, problems);
        AllowPathSources = Bool("DEPLOYMIND_ALLOW_PATH_SOURCES", true, problems);
        AuthFailureLimit = Int("DEPLOYMIND_AUTH_FAILURE_LIMIT", 20, 1, 100_000, problems);
        AuthFailureWindow = Span("DEPLOYMIND_AUTH_FAILURE_WINDOW", TimeSpan.FromMinutes(1), problems);
        SchedulerInterval = Span("DEPLOYMIND_SCHEDULER_INTERVAL", TimeSpan.FromSeconds(5), problems);
        StatusReportInterval = Span("DEPLOYMIND_STATUS_REPORT_INTERVAL", TimeSpan.FromSeconds(5), problems);
        LogPollInterval = Span("DEPLOYMIND_LOG_POLL_INTERVAL", TimeSpan.FromMilliseconds(500), problems);
        RetentionInterval = Span("DEPLOYMIND_RETENTION_INTERVAL", TimeSpan.FromHours(6), problems);
        StandbySweepInterval = Variable("DEPLOYMIND_STANDBY_SWEEP_INTERVAL") is { } sweep && (sweep == "off" || ParseDuration(sweep) == TimeSpan.Zero) ? TimeSpan.Zero : Span("DEPLOYMIND_STANDBY_SWEEP_INTERVAL", TimeSpan.FromSeconds(30), problems);
        VulnDbRefresh = OptionalSpan("DEPLOYMIND_VULNDB_REFRESH", problems);
        VulnDbUrl = Variable("DEPLOYMIND_VULNDB_URL");
        MigrateOnStart = Bool("DEPLOYMIND_MIGRATE_ON_START", true, problems);
        SessionLifetime = Span("DEPLOYMIND_SESSION_LIFETIME", TimeSpan.FromHours(12), problems);
        ServerConfigPath = Variable(ConfigKey);
        TrustedProxies = Networks("DEPLOYMIND_TRUSTED_PROXIES", problems);
        Retention = RetentionFrom(problems);
        if (problems.Count > 0)
        {
            throw new InvalidInputException("configuration", string.Join("; ", problems));
        }
    }

    /// <summary>
    /// Reverse proxies (addresses or CIDR networks, DEPLOYMIND_TRUSTED_PROXIES) whose X-Forwarded-For and X-Forwarded-Proto
    /// are believed: the client address the auth-failure limit counts and whether the request came over HTTPS. Empty
    /// (the default): the headers are ignored, so a client cannot escape the limit by inventing them.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; }

    /// <summary>Queue workers run in this process (0: none; another process works the queue).</summary>
    public int Workers { get; }

    /// <summary>Whether POST /deployments may name a directory on the server (path); DEPLOYMIND_ALLOW_PATH_SOURCES=false refuses it.</summary>
    public bool AllowPathSources { get; }

    public int AuthFailureLimit { get; }

    public TimeSpan AuthFailureWindow { get; }

    public TimeSpan SchedulerInterval { get; }

    public TimeSpan StatusReportInterval { get; }

    public TimeSpan LogPollInterval { get; }

    public TimeSpan RetentionInterval { get; }

    /// <summary>How often expired blue-green standbys are removed (DEPLOYMIND_STANDBY_SWEEP_INTERVAL; 0: never, the next deployment does).</summary>
    public TimeSpan StandbySweepInterval { get; }

    /// <summary>How often the OSV advisory database is downloaded again; null: never (the default, offline).</summary>
    public TimeSpan? VulnDbRefresh { get; }

    public string? VulnDbUrl { get; }

    public bool MigrateOnStart { get; }

    public TimeSpan SessionLifetime { get; }

    public string? ServerConfigPath { get; }

    public Action<RetentionOptions> Retention { get; }

    public string? Variable(string key) => _configuration[key] is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>Every configuration value as the pipeline's environment lookups expect (keys such as DOCKER_HOST, GITHUB_TOKEN).</summary>
    public IReadOnlyDictionary<string, string?> Environment()
    {
        var values = SecretReferenceEnvironment();
        foreach (var (key, value) in _configuration.AsEnumerable())
        {
            if (!key.Contains(':', StringComparison.Ordinal) && value is not null)
            {
                values[key] = value;
            }
        }

        return values;
    }

    private static Dictionary<string, string?> SecretReferenceEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    private int Int(string key, int fallback, int min, int max, List<string> problems)
    {
        var text = Variable(key);
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{key}='{text}' is not valid; use a whole number from {min} to {max}");
        return fallback;
    }

    private List<System.Net.IPNetwork> Networks(string key, List<string> problems)
    {
        var networks = new List<System.Net.IPNetwork>();
        foreach (var item in (Variable(key) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (System.Net.IPNetwork.TryParse(item, out var network))
            {
                networks.Add(network);
            }
            else if (System.Net.IPAddress.TryParse(item, out var address))
            {
                networks.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                problems.Add($"{key}: '{item}' is not an IP address or CIDR network; list the proxies in front of the server, e.g. 127.0.0.1,10.0.0.0/8");
            }
        }

        return networks;
    }

    private bool Bool(string key, bool fallback, List<string> problems)
    {
        var text = Variable(key);
        if (text is null)
        {
            return fallback;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        problems.Add($"{key}='{text}' is not valid; use true or false");
        return fallback;
    }

    private TimeSpan Span(string key, TimeSpan fallback, List<string> problems) => OptionalSpan(key, problems) ?? fallback;

    private TimeSpan? OptionalSpan(string key, List<string> problems)
    {
        var text = Variable(key);
        if (text is null)
        {
            return null;
        }

        if (ParseDuration(text) is { } value && value > TimeSpan.Zero)
        {
            return value;
        }

        problems.Add($"{key}='{text}' is not valid; use a positive duration such as 500ms, 30s, 5m, 6h or 1d");
        return null;
    }

    internal static TimeSpan? ParseDuration(string text)
    {
        var t = text.Trim();
        var (number, unit) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], "ms") : (t[..^1], t[^1..]);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            return TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span) ? span : null;
        }

        return unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => null,
        };
    }

    private Action<RetentionOptions> RetentionFrom(List<string> problems)
    {
        var changes = new List<Action<RetentionOptions>>();
        foreach (var (table, set) in new (string, Action<RetentionOptions, TimeSpan?>)[]
                 {
                     ("deployments", (o, v) => o.Deployments = v), ("security_scans", (o, v) => o.SecurityScans = v),
                     ("build_results", (o, v) => o.BuildResults = v), ("health_checks", (o, v) => o.HealthChecks = v),
                     ("deployment_logs", (o, v) => o.DeploymentLogs = v), ("agent_executions", (o, v) => o.AgentExecutions = v),
                 })
        {
            var key = $"DEPLOYMIND_RETENTION_{table.ToUpperInvariant()}_DAYS";
            var text = Variable(key);
            if (text is null)
            {
                continue;
            }

            if (text.Equals("forever", StringComparison.OrdinalIgnoreCase))
            {
                changes.Add(o => set(o, null));
            }
            else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days > 0)
            {
                changes.Add(o => set(o, TimeSpan.FromDays(days)));
            }
            else
            {
                problems.Add($"{key}='{text}' is not valid; use a whole number of days (e.g. 30) or 'forever'");
            }
        }

        var batch = Int("DEPLOYMIND_RETENTION_BATCH_SIZE", 0, 1, 1_000_000, problems);
        if (batch > 0)
        {
            changes.Add(o => o.BatchSize = batch);
        }

        var interval = RetentionInterval;
        changes.Add(o => o.Interval = interval);
        return o => changes.ForEach(change => change(o));
    }
}
