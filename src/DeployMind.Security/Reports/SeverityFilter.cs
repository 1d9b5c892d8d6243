using DeployMind.Domain;
using DeployMind.Security.Policy;

namespace DeployMind.Security.Reports;

/// <summary>The severities a user asked to see (<c>--severity CRITICAL,HIGH</c>), as Trivy's flag of the same name.</summary>
public sealed class SeverityFilter
{
    private readonly HashSet<Severity> _severities;

    private SeverityFilter(IEnumerable<Severity> severities) => _severities = [.. severities];

    /// <summary>Every severity, UNKNOWN included: what no <c>--severity</c> means.</summary>
    public static SeverityFilter All { get; } = new(Enum.GetValues<Severity>());

    public IReadOnlySet<Severity> Severities => _severities;

    public static SeverityFilter Of(params Severity[] severities) =>
        severities.Length == 0 ? throw new ArgumentException("at least one severity", nameof(severities)) : new(severities);

    /// <summary>This severity and every more severe one.</summary>
    public static SeverityFilter AtLeast(Severity minimum) => new(Enum.GetValues<Severity>().Where(s => s >= minimum));

    /// <summary>Parses a comma-separated list such as <c>CRITICAL,HIGH</c> (case-insensitive); null or empty means all.</summary>
    public static SeverityFilter Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }

        var severities = new List<Severity>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!WireValues.TryParse<Severity>(part, out var severity))
            {
                throw new InvalidInputException("severity",
                    $"'{part}' is not a severity; expected a comma-separated list of {string.Join(", ", WireValues.AllOf<Severity>())}, e.g. --severity CRITICAL,HIGH");
            }

            severities.Add(severity);
        }

        return severities.Count == 0 ? All : new SeverityFilter(severities);
    }

    public bool Matches(SecurityFinding finding) => _severities.Contains(finding.Severity);

    /// <summary>The reports with only the findings this filter keeps; problems and scanner data unchanged.</summary>
    public IReadOnlyList<ScanReport> Apply(IEnumerable<ScanReport> reports) =>
        reports.Select(r => r with { Findings = r.Findings.Where(Matches).ToList() }).ToList();

    public override string ToString() =>
        string.Join(",", _severities.OrderDescending().Select(s => s.ToWire()));
}

/// <summary>The process exit code of <c>deploymind scan --exit-code N</c>.</summary>
public static class ScanExitCode
{
    /// <summary>
    /// <paramref name="exitCode"/> when any finding kept by <paramref name="filter"/> remains, else 0. Findings the
    /// policy waived (exceptions, ignore-unfixed) do not remain when <paramref name="verdict"/> is given.
    /// </summary>
    public static int Compute(IEnumerable<ScanReport> reports, SeverityFilter filter, int exitCode, PolicyVerdict? verdict = null)
    {
        var remains = reports.SelectMany(r => r.Findings)
            .Any(f => filter.Matches(f) && (verdict is null || verdict.WaiverOf(f) is null));
        return remains ? exitCode : 0;
    }
}
