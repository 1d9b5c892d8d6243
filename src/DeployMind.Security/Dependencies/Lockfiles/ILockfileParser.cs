namespace DeployMind.Security.Dependencies.Lockfiles;

/// <summary>Reads one lockfile or manifest format into dependencies.</summary>
public interface ILockfileParser
{
    /// <summary>A short name of the format for messages ("package-lock.json", "yarn.lock", ...).</summary>
    string Format { get; }

    string Ecosystem { get; }

    /// <summary>True when <paramref name="fileName"/> (no directory) is this format's canonical file name.</summary>
    bool Matches(string fileName);

    /// <summary>
    /// Parses the file at <paramref name="fullPath"/>, reporting it as <paramref name="displayPath"/>.
    /// Throws <see cref="LockfileFormatException"/> (or the underlying JSON/YAML/XML exception) when it is malformed.
    /// </summary>
    LockfileParseResult Parse(string fullPath, string displayPath);
}

/// <summary>The dependencies read from one file, and what in it could not be checked.</summary>
public sealed record LockfileParseResult(IReadOnlyList<Dependency> Dependencies, IReadOnlyList<ScanProblem> Problems)
{
    public static LockfileParseResult Of(IEnumerable<Dependency> dependencies, IEnumerable<ScanProblem>? problems = null) =>
        new(dependencies.ToList(), problems?.ToList() ?? []);
}

/// <summary>A lockfile is not in the form its format requires.</summary>
public sealed class LockfileFormatException(string message, int? line = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? Line { get; } = line;
}

/// <summary>Finds the line of text in a file, for formats whose parsers do not track positions (JSON).</summary>
internal sealed class LineFinder(string text)
{
    private int[]? _lineStarts;

    private int _cursor;

    /// <summary>
    /// The 1-based line of the first occurrence of <paramref name="needle"/> at or after line <paramref name="fromLine"/>;
    /// null when absent. Searches continue from the previous hit first, so looking up entries in document order stays linear.
    /// </summary>
    public int? Find(string needle, int fromLine = 1)
    {
        _lineStarts ??= ComputeLineStarts(text);
        var from = fromLine - 1 < _lineStarts.Length ? _lineStarts[Math.Max(0, fromLine - 1)] : text.Length;
        var index = _cursor > from ? text.IndexOf(needle, _cursor, StringComparison.Ordinal) : -1;
        if (index < 0)
        {
            index = text.IndexOf(needle, from, StringComparison.Ordinal);
        }

        if (index < 0)
        {
            return null;
        }

        _cursor = index + needle.Length;
        return LineOf(index);
    }

    public int LineOf(int index)
    {
        _lineStarts ??= ComputeLineStarts(text);
        var i = Array.BinarySearch(_lineStarts, index);
        return (i >= 0 ? i : ~i - 1) + 1;
    }

    private static int[] ComputeLineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return [.. starts];
    }
}
