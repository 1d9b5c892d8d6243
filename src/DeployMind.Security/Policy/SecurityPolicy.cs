using DeployMind.Domain;

namespace DeployMind.Security.Policy;

/// <summary>The named starting points of a policy; per-scan-type thresholds can be overridden afterwards.</summary>
public enum PolicyPreset
{
    /// <summary>Reject on CRITICAL or HIGH anywhere, warn on MEDIUM.</summary>
    [WireValue("strict")] Strict,

    /// <summary>The default: reject on CRITICAL anywhere or on any secret, warn on HIGH.</summary>
    [WireValue("balanced")] Balanced,

    /// <summary>Reject only on CRITICAL, warn on HIGH.</summary>
    [WireValue("permissive")] Permissive,
}

/// <summary>
/// The gate of one scan type: the lowest severity that rejects and the lowest that warns
/// (null = never). A finding counts at its <see cref="SecurityPolicy.GateSeverity"/>.
/// </summary>
public sealed record ScanTypeThresholds(Severity? RejectAt, Severity? WarnAt);

/// <summary>
/// A rule or advisory id (or one of its aliases) a repository accepts, until an optional last day.
/// <paramref name="Repository"/> (owner/repo) limits it to one repository; null applies to every repository the policy judges.
/// </summary>
public sealed record PolicyExemption(string Id, DateOnly? Expires = null, string? Reason = null, string? Repository = null)
{
    public bool AppliesTo(string? repository) =>
        Repository is null || string.Equals(Repository, repository, StringComparison.OrdinalIgnoreCase);

    /// <summary>The exemption still applies on <paramref name="today"/>; the expiry day itself is included.</summary>
    public bool IsActive(DateOnly today) => Expires is not { } expires || today <= expires;

    public bool Matches(SecurityFinding finding) =>
        string.Equals(finding.RuleId, Id, StringComparison.OrdinalIgnoreCase)
        || finding.Aliases.Any(a => string.Equals(a, Id, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Deterministic approve / warn / reject over scan reports. The LLM may explain a verdict but never loosens it.
/// </summary>
public sealed record SecurityPolicy
{
    public required PolicyPreset Preset { get; init; }

    public required IReadOnlyDictionary<ScanType, ScanTypeThresholds> Thresholds { get; init; }

    /// <summary>Dependency findings with no fixed version do not count toward reject or warn (they are still listed).</summary>
    public bool IgnoreUnfixed { get; init; }

    /// <summary>Accepted rule / advisory ids; those scoped to another repository than <see cref="Repository"/> are ignored.</summary>
    public IReadOnlyList<PolicyExemption> Exceptions { get; init; } = [];

    /// <summary>The repository (owner/repo) being judged; selects its exceptions.</summary>
    public string? Repository { get; init; }

    public static SecurityPolicy Default => FromPreset(PolicyPreset.Balanced);

    public static SecurityPolicy FromPreset(PolicyPreset preset)
    {
        var (reject, warn, secretsReject) = preset switch
        {
            PolicyPreset.Strict => (Severity.High, Severity.Medium, Severity.High),
            PolicyPreset.Balanced => (Severity.Critical, Severity.High, Severity.Low),
            PolicyPreset.Permissive => (Severity.Critical, Severity.High, Severity.Critical),
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
        };
        return new SecurityPolicy
        {
            Preset = preset,
            Thresholds = new Dictionary<ScanType, ScanTypeThresholds>
            {
                [ScanType.Dockerfile] = new(reject, warn),
                [ScanType.Dependencies] = new(reject, warn),
                // Balanced: any secret rejects whatever its severity (Low is the lowest gate severity).
                [ScanType.Secrets] = new(secretsReject, warn),
            },
        };
    }

    /// <summary>Parses strict, balanced or permissive.</summary>
    public static SecurityPolicy FromPreset(string preset) =>
        FromPreset(WireValues.Parse<PolicyPreset>(preset, "security.policy"));

    public ScanTypeThresholds ThresholdsFor(ScanType scanType) =>
        Thresholds.TryGetValue(scanType, out var thresholds) ? thresholds : new ScanTypeThresholds(null, null);

    public SecurityPolicy WithRejectThreshold(ScanType scanType, Severity? rejectAt) =>
        WithThresholds(scanType, ThresholdsFor(scanType) with { RejectAt = rejectAt });

    public SecurityPolicy WithWarnThreshold(ScanType scanType, Severity? warnAt) =>
        WithThresholds(scanType, ThresholdsFor(scanType) with { WarnAt = warnAt });

    public SecurityPolicy WithThresholds(ScanType scanType, ScanTypeThresholds thresholds)
    {
        var copy = new Dictionary<ScanType, ScanTypeThresholds>(Thresholds) { [scanType] = thresholds };
        return this with { Thresholds = copy };
    }

    /// <summary>
    /// The severity a finding is gated at. UNKNOWN counts as MEDIUM: an advisory nobody has scored yet is
    /// unassessed risk, so it must not slip under a LOW-only view, yet it should not block a release the way
    /// a CRITICAL does. Counts by severity keep UNKNOWN apart so the user still sees it was unscored.
    /// </summary>
    public static Severity GateSeverity(Severity severity) => severity == Severity.Unknown ? Severity.Medium : severity;

    /// <summary>Decides over every report; findings of the same scan type from several scanners are judged together.</summary>
    public PolicyVerdict Evaluate(IReadOnlyList<ScanReport> reports, DateOnly today) =>
        PolicyEvaluator.Evaluate(this, reports, today);

    /// <summary>Evaluates with today's date from <paramref name="clock"/> (exemption expiry is by UTC date).</summary>
    public PolicyVerdict Evaluate(IReadOnlyList<ScanReport> reports, TimeProvider clock) =>
        Evaluate(reports, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
}

/// <summary>Parses the threshold words of configuration and flags: critical, high, medium, low, none.</summary>
public static class PolicyThreshold
{
    public static Severity? Parse(string text, string field)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (WireValues.TryParse<Severity>(trimmed, out var severity) && severity != Severity.Unknown)
        {
            return severity;
        }

        throw new InvalidInputException(field, $"'{text}' is not a valid {field}; expected one of: critical, high, medium, low, none");
    }

    public static string Describe(Severity? threshold) => threshold is { } s ? s.ToWire().ToLowerInvariant() : "none";
}
