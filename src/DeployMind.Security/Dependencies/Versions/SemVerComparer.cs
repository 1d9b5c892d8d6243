namespace DeployMind.Security.Dependencies.Versions;

internal enum SemVerFlavor
{
    /// <summary>npm, crates.io and OSV SEMVER ranges: SemVer 2.0, lenient about a missing minor/patch ("1.0").</summary>
    Strict,

    /// <summary>Go modules: a leading "v", "+incompatible", pseudo-versions (pre-releases that order by timestamp).</summary>
    Go,

    /// <summary>NuGet: up to four numeric parts, pre-release labels compared case-insensitively.</summary>
    NuGet,
}

/// <summary>SemVer 2.0 ordering; build metadata is ignored, a pre-release orders below its release.</summary>
internal sealed class SemVerComparer(SemVerFlavor flavor) : IVersionComparer
{
    public ParsedVersion Parse(string version) => SemVersion.Parse(version, flavor == SemVerFlavor.NuGet);
}

internal sealed class SemVersion : ParsedVersion
{
    private readonly string[] _release;
    private readonly string[] _prerelease;
    private readonly bool _ignoreCase;

    private SemVersion(string original, bool isValid, string[] release, string[] prerelease, bool ignoreCase)
        : base(original, isValid)
    {
        _release = release;
        _prerelease = prerelease;
        _ignoreCase = ignoreCase;
    }

    public static SemVersion Parse(string text, bool ignoreCase)
    {
        var s = text.Trim();
        if (s.StartsWith('v') || s.StartsWith('V') || s.StartsWith('='))
        {
            s = s[1..];
        }

        var plus = s.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            s = s[..plus];
        }

        var dash = s.IndexOf('-', StringComparison.Ordinal);
        var core = dash >= 0 ? s[..dash] : s;
        var pre = dash >= 0 ? s[(dash + 1)..] : "";
        var valid = core.Length > 0;
        var release = new List<string>();
        var extraPre = "";
        foreach (var part in core.Split('.'))
        {
            // "1.0.0rc1"-style or "1.2.x" parts: keep the leading digits and treat the rest as a pre-release label.
            var digits = 0;
            while (digits < part.Length && char.IsAsciiDigit(part[digits]))
            {
                digits++;
            }

            if (digits == 0 || extraPre.Length > 0)
            {
                valid = false;
                extraPre = extraPre.Length > 0 ? extraPre + "." + part : part;
                continue;
            }

            release.Add(part[..digits]);
            if (digits < part.Length)
            {
                valid = false;
                extraPre = part[digits..];
            }
        }

        if (extraPre.Length > 0)
        {
            pre = pre.Length > 0 ? extraPre + "." + pre : extraPre;
        }

        while (release.Count < 3)
        {
            release.Add("0");
        }

        return new SemVersion(text, valid, [.. release], pre.Length == 0 ? [] : pre.Split('.'), ignoreCase);
    }

    public override int CompareTo(ParsedVersion? other)
    {
        if (other is not SemVersion o)
        {
            return 1;
        }

        var n = Math.Max(_release.Length, o._release.Length);
        for (var i = 0; i < n; i++)
        {
            var c = VersionComparers.CompareDigits(i < _release.Length ? _release[i] : "0", i < o._release.Length ? o._release[i] : "0");
            if (c != 0)
            {
                return c;
            }
        }

        if (_prerelease.Length == 0 || o._prerelease.Length == 0)
        {
            return o._prerelease.Length.CompareTo(_prerelease.Length) switch
            {
                0 => 0,
                var c => c < 0 ? -1 : 1,
            };
        }

        var m = Math.Min(_prerelease.Length, o._prerelease.Length);
        for (var i = 0; i < m; i++)
        {
            var c = CompareIdentifier(_prerelease[i], o._prerelease[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return _prerelease.Length.CompareTo(o._prerelease.Length);
    }

    private int CompareIdentifier(string a, string b)
    {
        var aNum = VersionComparers.IsDigits(a);
        var bNum = VersionComparers.IsDigits(b);
        if (aNum && bNum)
        {
            return VersionComparers.CompareDigits(a, b);
        }

        if (aNum != bNum)
        {
            return aNum ? -1 : 1;
        }

        var c = _ignoreCase ? string.Compare(a, b, StringComparison.OrdinalIgnoreCase) : string.CompareOrdinal(a, b);
        return Math.Sign(c);
    }
}
