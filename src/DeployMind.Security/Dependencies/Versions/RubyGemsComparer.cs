namespace DeployMind.Security.Dependencies.Versions;

/// <summary>RubyGems <c>Gem::Version</c> ordering: numeric and letter segments, a letter segment marks a pre-release.</summary>
internal sealed class RubyGemsComparer : IVersionComparer
{
    public ParsedVersion Parse(string version) => RubyGemsVersion.Parse(version);
}

internal sealed class RubyGemsVersion : ParsedVersion
{
    private readonly string[] _segments;

    private RubyGemsVersion(string original, bool isValid, string[] segments)
        : base(original, isValid) => _segments = segments;

    public static RubyGemsVersion Parse(string text)
    {
        var s = text.Trim().Replace("-", ".pre.", StringComparison.Ordinal);
        var segments = new List<string>();
        var valid = s.Length > 0 && char.IsAsciiDigit(s[0]);
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            if (char.IsAsciiDigit(s[i]))
            {
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
            }
            else if (char.IsAsciiLetter(s[i]))
            {
                while (i < s.Length && char.IsAsciiLetter(s[i]))
                {
                    i++;
                }
            }
            else
            {
                valid &= s[i] == '.';
                i++;
                continue;
            }

            segments.Add(s[start..i]);
        }

        return new RubyGemsVersion(text, valid, Canonical(segments));
    }

    // Gem::Version#canonical_segments: trailing zeros dropped from the release part and from the pre-release part.
    private static string[] Canonical(List<string> segments)
    {
        var firstLetter = segments.FindIndex(s => !VersionComparers.IsDigits(s));
        var release = firstLetter < 0 ? segments : segments[..firstLetter];
        var pre = firstLetter < 0 ? [] : segments[firstLetter..];
        TrimZeros(release);
        TrimZeros(pre);
        return [.. release, .. pre];
    }

    private static void TrimZeros(List<string> part)
    {
        while (part.Count > 0 && VersionComparers.IsDigits(part[^1]) && VersionComparers.CompareDigits(part[^1], "0") == 0)
        {
            part.RemoveAt(part.Count - 1);
        }
    }

    public override int CompareTo(ParsedVersion? other)
    {
        if (other is not RubyGemsVersion o)
        {
            return 1;
        }

        var n = Math.Max(_segments.Length, o._segments.Length);
        for (var i = 0; i < n; i++)
        {
            var a = i < _segments.Length ? _segments[i] : "0";
            var b = i < o._segments.Length ? o._segments[i] : "0";
            var aNum = VersionComparers.IsDigits(a);
            var bNum = VersionComparers.IsDigits(b);
            var c = aNum && bNum ? VersionComparers.CompareDigits(a, b)
                : aNum != bNum ? (aNum ? 1 : -1)
                : Math.Sign(string.CompareOrdinal(a, b));
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }
}
