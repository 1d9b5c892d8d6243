using System.Text.Json;

namespace DeployMind.Security.Dependencies.Osv;

/// <summary>OSV records in memory, indexed by (ecosystem, normalised package name).</summary>
public sealed class AdvisoryIndex : IAdvisorySource
{
    private readonly Dictionary<(string Ecosystem, string Name), List<OsvRecord>> _byPackage = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public AdvisoryIndex(IEnumerable<OsvRecord> records)
    {
        foreach (var record in records)
        {
            Add(record);
        }
    }

    public int Count => _ids.Count;

    public void Add(OsvRecord record)
    {
        if (!_ids.Add(record.Id))
        {
            return;
        }

        foreach (var key in PackageKeys(record))
        {
            if (!_byPackage.TryGetValue(key, out var list))
            {
                list = [];
                _byPackage[key] = list;
            }

            list.Add(record);
        }
    }

    public IReadOnlyList<OsvRecord> Lookup(string ecosystem, string name)
    {
        var canonical = Ecosystems.Canonical(ecosystem);
        return _byPackage.TryGetValue((canonical, Ecosystems.NormalizeName(canonical, name)), out var list) ? list : [];
    }

    /// <summary>The distinct (ecosystem, normalised name) pairs a record's <c>affected</c> entries name.</summary>
    public static IEnumerable<(string Ecosystem, string Name)> PackageKeys(OsvRecord record) =>
        record.Affected
            .Where(a => a.Package is { Name.Length: > 0 })
            .Select(a =>
            {
                var ecosystem = Ecosystems.Canonical(a.Package!.Ecosystem);
                return (ecosystem, Ecosystems.NormalizeName(ecosystem, a.Package.Name));
            })
            .Distinct();

    /// <summary>Loads every <c>*.json</c> record under a directory; malformed records are reported and skipped.</summary>
    public static AdvisoryIndex LoadDirectory(string directory, out IReadOnlyList<ScanProblem> problems)
    {
        var found = new List<ScanProblem>();
        var records = new List<OsvRecord>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                records.Add(OsvRecord.Parse(File.ReadAllText(file)));
            }
            catch (JsonException e)
            {
                found.Add(new ScanProblem(file, (int?)e.LineNumber + 1, $"invalid OSV record skipped: {e.Message}"));
            }
        }

        problems = found;
        return new AdvisoryIndex(records);
    }
}
