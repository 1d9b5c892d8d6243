using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Security.Secrets;

/// <summary>
/// One kind of secret: a regex whose group <c>secret</c> (or group 1) captures the secret itself, the
/// keywords that must occur in a file before the regex runs, and the checks that drop false positives.
/// </summary>
public sealed class SecretRule
{
    private readonly Lazy<Regex> _regex;
    private readonly Lazy<Regex?> _path;
    private readonly Lazy<Regex[]> _allow;

    public SecretRule()
    {
        _regex = new Lazy<Regex>(() => new Regex(Pattern!, RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromSeconds(5)));
        _path = new Lazy<Regex?>(() => PathPattern is null ? null : new Regex(PathPattern, RegexOptions.CultureInvariant));
        _allow = new Lazy<Regex[]>(() => [.. AllowPatterns.Select(p => new Regex(p, RegexOptions.CultureInvariant))]);
    }

    /// <summary>Stable kebab-case id used in findings, ignore files and allow comments: github-pat, aws-access-key-id.</summary>
    public required string Id { get; init; }

    /// <summary>Provider or kind, e.g. AWS, GitHub, Slack, Generic.</summary>
    public required string Category { get; init; }

    public required string Title { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>.NET regex (PCRE-compatible); the secret is the named group <c>secret</c>.</summary>
    public required string Pattern { get; init; }

    /// <summary>Case-insensitive literals of which at least one must occur in a file for the regex to run; empty means always run.</summary>
    public required IReadOnlyList<string> Keywords { get; init; }

    /// <summary>Optional regex over the '/'-separated relative path; the rule only applies to matching files.</summary>
    public string? PathPattern { get; init; }

    /// <summary>Minimum Shannon entropy (bits per character) of the secret; 0 disables the check.</summary>
    public double MinEntropy { get; init; }

    /// <summary>Regexes over the secret; a secret matching any of them is a known placeholder or false positive.</summary>
    public IReadOnlyList<string> AllowPatterns { get; init; } = [];

    /// <summary>Generic rules yield to a specific rule that found the same text.</summary>
    public bool IsGeneric { get; init; }

    public string Description => $"A {Title} in source code is readable by anyone with access to the repository, its history, build logs or the image.";

    public string Fix => "Revoke and rotate the credential now, remove it from the code and its history, and load it at runtime from a secret store or environment variable.";

    public Regex Regex => _regex.Value;

    internal bool AppliesTo(string relativePath) => _path.Value is null || _path.Value.IsMatch(relativePath);

    internal bool IsAllowed(string secret)
    {
        if (MinEntropy > 0 && SecretText.ShannonEntropy(secret) < MinEntropy)
        {
            return true;
        }

        foreach (var allow in _allow.Value)
        {
            if (allow.IsMatch(secret))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => $"{Id} ({Category}, {Severity.ToWire()})";
}

/// <summary>Entropy, redaction and fingerprints: the only places a scanner touches secret text.</summary>
public static class SecretText
{
    private const string Mask = "*****";

    /// <summary>Secrets shorter than this are shown as the mask alone.</summary>
    public const int MinLengthToShowPrefix = 12;

    public static double ShannonEntropy(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        Span<int> ascii = stackalloc int[128];
        var other = new Dictionary<char, int>();
        foreach (var c in value)
        {
            if (c < 128)
            {
                ascii[c]++;
            }
            else
            {
                other[c] = other.GetValueOrDefault(c) + 1;
            }
        }

        double entropy = 0;
        double length = value.Length;
        foreach (var count in ascii)
        {
            if (count > 0)
            {
                var p = count / length;
                entropy -= p * Math.Log2(p);
            }
        }

        foreach (var count in other.Values)
        {
            var p = count / length;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }

    /// <summary>At most the first 4 characters, then <c>*****</c>; only the mask for short secrets.</summary>
    public static string Redact(string secret) =>
        secret.Length < MinLengthToShowPrefix ? Mask : string.Concat(secret.AsSpan(0, 4), Mask);

    /// <summary><c>ruleId:path:hash</c>, where hash is the first 16 hex digits of SHA-256 of the secret.</summary>
    public static string Fingerprint(string ruleId, string relativePath, string secret)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);
        return $"{ruleId}:{relativePath}:{Convert.ToHexStringLower(hash[..8])}";
    }
}
