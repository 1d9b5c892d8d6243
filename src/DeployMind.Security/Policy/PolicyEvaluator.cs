using System.Globalization;
using DeployMind.Domain;

namespace DeployMind.Security.Policy;

internal static class PolicyEvaluator
{
    private const int ExamplesPerReason = 3;

    private static readonly Severity[] s_descending = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Unknown];

    public static PolicyVerdict Evaluate(SecurityPolicy policy, IReadOnlyList<ScanReport> reports, DateOnly today)
    {
        var mine = policy.Exceptions.Where(e => e.AppliesTo(policy.Repository)).ToList();
        var active = mine.Where(e => e.IsActive(today)).ToList();
        var expired = mine.Where(e => !e.IsActive(today)).ToList();

        var perType = new SortedDictionary<ScanType, ScanTypeVerdict>();
        foreach (var group in reports.GroupBy(r => r.ScanType).OrderBy(g => g.Key))
        {
            perType[group.Key] = EvaluateType(policy, group.Key, group.SelectMany(r => r.Findings).ToList(), active);
        }

        var decision = perType.Values.Select(v => v.Decision).DefaultIfEmpty(AgentDecision.Approve).Max();
        var reasons = new List<string>();
        foreach (var level in new[] { AgentDecision.Reject, AgentDecision.Warn })
        {
            reasons.AddRange(perType.Values.SelectMany(v => v.Reasons.Where(r => r.StartsWith(Prefix(level), StringComparison.Ordinal))));
        }

        if (decision == AgentDecision.Approve)
        {
            var counted = perType.Values.Sum(v => v.Counts.Total);
            reasons.Add(counted == 0
                ? "approve: no findings count toward the policy"
                : string.Create(CultureInfo.InvariantCulture, $"approve: {counted} {Plural(counted, "finding", "findings")} below every warn threshold ({policy.Preset.ToWire()} policy)"));
        }

        reasons.AddRange(perType.Values.SelectMany(v => v.Reasons.Where(r => !r.StartsWith(Prefix(AgentDecision.Reject), StringComparison.Ordinal)
            && !r.StartsWith(Prefix(AgentDecision.Warn), StringComparison.Ordinal) && !r.StartsWith(Prefix(AgentDecision.Approve), StringComparison.Ordinal))));
        foreach (var exemption in expired)
        {
            reasons.Add($"exception for {exemption.Id} expired on {exemption.Expires:yyyy-MM-dd} and no longer applies; fix the finding or renew the exception");
        }

        return new PolicyVerdict
        {
            Decision = decision,
            Preset = policy.Preset,
            PerScanType = perType,
            Reasons = reasons,
            CountedFindings = perType.Values.SelectMany(v => v.CountedFindings).ToList(),
            WaivedFindings = perType.Values.SelectMany(v => v.WaivedFindings).ToList(),
            ExpiredExemptions = expired,
        };
    }

    private static ScanTypeVerdict EvaluateType(SecurityPolicy policy, ScanType scanType, List<SecurityFinding> findings, List<PolicyExemption> exemptions)
    {
        var thresholds = policy.ThresholdsFor(scanType);
        var counted = new List<SecurityFinding>();
        var waived = new List<WaivedFinding>();
        foreach (var finding in findings)
        {
            var exemption = exemptions.FirstOrDefault(e => e.Matches(finding));
            if (exemption is not null)
            {
                var until = exemption.Expires is { } expires ? $" until {expires:yyyy-MM-dd}" : "";
                var because = exemption.Reason is { Length: > 0 } reason ? $": {reason}" : "";
                waived.Add(new WaivedFinding(finding, WaiverKind.Exception, $"accepted by the repository's exception for {exemption.Id}{until}{because}"));
            }
            else if (policy.IgnoreUnfixed && scanType == ScanType.Dependencies && string.IsNullOrWhiteSpace(finding.FixedVersion))
            {
                waived.Add(new WaivedFinding(finding, WaiverKind.Unfixed, "no fixed version is published (ignore-unfixed)"));
            }
            else
            {
                counted.Add(finding);
            }
        }

        var rejecting = Reaching(counted, thresholds.RejectAt);
        var warning = Reaching(counted, thresholds.WarnAt).Where(f => !rejecting.Contains(f)).ToList();
        var decision = rejecting.Count > 0 ? AgentDecision.Reject : warning.Count > 0 ? AgentDecision.Warn : AgentDecision.Approve;

        var reasons = new List<string>();
        reasons.AddRange(Describe(AgentDecision.Reject, scanType, rejecting, thresholds.RejectAt, policy.Preset));
        reasons.AddRange(Describe(AgentDecision.Warn, scanType, warning, thresholds.WarnAt, policy.Preset));
        if (decision == AgentDecision.Approve)
        {
            reasons.Add(counted.Count == 0
                ? $"approve: no {Noun(scanType, 2)} count"
                : string.Create(CultureInfo.InvariantCulture, $"approve: {counted.Count} {Noun(scanType, counted.Count)}, none at or above the warn threshold ({PolicyThreshold.Describe(thresholds.WarnAt)})"));
        }

        var byException = waived.Where(w => w.Kind == WaiverKind.Exception).ToList();
        if (byException.Count > 0)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"{byException.Count} {Noun(scanType, byException.Count)} waived by repository exceptions ({Examples(byException.Select(w => w.Finding).ToList(), scanType)})"));
        }

        var unfixed = waived.Where(w => w.Kind == WaiverKind.Unfixed).ToList();
        if (unfixed.Count > 0)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"{unfixed.Count} {Noun(scanType, unfixed.Count)} without a fixed version not counted (ignore-unfixed) ({Examples(unfixed.Select(w => w.Finding).ToList(), scanType)})"));
        }

        return new ScanTypeVerdict
        {
            ScanType = scanType,
            Decision = decision,
            Counts = SeverityCounts.Of(counted),
            Thresholds = thresholds,
            Reasons = reasons,
            CountedFindings = counted,
            WaivedFindings = waived,
        };
    }

    private static List<SecurityFinding> Reaching(List<SecurityFinding> findings, Severity? threshold) =>
        threshold is { } t ? findings.Where(f => SecurityPolicy.GateSeverity(f.Severity) >= t).ToList() : [];

    // One sentence per reported severity, e.g. "reject: 2 critical vulnerabilities in dependencies (lodash GHSA-..., ...)".
    private static IEnumerable<string> Describe(AgentDecision decision, ScanType scanType, List<SecurityFinding> findings, Severity? threshold, PolicyPreset preset)
    {
        foreach (var severity in s_descending)
        {
            var group = findings.Where(f => f.Severity == severity).ToList();
            if (group.Count == 0)
            {
                continue;
            }

            var label = severity == Severity.Unknown ? "unscored (gated as medium)" : severity.ToWire().ToLowerInvariant();
            var rule = scanType == ScanType.Secrets && decision == AgentDecision.Reject && threshold == Severity.Low && preset == PolicyPreset.Balanced
                ? "; any secret rejects under the balanced policy"
                : "";
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{Prefix(decision)}{group.Count} {label} {Noun(scanType, group.Count)} ({Examples(group, scanType)}){rule}");
        }
    }

    private static string Prefix(AgentDecision decision) => decision.ToWire() + ": ";

    private static string Noun(ScanType scanType, int count) => scanType switch
    {
        ScanType.Dependencies => Plural(count, "vulnerability", "vulnerabilities") + " in dependencies",
        ScanType.Dockerfile => Plural(count, "Dockerfile misconfiguration", "Dockerfile misconfigurations"),
        _ => Plural(count, "secret", "secrets") + " in the source",
    };

    private static string Plural(int count, string one, string many) => count == 1 ? one : many;

    private static string Examples(List<SecurityFinding> findings, ScanType scanType)
    {
        var shown = findings.Take(ExamplesPerReason).Select(f => Example(f, scanType));
        var text = string.Join(", ", shown);
        return findings.Count > ExamplesPerReason
            ? string.Create(CultureInfo.InvariantCulture, $"{text}, and {findings.Count - ExamplesPerReason} more")
            : text;
    }

    internal static string Example(SecurityFinding finding, ScanType scanType) => scanType switch
    {
        ScanType.Dependencies when finding.Package is not null => $"{finding.Package} {finding.RuleId}",
        _ => $"{finding.RuleId}{Location(finding)}",
    };

    internal static string Location(SecurityFinding finding) => (finding.FilePath, finding.Line) switch
    {
        (null, _) => "",
        ({ } file, null) => $" in {file}",
        ({ } file, { } line) => string.Create(CultureInfo.InvariantCulture, $" in {file}:{line}"),
    };
}
