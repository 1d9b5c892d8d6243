using DeployMind.Domain;

namespace DeployMind.Security.Policy;

/// <summary>Why a finding does not count toward the decision.</summary>
public enum WaiverKind
{
    /// <summary>An exemption of the repository accepts its rule or advisory id.</summary>
    [WireValue("exception")] Exception,

    /// <summary>A dependency finding with no fixed version, under <c>--ignore-unfixed</c>.</summary>
    [WireValue("unfixed")] Unfixed,
}

/// <summary>A finding that is listed but does not count, and why.</summary>
public sealed record WaivedFinding(SecurityFinding Finding, WaiverKind Kind, string Why);

/// <summary>Findings by severity (as reported; UNKNOWN kept apart even though it gates as MEDIUM).</summary>
public sealed record SeverityCounts(int Critical, int High, int Medium, int Low, int Unknown)
{
    public static SeverityCounts Empty { get; } = new(0, 0, 0, 0, 0);

    public int Total => Critical + High + Medium + Low + Unknown;

    public int this[Severity severity] => severity switch
    {
        Severity.Critical => Critical,
        Severity.High => High,
        Severity.Medium => Medium,
        Severity.Low => Low,
        _ => Unknown,
    };

    public static SeverityCounts Of(IEnumerable<SecurityFinding> findings)
    {
        int critical = 0, high = 0, medium = 0, low = 0, unknown = 0;
        foreach (var finding in findings)
        {
            switch (finding.Severity)
            {
                case Severity.Critical: critical++; break;
                case Severity.High: high++; break;
                case Severity.Medium: medium++; break;
                case Severity.Low: low++; break;
                default: unknown++; break;
            }
        }

        return new SeverityCounts(critical, high, medium, low, unknown);
    }
}

/// <summary>The decision for one scan type.</summary>
public sealed record ScanTypeVerdict
{
    public required ScanType ScanType { get; init; }

    public required AgentDecision Decision { get; init; }

    /// <summary>Counts of the findings that count (waived ones excluded).</summary>
    public required SeverityCounts Counts { get; init; }

    public required ScanTypeThresholds Thresholds { get; init; }

    /// <summary>Human sentences explaining the decision of this scan type.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    public required IReadOnlyList<SecurityFinding> CountedFindings { get; init; }

    public required IReadOnlyList<WaivedFinding> WaivedFindings { get; init; }

    /// <summary>A warning still passes; only a rejection fails the scan.</summary>
    public bool Passed => Decision != AgentDecision.Reject;

    /// <summary>The waiver of this exact finding instance, if any.</summary>
    public WaivedFinding? WaiverOf(SecurityFinding finding) =>
        WaivedFindings.FirstOrDefault(w => ReferenceEquals(w.Finding, finding));
}

/// <summary>The policy's decision over all scans, with per-scan-type verdicts and the reasons in words.</summary>
public sealed record PolicyVerdict
{
    public required AgentDecision Decision { get; init; }

    public required PolicyPreset Preset { get; init; }

    public required IReadOnlyDictionary<ScanType, ScanTypeVerdict> PerScanType { get; init; }

    /// <summary>Rejections first, then warnings, waivers and expired exemptions; one sentence each.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    public required IReadOnlyList<SecurityFinding> CountedFindings { get; init; }

    public required IReadOnlyList<WaivedFinding> WaivedFindings { get; init; }

    /// <summary>Exemptions past their expiry date: they no longer waive anything.</summary>
    public required IReadOnlyList<PolicyExemption> ExpiredExemptions { get; init; }

    public bool Passed => Decision != AgentDecision.Reject;

    /// <summary>The waiver of this exact finding instance, if any.</summary>
    public WaivedFinding? WaiverOf(SecurityFinding finding) =>
        PerScanType.TryGetValue(finding.ScanType, out var verdict) ? verdict.WaiverOf(finding) : null;
}
