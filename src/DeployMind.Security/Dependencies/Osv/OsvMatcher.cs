using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Security.Dependencies.Versions;

namespace DeployMind.Security.Dependencies.Osv;

/// <summary>Where advisories for one package come from: the local database or an in-memory index.</summary>
public interface IAdvisorySource
{
    /// <summary>Every record with an <c>affected</c> entry for the package (name compared the ecosystem's way).</summary>
    IReadOnlyList<OsvRecord> Lookup(string ecosystem, string name);
}

/// <summary>One vulnerability affecting a dependency: the records that describe it (merged by alias) and what to upgrade to.</summary>
public sealed record VulnerabilityMatch
{
    /// <summary>The id the finding is reported under: a GHSA id when one of the matched records has it, else the first record's id.</summary>
    public required string Id { get; init; }

    /// <summary>All other ids of the vulnerability (CVE, GHSA, PYSEC, GO, RUSTSEC...), sorted.</summary>
    public required IReadOnlyList<string> Aliases { get; init; }

    public required IReadOnlyList<OsvRecord> Records { get; init; }

    /// <summary>The smallest fixed version above the installed one that fixes every merged record; null when none is published.</summary>
    public string? FixedVersion { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>CVSS v3 base score when a record carries a v3 vector.</summary>
    public double? CvssScore { get; init; }

    /// <summary>RustSec informational advisories (unmaintained, unsound, ...): the kind, else null.</summary>
    public string? Informational { get; init; }

    public string Title => Records.Select(r => r.Summary).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s)) ?? Id;
}

/// <summary>
/// Decides which OSV records affect a dependency version: explicit <c>versions[]</c> or the SEMVER/ECOSYSTEM
/// range event walk (introduced, fixed, last_affected, limit), withdrawn records ignored, aliases merged.
/// Range bounds are parsed once per affected entry and cached.
/// </summary>
public sealed class OsvMatcher(IAdvisorySource source)
{
    private readonly Dictionary<OsvAffected, CompiledAffected> _compiled = new(ReferenceEqualityComparer.Instance);

    /// <summary>The vulnerabilities affecting <paramref name="dependency"/>, one per alias group.</summary>
    public IReadOnlyList<VulnerabilityMatch> Match(Dependency dependency) =>
        Match(dependency.Ecosystem, dependency.Name, dependency.Version);

    public IReadOnlyList<VulnerabilityMatch> Match(string ecosystem, string name, string version)
    {
        ecosystem = Ecosystems.Canonical(ecosystem);
        var normalized = Ecosystems.NormalizeName(ecosystem, name);
        var installed = new InstalledVersion(version, ecosystem);
        var hits = new List<(OsvRecord Record, string? Fixed, string? Informational)>();
        foreach (var record in source.Lookup(ecosystem, name))
        {
            if (record.IsWithdrawn)
            {
                continue;
            }

            var affected = false;
            string? fix = null;
            string? informational = null;
            foreach (var entry in record.Affected)
            {
                if (entry.Package is null
                    || Ecosystems.Canonical(entry.Package.Ecosystem) != ecosystem
                    || Ecosystems.NormalizeName(ecosystem, entry.Package.Name) != normalized)
                {
                    continue;
                }

                if (Compile(entry, ecosystem).Affects(installed, out var entryFix))
                {
                    affected = true;
                    fix = MaxVersion(fix, entryFix, installed.EcosystemComparer);
                    informational ??= entry.DatabaseSpecific?["informational"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
                        ? entry.DatabaseSpecific["informational"]!.GetValue<string>()
                        : null;
                }
            }

            if (affected)
            {
                hits.Add((record, fix, informational));
            }
        }

        return hits.Count == 0 ? [] : Merge(hits, installed.EcosystemComparer);
    }

    /// <summary>Whether one affected entry covers <paramref name="version"/>, and the fixed version that ends the range it is in.</summary>
    public static bool Affects(OsvAffected affected, string ecosystem, string version, out string? fixedVersion) =>
        new CompiledAffected(affected, Ecosystems.Canonical(ecosystem)).Affects(new InstalledVersion(version, Ecosystems.Canonical(ecosystem)), out fixedVersion);

    /// <summary>The severity a record states: its CVSS v3 vector's base score, else the database's own rating.</summary>
    public static (Severity Severity, double? Score) SeverityOf(OsvRecord record)
    {
        foreach (var severity in record.Severity.Concat(record.Affected.SelectMany(a => a.Severity)))
        {
            if (severity.Type == "CVSS_V3" && CvssV3.BaseScore(severity.Score) is { } score)
            {
                return (CvssV3.Rating(score), score);
            }
        }

        var rated = Rating(record.DatabaseSpecific)
            ?? record.Affected.Select(a => Rating(a.DatabaseSpecific) ?? Rating(a.EcosystemSpecific)).FirstOrDefault(s => s is not null);
        return (rated ?? Severity.Unknown, null);
    }

    private static Severity? Rating(JsonObject? specific)
    {
        if (specific?["severity"] is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return null;
        }

        return value.GetValue<string>().Trim().ToUpperInvariant() switch
        {
            "CRITICAL" => Severity.Critical,
            "HIGH" => Severity.High,
            "MODERATE" or "MEDIUM" => Severity.Medium,
            "LOW" => Severity.Low,
            _ => null,
        };
    }

    private CompiledAffected Compile(OsvAffected entry, string ecosystem)
    {
        if (!_compiled.TryGetValue(entry, out var compiled))
        {
            compiled = new CompiledAffected(entry, ecosystem);
            _compiled[entry] = compiled;
        }

        return compiled;
    }

    private static string? MaxVersion(string? a, string? b, IVersionComparer? comparer)
    {
        if (a is null || b is null || comparer is null)
        {
            return a ?? b;
        }

        return comparer.Parse(a).CompareTo(comparer.Parse(b)) >= 0 ? a : b;
    }

    private static List<VulnerabilityMatch> Merge(List<(OsvRecord Record, string? Fixed, string? Informational)> hits, IVersionComparer? comparer)
    {
        // Union records that share any id (own id or alias): one finding per vulnerability.
        var groups = new List<List<int>>();
        var groupOfId = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < hits.Count; i++)
        {
            var ids = hits[i].Record.Aliases.Prepend(hits[i].Record.Id).ToList();
            var joined = ids.Where(groupOfId.ContainsKey).Select(id => groupOfId[id]).Distinct().ToList();
            int target;
            if (joined.Count == 0)
            {
                target = groups.Count;
                groups.Add([]);
            }
            else
            {
                target = joined[0];
                foreach (var other in joined.Skip(1))
                {
                    groups[target].AddRange(groups[other]);
                    foreach (var member in groups[other])
                    {
                        foreach (var id in hits[member].Record.Aliases.Prepend(hits[member].Record.Id))
                        {
                            groupOfId[id] = target;
                        }
                    }

                    groups[other] = [];
                }
            }

            groups[target].Add(i);
            foreach (var id in ids)
            {
                groupOfId[id] = target;
            }
        }

        var matches = new List<VulnerabilityMatch>();
        foreach (var group in groups.Where(g => g.Count > 0))
        {
            var members = group.Select(i => hits[i]).OrderBy(h => h.Record.Id, StringComparer.Ordinal).ToList();
            var primary = members.Select(m => m.Record.Id).FirstOrDefault(id => id.StartsWith("GHSA-", StringComparison.Ordinal))
                ?? members[0].Record.Id;
            var aliases = members.SelectMany(m => m.Record.Aliases.Prepend(m.Record.Id))
                .Where(id => !string.Equals(id, primary, StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Order(StringComparer.Ordinal)
                .ToList();
            string? fix = null;
            var severity = Severity.Unknown;
            double? score = null;
            foreach (var member in members)
            {
                fix = MaxVersion(fix, member.Fixed, comparer);
                var (s, sc) = SeverityOf(member.Record);
                severity = s > severity ? s : severity;
                score = sc > (score ?? -1) ? sc : score;
            }

            matches.Add(new VulnerabilityMatch
            {
                Id = primary,
                Aliases = aliases,
                Records = members.Select(m => m.Record).ToList(),
                FixedVersion = fix,
                Severity = severity,
                CvssScore = score,
                Informational = members.Select(m => m.Informational).FirstOrDefault(x => x is not null),
            });
        }

        return matches;
    }

    /// <summary>An installed version parsed at most once per ordering (the ecosystem's and SemVer).</summary>
    private sealed class InstalledVersion(string text, string ecosystem)
    {
        private readonly Dictionary<IVersionComparer, ParsedVersion> _parsed = new(ReferenceEqualityComparer.Instance);

        public string Text { get; } = text.Trim();

        public IVersionComparer? EcosystemComparer { get; } = VersionComparers.ForEcosystem(ecosystem);

        public ParsedVersion ParsedBy(IVersionComparer comparer)
        {
            if (!_parsed.TryGetValue(comparer, out var parsed))
            {
                parsed = comparer.Parse(Text);
                _parsed[comparer] = parsed;
            }

            return parsed;
        }
    }

    private sealed class CompiledAffected
    {
        private readonly OsvAffected _affected;
        private readonly string _ecosystem;
        private readonly List<CompiledRange> _ranges = [];
        private HashSet<string>? _versions;
        private List<ParsedVersion>? _parsedVersions;

        public CompiledAffected(OsvAffected affected, string ecosystem)
        {
            _affected = affected;
            _ecosystem = ecosystem;
            foreach (var range in affected.Ranges)
            {
                var comparer = VersionComparers.ForRange(range.Type, ecosystem);
                if (comparer is not null && range.Events.Count > 0)
                {
                    _ranges.Add(new CompiledRange(comparer, range.Events));
                }
            }
        }

        public bool Affects(InstalledVersion installed, out string? fixedVersion)
        {
            fixedVersion = null;
            var affected = false;
            foreach (var range in _ranges)
            {
                var version = installed.ParsedBy(range.Comparer);
                if (!version.IsValid)
                {
                    continue; // a version outside the scheme (a branch name, a legacy string) has no place in a range
                }

                if (range.Affects(version, out var fix))
                {
                    affected = true;
                    fixedVersion ??= fix;
                }
            }

            if (!affected && _affected.Versions.Count > 0 && ListedInVersions(installed))
            {
                affected = true;
            }

            return affected;
        }

        private bool ListedInVersions(InstalledVersion installed)
        {
            _versions ??= new HashSet<string>(_affected.Versions.Select(v => v.Trim()), StringComparer.Ordinal);
            var text = installed.Text;
            if (_versions.Contains(text) || (_ecosystem == Ecosystems.Go && _versions.Contains(text.TrimStart('v'))))
            {
                return true;
            }

            // Versions spelled differently but equal under the ecosystem's rules (PEP 440 "1.0.beta" = "1.0b0").
            if (installed.EcosystemComparer is not { } comparer)
            {
                return false;
            }

            var parsed = installed.ParsedBy(comparer);
            if (!parsed.IsValid)
            {
                return false;
            }

            _parsedVersions ??= _affected.Versions.Select(comparer.Parse).Where(v => v.IsValid).ToList();
            return _parsedVersions.Any(v => v.CompareTo(parsed) == 0);
        }
    }

    private sealed class CompiledRange
    {
        private readonly List<(EventKind Kind, ParsedVersion? Version, string Text)> _events;

        public CompiledRange(IVersionComparer comparer, IReadOnlyList<OsvEvent> events)
        {
            Comparer = comparer;
            _events = [];
            foreach (var e in events)
            {
                if (e.Introduced is { } introduced)
                {
                    _events.Add((EventKind.Introduced, introduced.Trim() == "0" ? null : comparer.Parse(introduced), introduced));
                }
                else if (e.Fixed is { } fixedAt)
                {
                    _events.Add((EventKind.Fixed, comparer.Parse(fixedAt), fixedAt));
                }
                else if (e.LastAffected is { } last)
                {
                    _events.Add((EventKind.LastAffected, comparer.Parse(last), last));
                }
                else if (e.Limit is { } limit && limit.Trim() != "*")
                {
                    _events.Add((EventKind.Limit, comparer.Parse(limit), limit));
                }
            }

            // Stable sort by version, "introduced: 0" first; on equal versions an introduced event precedes the others.
            _events = _events
                .Select((e, i) => (e, i))
                .OrderBy(x => x.e, Comparer<(EventKind Kind, ParsedVersion? Version, string Text)>.Create(CompareEvents))
                .ThenBy(x => x.i)
                .Select(x => x.e)
                .ToList();
        }

        public IVersionComparer Comparer { get; }

        public bool Affects(ParsedVersion version, out string? fixedVersion)
        {
            fixedVersion = null;
            var affected = false;
            foreach (var (kind, bound, text) in _events)
            {
                switch (kind)
                {
                    case EventKind.Introduced when bound is null || version.CompareTo(bound) >= 0:
                        affected = true;
                        break;
                    case EventKind.Fixed when version.CompareTo(bound) >= 0:
                    case EventKind.Limit when version.CompareTo(bound) >= 0:
                        affected = false;
                        break;
                    case EventKind.LastAffected when version.CompareTo(bound) > 0:
                        affected = false;
                        break;
                    case EventKind.Fixed when affected && fixedVersion is null:
                        fixedVersion = text;
                        break;
                }
            }

            if (!affected)
            {
                fixedVersion = null;
            }

            return affected;
        }

        private static int CompareEvents((EventKind Kind, ParsedVersion? Version, string Text) a, (EventKind Kind, ParsedVersion? Version, string Text) b)
        {
            if (a.Version is null || b.Version is null)
            {
                return (a.Version is null ? 0 : 1) - (b.Version is null ? 0 : 1);
            }

            var c = a.Version.CompareTo(b.Version);
            return c != 0 ? c : (a.Kind == EventKind.Introduced ? 0 : 1) - (b.Kind == EventKind.Introduced ? 0 : 1);
        }
    }

    private enum EventKind
    {
        Introduced,
        Fixed,
        LastAffected,
        Limit,
    }
}
