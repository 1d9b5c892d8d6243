using System.Text.RegularExpressions;

namespace DeployMind.Security.Dependencies;

/// <summary>OSV ecosystem names and each ecosystem's package-name normalisation.</summary>
public static partial class Ecosystems
{
    public const string Npm = "npm";
    public const string PyPI = "PyPI";
    public const string Go = "Go";
    public const string CratesIo = "crates.io";
    public const string RubyGems = "RubyGems";
    public const string Maven = "Maven";
    public const string NuGet = "NuGet";
    public const string Packagist = "Packagist";

    public static IReadOnlyList<string> All { get; } = [Npm, PyPI, Go, CratesIo, RubyGems, Maven, NuGet, Packagist];

    /// <summary>The canonical spelling of an OSV ecosystem ("pypi" → "PyPI"; "Debian:11" → "Debian"), or the input's base when unknown.</summary>
    public static string Canonical(string ecosystem)
    {
        var colon = ecosystem.IndexOf(':', StringComparison.Ordinal);
        var name = colon >= 0 ? ecosystem[..colon] : ecosystem;
        foreach (var known in All)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return name;
    }

    /// <summary>
    /// The name two spellings of one package share: PEP 503 for PyPI, case-insensitive for NuGet and Packagist,
    /// exact elsewhere (npm, Go module paths, crates, gems, Maven group:artifact).
    /// </summary>
    public static string NormalizeName(string ecosystem, string name)
    {
        name = name.Trim();
        return ecosystem switch
        {
            PyPI => Pep503Separators().Replace(name, "-").ToLowerInvariant(),
            NuGet or Packagist => name.ToLowerInvariant(),
            _ => name,
        };
    }

    [GeneratedRegex("[-_.]+")]
    private static partial Regex Pep503Separators();
}
