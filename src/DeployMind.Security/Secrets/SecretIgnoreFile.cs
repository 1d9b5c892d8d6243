using System.Globalization;

namespace DeployMind.Security.Secrets;

public enum SecretIgnoreKind
{
    Rule,
    Path,
    Fingerprint,
}

/// <summary>One line of <c>.deploymindignore</c>: what it suppresses and until when.</summary>
public sealed record SecretIgnoreEntry(SecretIgnoreKind Kind, string Value, DateOnly? Expires, int Line)
{
    /// <summary>Valid through the expiry day itself; expired from the next day on.</summary>
    public bool IsExpired(DateOnly today) => Expires is { } expires && today > expires;
}

/// <summary>
/// The ignore file at the scanned root. Lines: <c>rule:github-pat</c>, <c>path:tests/fixtures/**</c>,
/// <c>fingerprint:&lt;fp&gt;</c>, each optionally followed by <c>exp:YYYY-MM-DD</c>; <c>#</c> starts a comment.
/// </summary>
public sealed class SecretIgnoreFile
{
    private SecretIgnoreFile(List<SecretIgnoreEntry> entries, List<ScanProblem> problems)
    {
        Entries = entries;
        Problems = problems;
    }

    public IReadOnlyList<SecretIgnoreEntry> Entries { get; }

    /// <summary>Lines that could not be understood, with their line numbers.</summary>
    public IReadOnlyList<ScanProblem> Problems { get; }

    public static SecretIgnoreFile Empty { get; } = new([], []);

    public static SecretIgnoreFile Parse(string text, string fileName = ".deploymindignore")
    {
        var entries = new List<SecretIgnoreEntry>();
        var problems = new List<ScanProblem>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i];
            var hash = line.IndexOf(" #", StringComparison.Ordinal);
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (hash >= 0)
            {
                line = line[..hash];
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var (kind, value, error) = ParseSelector(parts[0]);
            DateOnly? expires = null;
            for (var p = 1; error is null && p < parts.Length; p++)
            {
                if (parts[p].StartsWith("exp:", StringComparison.Ordinal) && expires is null)
                {
                    if (DateOnly.TryParseExact(parts[p][4..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    {
                        expires = date;
                    }
                    else
                    {
                        error = $"expiry '{parts[p][4..]}' is not a date; use exp:YYYY-MM-DD";
                    }
                }
                else
                {
                    error = $"unexpected '{parts[p]}'; only one selector and an optional exp:YYYY-MM-DD are allowed per line";
                }
            }

            if (error is not null)
            {
                problems.Add(new ScanProblem(fileName, number, error));
                continue;
            }

            entries.Add(new SecretIgnoreEntry(kind, value!, expires, number));
        }

        return new SecretIgnoreFile(entries, problems);
    }

    private static (SecretIgnoreKind Kind, string? Value, string? Error) ParseSelector(string selector)
    {
        var colon = selector.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == selector.Length - 1)
        {
            return (default, null, $"'{selector}' is not an entry; use rule:<id>, path:<glob> or fingerprint:<fingerprint>");
        }

        var value = selector[(colon + 1)..];
        return selector[..colon] switch
        {
            "rule" => (SecretIgnoreKind.Rule, value, null),
            "path" => (SecretIgnoreKind.Path, value, null),
            "fingerprint" => (SecretIgnoreKind.Fingerprint, value, null),
            var other => (default, null, $"unknown entry kind '{other}'; use rule:, path: or fingerprint:"),
        };
    }
}
