using System.Text.RegularExpressions;

namespace DeployMind.Security.Dependencies.Versions;

/// <summary>
/// Composer (Packagist) ordering: up to four numeric parts with an optional "v", then a stability suffix
/// dev &lt; alpha &lt; beta &lt; RC &lt; stable &lt; patch, each with an optional number.
/// </summary>
internal sealed partial class ComposerComparer : IVersionComparer
{
    public ParsedVersion Parse(string version) => ComposerVersion.Parse(version);

    [GeneratedRegex(@"^\s*v?(?<num>[0-9]+(?:\.[0-9]+){0,3})(?:[._-]?(?<stab>stable|beta|b|rc|alpha|a|patch|pl|p)(?:[.-]?(?<sn>[0-9]+(?:\.[0-9]+)*))?)?(?<dev>[.-]?dev)?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant)]
    internal static partial Regex Pattern();
}

internal sealed class ComposerVersion : ParsedVersion
{
    private readonly string[] _numbers;
    private readonly int _stability;
    private readonly string[] _stabilityNumber;

    private ComposerVersion(string original, bool isValid, string[] numbers, int stability, string[] stabilityNumber)
        : base(original, isValid)
    {
        _numbers = numbers;
        _stability = stability;
        _stabilityNumber = stabilityNumber;
    }

    public static ComposerVersion Parse(string text)
    {
        var m = ComposerComparer.Pattern().Match(text);
        if (!m.Success)
        {
            // Branch names like "dev-main" have no order; they are kept but never range-matched.
            return new ComposerVersion(text, false, [], 0, []);
        }

        var numbers = m.Groups["num"].Value.Split('.').ToList();
        while (numbers.Count < 4)
        {
            numbers.Add("0");
        }

        var stability = m.Groups["stab"].Success
            ? m.Groups["stab"].Value.ToLowerInvariant() switch
            {
                "alpha" or "a" => 1,
                "beta" or "b" => 2,
                "rc" => 3,
                "stable" => 4,
                _ => 5,
            }
            : 4;
        var stabilityNumber = m.Groups["sn"].Success ? m.Groups["sn"].Value.Split('.') : [];
        if (m.Groups["dev"].Success)
        {
            // "1.0.0-dev" or "1.0.0-beta-dev": below every non-dev build of that stability.
            stability = stability == 4 ? 0 : stability;
            stabilityNumber = [.. stabilityNumber, "-1"];
        }

        return new ComposerVersion(text, true, [.. numbers], stability, stabilityNumber);
    }

    public override int CompareTo(ParsedVersion? other)
    {
        if (other is not ComposerVersion o)
        {
            return 1;
        }

        if (IsValid != o.IsValid)
        {
            return IsValid ? 1 : -1;
        }

        if (!IsValid)
        {
            return Math.Sign(string.CompareOrdinal(Original, o.Original));
        }

        for (var i = 0; i < 4; i++)
        {
            var c = VersionComparers.CompareDigits(_numbers[i], o._numbers[i]);
            if (c != 0)
            {
                return c;
            }
        }

        if (_stability != o._stability)
        {
            return _stability < o._stability ? -1 : 1;
        }

        var n = Math.Max(_stabilityNumber.Length, o._stabilityNumber.Length);
        for (var i = 0; i < n; i++)
        {
            var a = i < _stabilityNumber.Length ? _stabilityNumber[i] : "0";
            var b = i < o._stabilityNumber.Length ? o._stabilityNumber[i] : "0";
            var c = a == "-1" || b == "-1" ? (a == b ? 0 : a == "-1" ? -1 : 1) : VersionComparers.CompareDigits(a, b);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }
}
