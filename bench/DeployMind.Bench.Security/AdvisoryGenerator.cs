using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DeployMind.Bench.Security;

/// <summary>An OSV dump (all.zip), a lockfile directory, and how many findings a correct scan of it reports.</summary>
internal sealed record GeneratedAdvisories(
    string ZipPath, string LockDirectory, int Records, int PackageNames, int LockPackages, long LockfileBytes,
    int ExpectedFindings, int AffectedPackages, int WithdrawnAffecting);

/// <summary>
/// Deterministic npm OSV records shaped like GitHub's advisories (GHSA ids, CVE aliases, CVSS v3 vectors, SEMVER ranges
/// with introduced/fixed or last_affected, some explicit <c>versions[]</c>, a few withdrawn) over a skewed set of package
/// names, and a <c>package-lock.json</c> v3 whose packages are hit by a known number of them.
/// </summary>
internal static class AdvisoryGenerator
{
    private const int Seed = 4242;
    private const double AffectingShare = 0.03;
    private const string GhsaAlphabet = "23456789cfghjmpqrvwx";

    private static readonly string[] s_words =
    [
        "react", "vue", "express", "lodash", "async", "request", "chalk", "debug", "yargs", "commander", "glob", "minimist",
        "semver", "uuid", "axios", "moment", "dayjs", "webpack", "babel", "eslint", "jest", "mocha", "rollup", "vite",
        "postcss", "sass", "json", "yaml", "xml", "parser", "stream", "buffer", "crypto", "jwt", "auth", "session", "cookie",
        "cors", "helmet", "body", "multer", "socket", "redis", "mongo", "pg", "mysql", "sqlite", "orm", "cache", "queue",
    ];

    private static readonly string[] s_vectors =
    [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
    ];

    private static readonly string[] s_severities = ["CRITICAL", "HIGH", "MODERATE", "LOW"];

    private readonly record struct Version(int Major, int Minor, int Patch)
    {
        public override string ToString() => $"{Major}.{Minor}.{Patch}";
    }

    public static GeneratedAdvisories Generate(string directory, int records, int lockPackages, CancellationToken cancellationToken)
    {
        var rng = new Random(Seed);
        var nameCount = Math.Max(lockPackages * 2, records / 10);
        var names = Enumerable.Range(0, nameCount)
            .Select(i => i % 6 == 0 ? $"@{s_words[i % s_words.Length]}/{s_words[(i / 7) % s_words.Length]}-{i}" : $"{s_words[(i / 3) % s_words.Length]}-{s_words[i % s_words.Length]}-{i}")
            .ToArray();

        // The lockfile's packages and their installed versions.
        var lockIndices = Enumerable.Range(0, nameCount).OrderBy(_ => rng.Next()).Take(lockPackages).ToArray();
        var installed = lockIndices.ToDictionary(i => i, _ => new Version(rng.Next(0, 10), rng.Next(0, 20), rng.Next(0, 30)));

        Directory.CreateDirectory(directory);
        var zipPath = Path.Combine(directory, "all.zip");
        var expected = 0;
        var withdrawnAffecting = 0;
        var affectedPackages = new HashSet<int>();
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            for (var r = 0; r < records; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Popular packages collect many advisories: a skewed pick over the names.
                var nameIndex = (int)(nameCount * Math.Pow(rng.NextDouble(), 1.6));
                var record = Record(rng, r, names[nameIndex], installed.TryGetValue(nameIndex, out var v) ? v : null, out var affects, out var withdrawn);
                if (affects && !withdrawn)
                {
                    expected++;
                    affectedPackages.Add(nameIndex);
                }
                else if (affects)
                {
                    withdrawnAffecting++;
                }

                var entry = zip.CreateEntry($"{record["id"]}.json", CompressionLevel.Fastest);
                using var stream = entry.Open();
                using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                record.WriteTo(writer);
            }
        }

        var lockDirectory = Path.Combine(directory, "app");
        Directory.CreateDirectory(lockDirectory);
        var lockPath = Path.Combine(lockDirectory, "package-lock.json");
        WriteLockfile(lockPath, rng, lockIndices, names, installed);
        return new GeneratedAdvisories(zipPath, lockDirectory, records, nameCount, lockPackages, new FileInfo(lockPath).Length,
            expected, affectedPackages.Count, withdrawnAffecting);
    }

    private static JsonObject Record(Random rng, int index, string name, Version? installed, out bool affects, out bool withdrawn)
    {
        affects = installed is not null && rng.NextDouble() < AffectingShare;
        withdrawn = rng.Next(100) == 0;
        var affected = new JsonObject { ["package"] = new JsonObject { ["ecosystem"] = "npm", ["name"] = name, ["purl"] = $"pkg:npm/{name.Replace("@", "%40", StringComparison.Ordinal)}" } };
        var ranges = new JsonArray();
        var versions = new JsonArray();
        var target = installed ?? new Version(rng.Next(0, 10), rng.Next(0, 20), rng.Next(0, 30));
        var shape = rng.Next(100);
        if (affects)
        {
            if (shape < 60)
            {
                ranges.Add(Range(Introduced(rng, target), Fixed(Above(rng, target))));
            }
            else if (shape < 75 && target.Major >= 1)
            {
                // An older range that does not cover the version, then one that does.
                ranges.Add(Range(Event("introduced", "0"), Event("fixed", "0.1.0"), Event("introduced", $"{target.Major}.0.0"), Fixed(Above(rng, target))));
            }
            else if (shape < 85)
            {
                ranges.Add(Range(Introduced(rng, target), Event("last_affected", target.ToString())));
            }
            else
            {
                foreach (var listed in Neighbours(target, includeSelf: true))
                {
                    versions.Add(listed);
                }
            }
        }
        else if (shape < 40)
        {
            // Fixed at or below the installed version.
            var fixedAt = rng.Next(2) == 0 || target is { Major: 0, Minor: 0, Patch: 0 } ? target : Below(rng, target);
            ranges.Add(Range(Event("introduced", "0"), Fixed(fixedAt)));
        }
        else if (shape < 75)
        {
            // Introduced above the installed version.
            var from = new Version(target.Major + 1 + rng.Next(3), rng.Next(5), 0);
            ranges.Add(Range(Event("introduced", from.ToString()), Event("fixed", $"{from.Major}.{from.Minor + 1 + rng.Next(4)}.{rng.Next(5)}")));
        }
        else if (shape < 85 && target.Patch > 0)
        {
            ranges.Add(Range(Event("introduced", "0"), Event("last_affected", (target with { Patch = target.Patch - 1 }).ToString())));
        }
        else
        {
            foreach (var listed in Neighbours(target, includeSelf: false))
            {
                versions.Add(listed);
            }

            if (versions.Count == 0)
            {
                versions.Add($"{target.Major + 20}.0.0");
            }
        }

        if (ranges.Count > 0)
        {
            affected["ranges"] = ranges;
        }

        if (versions.Count > 0 || rng.Next(4) == 0)
        {
            affected["versions"] = versions;
        }

        affected["database_specific"] = new JsonObject { ["source"] = $"https://github.com/advisories/{Ghsa(index)}/GHSA-OSV.json" };
        var year = 2015 + (index % 11);
        var record = new JsonObject
        {
            ["schema_version"] = "1.6.0",
            ["id"] = Ghsa(index),
            ["modified"] = $"{year + 1}-{1 + rng.Next(12):00}-{1 + rng.Next(28):00}T{rng.Next(24):00}:{rng.Next(60):00}:{rng.Next(60):00}Z",
            ["published"] = $"{year}-{1 + rng.Next(12):00}-{1 + rng.Next(28):00}T00:00:00Z",
            ["aliases"] = new JsonArray($"CVE-{year}-{10_000 + index}"),
            ["summary"] = $"{Capitalised(Phrase(rng, 4, 9))} in {name}",
            ["details"] = string.Join(' ', Enumerable.Range(0, rng.Next(2, 6)).Select(_ => Capitalised(Phrase(rng, 10, 24)) + ".")),
            ["severity"] = new JsonArray(new JsonObject { ["type"] = "CVSS_V3", ["score"] = s_vectors[rng.Next(s_vectors.Length)] }),
            ["affected"] = new JsonArray(affected),
            ["references"] = new JsonArray(
                new JsonObject { ["type"] = "ADVISORY", ["url"] = $"https://nvd.nist.gov/vuln/detail/CVE-{year}-{10_000 + index}" },
                new JsonObject { ["type"] = "PACKAGE", ["url"] = $"https://github.com/{s_words[rng.Next(s_words.Length)]}/{name.TrimStart('@')}" }),
            ["database_specific"] = new JsonObject
            {
                ["cwe_ids"] = new JsonArray($"CWE-{rng.Next(20, 1000)}"),
                ["severity"] = s_severities[rng.Next(s_severities.Length)],
                ["github_reviewed"] = true,
            },
        };
        if (withdrawn)
        {
            record["withdrawn"] = $"{year + 2}-01-01T00:00:00Z";
        }

        return record;
    }

    private static JsonObject Range(params JsonObject[] events) => new() { ["type"] = "SEMVER", ["events"] = new JsonArray([.. events]) };

    private static JsonObject Event(string kind, string version) => new() { [kind] = version };

    private static JsonObject Fixed(Version version) => Event("fixed", version.ToString());

    private static JsonObject Introduced(Random rng, Version at) => new()
    {
        ["introduced"] = rng.Next(3) switch
        {
            0 => "0",
            1 => $"{at.Major}.0.0",
            _ => $"{at.Major}.{at.Minor}.0",
        },
    };

    private static Version Above(Random rng, Version v) => rng.Next(3) switch
    {
        0 => v with { Patch = v.Patch + 1 + rng.Next(3) },
        1 => new Version(v.Major, v.Minor + 1, 0),
        _ => new Version(v.Major + 1, 0, 0),
    };

    private static Version Below(Random rng, Version v) =>
        v.Patch > 0 ? v with { Patch = rng.Next(v.Patch) } : v.Minor > 0 ? new Version(v.Major, rng.Next(v.Minor), 3) : new Version(v.Major - 1, 9, 9);

    private static IEnumerable<string> Neighbours(Version v, bool includeSelf)
    {
        for (var p = Math.Max(0, v.Patch - 2); p <= v.Patch + 2; p++)
        {
            if (p != v.Patch || includeSelf)
            {
                yield return (v with { Patch = p }).ToString();
            }
        }
    }

    /// <summary>A GHSA-shaped id, unique per index (the index is encoded in the last two groups).</summary>
    private static string Ghsa(int index)
    {
        var id = new StringBuilder("GHSA-");
        for (var i = 0; i < 4; i++)
        {
            id.Append(GhsaAlphabet[(index * 7 + i) % GhsaAlphabet.Length]);
        }

        id.Append('-');
        var n = index;
        for (var i = 0; i < 8; i++)
        {
            id.Append(GhsaAlphabet[n % GhsaAlphabet.Length]);
            n /= GhsaAlphabet.Length;
            if (i == 3)
            {
                id.Append('-');
            }
        }

        return id.ToString();
    }

    private static string Phrase(Random rng, int min, int max) =>
        string.Join(' ', Enumerable.Range(0, rng.Next(min, max)).Select(_ => s_words[rng.Next(s_words.Length)]));

    private static string Capitalised(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>A lockfileVersion 3 <c>package-lock.json</c>: 90% hoisted packages, 10% nested under another; dependency edges between them.</summary>
    private static void WriteLockfile(string path, Random rng, int[] lockIndices, string[] names, Dictionary<int, Version> installed)
    {
        var keys = new string[lockIndices.Length];
        for (var i = 0; i < lockIndices.Length; i++)
        {
            var name = names[lockIndices[i]];
            keys[i] = i >= lockIndices.Length / 10 || i == 0
                ? $"node_modules/{name}"
                : $"node_modules/{names[lockIndices[lockIndices.Length - i]]}/node_modules/{name}";
        }

        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("name", "bench-app");
        writer.WriteString("version", "1.0.0");
        writer.WriteNumber("lockfileVersion", 3);
        writer.WriteBoolean("requires", true);
        writer.WriteStartObject("packages");
        writer.WriteStartObject("");
        writer.WriteString("name", "bench-app");
        writer.WriteString("version", "1.0.0");
        writer.WriteStartObject("dependencies");
        for (var i = lockIndices.Length / 10; i < lockIndices.Length; i += 8)
        {
            writer.WriteString(names[lockIndices[i]], $"^{installed[lockIndices[i]]}");
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        for (var i = 0; i < lockIndices.Length; i++)
        {
            var name = names[lockIndices[i]];
            var version = installed[lockIndices[i]].ToString();
            writer.WriteStartObject(keys[i]);
            writer.WriteString("version", version);
            writer.WriteString("resolved", $"https://registry.npmjs.org/{name}/-/{name[(name.LastIndexOf('/') + 1)..]}-{version}.tgz");
            var integrity = new byte[64];
            rng.NextBytes(integrity);
            writer.WriteString("integrity", "sha512-" + Convert.ToBase64String(integrity));
            if (rng.Next(5) == 0)
            {
                writer.WriteBoolean("dev", true);
            }

            writer.WriteString("license", rng.Next(4) == 0 ? "ISC" : "MIT");
            var requirements = rng.Next(0, 5);
            if (requirements > 0)
            {
                writer.WriteStartObject("dependencies");
                foreach (var d in Enumerable.Range(0, requirements).Select(_ => lockIndices[rng.Next(lockIndices.Length)]).Distinct())
                {
                    writer.WriteString(names[d], $"^{installed[d]}");
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
