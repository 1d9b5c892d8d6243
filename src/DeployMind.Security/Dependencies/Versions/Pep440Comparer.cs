using System.Text.RegularExpressions;

namespace DeployMind.Security.Dependencies.Versions;

/// <summary>PEP 440 ordering as <c>packaging.version</c> implements it (epochs, pre/post/dev releases, local versions).</summary>
internal sealed partial class Pep440Comparer : IVersionComparer
{
    public ParsedVersion Parse(string version) => Pep440Version.Parse(version);

    [GeneratedRegex(@"^\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\.[0-9]+)*)(?<pre>[-_\.]?(?<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_\.]?(?<pre_n>[0-9]+)?)?(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_\.]?(?<post_l>post|rev|r)[-_\.]?(?<post_n2>[0-9]+)?))?(?<dev>[-_\.]?(?<dev_l>dev)[-_\.]?(?<dev_n>[0-9]+)?)?)(?:\+(?<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant)]
    internal static partial Regex Pattern();
}

internal sealed class Pep440Version : ParsedVersion
{
    private readonly string _epoch;
    private readonly string[] _release;
    private readonly int _preRank; // -1: dev-only release (sorts first), 0..2: a/b/rc, 3: no pre-release
    private readonly string _preNumber;
    private readonly string? _post;
    private readonly string? _dev;
    private readonly string[] _local;

    private Pep440Version(string original, bool isValid, string epoch, string[] release, int preRank, string preNumber,
        string? post, string? dev, string[] local)
        : base(original, isValid)
    {
        _epoch = epoch;
        _release = release;
        _preRank = preRank;
        _preNumber = preNumber;
        _post = post;
        _dev = dev;
        _local = local;
    }

    public static Pep440Version Parse(string text)
    {
        var m = Pep440Comparer.Pattern().Match(text);
        if (!m.Success)
        {
            return new Pep440Version(text, false, "0", [], 3, "0", null, null, []);
        }

        var release = m.Groups["release"].Value.Split('.').ToList();
        while (release.Count > 1 && VersionComparers.CompareDigits(release[^1], "0") == 0)
        {
            release.RemoveAt(release.Count - 1);
        }

        string? post = null;
        if (m.Groups["post"].Success)
        {
            post = m.Groups["post_n1"].Success ? m.Groups["post_n1"].Value
                : m.Groups["post_n2"].Success ? m.Groups["post_n2"].Value : "0";
        }

        string? dev = m.Groups["dev"].Success ? (m.Groups["dev_n"].Success ? m.Groups["dev_n"].Value : "0") : null;
        int preRank;
        var preNumber = "0";
        if (m.Groups["pre"].Success)
        {
            preRank = m.Groups["pre_l"].Value.ToLowerInvariant() switch
            {
                "a" or "alpha" => 0,
                "b" or "beta" => 1,
                _ => 2,
            };
            preNumber = m.Groups["pre_n"].Success ? m.Groups["pre_n"].Value : "0";
        }
        else
        {
            // packaging: 1.0.dev1 sorts before 1.0a1, but 1.0.post1.dev1 stays after 1.0.
            preRank = post is null && dev is not null ? -1 : 3;
        }

        var local = m.Groups["local"].Success
            ? m.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.')
            : [];
        return new Pep440Version(text, true, m.Groups["epoch"].Success ? m.Groups["epoch"].Value : "0",
            [.. release], preRank, preNumber, post, dev, local);
    }

    public override int CompareTo(ParsedVersion? other)
    {
        if (other is not Pep440Version o)
        {
            return 1;
        }

        if (IsValid != o.IsValid)
        {
            // Like packaging's LegacyVersion: anything unparseable sorts below every valid version.
            return IsValid ? 1 : -1;
        }

        if (!IsValid)
        {
            return Math.Sign(string.CompareOrdinal(Original, o.Original));
        }

        var c = VersionComparers.CompareDigits(_epoch, o._epoch);
        if (c != 0)
        {
            return c;
        }

        var n = Math.Max(_release.Length, o._release.Length);
        for (var i = 0; i < n; i++)
        {
            c = VersionComparers.CompareDigits(i < _release.Length ? _release[i] : "0", i < o._release.Length ? o._release[i] : "0");
            if (c != 0)
            {
                return c;
            }
        }

        c = _preRank.CompareTo(o._preRank);
        if (c != 0)
        {
            return Math.Sign(c);
        }

        c = VersionComparers.CompareDigits(_preNumber, o._preNumber);
        if (c != 0)
        {
            return c;
        }

        c = CompareOptional(_post, o._post, missingIsHighest: false);
        if (c != 0)
        {
            return c;
        }

        c = CompareOptional(_dev, o._dev, missingIsHighest: true);
        if (c != 0)
        {
            return c;
        }

        return CompareLocal(_local, o._local);
    }

    private static int CompareOptional(string? a, string? b, bool missingIsHighest)
    {
        if (a is null || b is null)
        {
            if (a is null && b is null)
            {
                return 0;
            }

            var aHigher = a is null == missingIsHighest;
            return aHigher ? 1 : -1;
        }

        return VersionComparers.CompareDigits(a, b);
    }

    private static int CompareLocal(string[] a, string[] b)
    {
        // No local label sorts first; numeric segments sort above alphanumeric ones.
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var aNum = VersionComparers.IsDigits(a[i]);
            var bNum = VersionComparers.IsDigits(b[i]);
            var c = aNum && bNum ? VersionComparers.CompareDigits(a[i], b[i])
                : aNum != bNum ? (aNum ? 1 : -1)
                : Math.Sign(string.CompareOrdinal(a[i], b[i]));
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
