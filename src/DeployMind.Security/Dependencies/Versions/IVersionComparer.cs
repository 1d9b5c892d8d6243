namespace DeployMind.Security.Dependencies.Versions;

/// <summary>A version parsed once by its ecosystem's rules, ordered against others of the same scheme.</summary>
public abstract class ParsedVersion
{
    protected ParsedVersion(string original, bool isValid)
    {
        Original = original;
        IsValid = isValid;
    }

    public string Original { get; }

    /// <summary>False when the text does not follow the scheme; such a version is ordered best-effort and never range-matched.</summary>
    public bool IsValid { get; }

    /// <summary>Orders against a version parsed by the same comparer (negative, zero or positive).</summary>
    public abstract int CompareTo(ParsedVersion? other);

    public override string ToString() => Original;
}

/// <summary>One ecosystem's version ordering.</summary>
public interface IVersionComparer : IComparer<string>
{
    ParsedVersion Parse(string version);

    int IComparer<string>.Compare(string? x, string? y) => Parse(x ?? "").CompareTo(Parse(y ?? ""));
}

/// <summary>The version comparer for each OSV ecosystem and range type.</summary>
public static class VersionComparers
{
    public static IVersionComparer SemVer { get; } = new SemVerComparer(SemVerFlavor.Strict);

    public static IVersionComparer Go { get; } = new SemVerComparer(SemVerFlavor.Go);

    public static IVersionComparer NuGet { get; } = new SemVerComparer(SemVerFlavor.NuGet);

    public static IVersionComparer Pep440 { get; } = new Pep440Comparer();

    public static IVersionComparer RubyGems { get; } = new RubyGemsComparer();

    public static IVersionComparer Maven { get; } = new MavenComparer();

    public static IVersionComparer Composer { get; } = new ComposerComparer();

    /// <summary>The comparer for an ECOSYSTEM range (or an installed version) of <paramref name="ecosystem"/>; null when unsupported.</summary>
    public static IVersionComparer? ForEcosystem(string ecosystem) => ecosystem switch
    {
        Ecosystems.Npm or Ecosystems.CratesIo => SemVer,
        Ecosystems.Go => Go,
        Ecosystems.PyPI => Pep440,
        Ecosystems.RubyGems => RubyGems,
        Ecosystems.Maven => Maven,
        Ecosystems.NuGet => NuGet,
        Ecosystems.Packagist => Composer,
        _ => null,
    };

    /// <summary>The comparer for an OSV range of <paramref name="rangeType"/> (SEMVER or ECOSYSTEM); null for GIT and unknown types.</summary>
    public static IVersionComparer? ForRange(string rangeType, string ecosystem) => rangeType switch
    {
        "SEMVER" => ecosystem == Ecosystems.Go ? Go : SemVer,
        "ECOSYSTEM" => ForEcosystem(ecosystem),
        _ => null,
    };

    /// <summary>Orders two digit strings by numeric value without overflow (Go pseudo-version timestamps exceed int).</summary>
    internal static int CompareDigits(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
    }

    internal static bool IsDigits(ReadOnlySpan<char> s) => s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');
}
