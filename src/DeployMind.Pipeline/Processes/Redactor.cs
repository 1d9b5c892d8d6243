using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace DeployMind.Pipeline.Processes;

/// <summary>
/// Masks secrets in text before it is logged, stored or put in an exception: each secret as written,
/// URL-encoded and base64-encoded (at any alignment inside a longer base64 run), and the password
/// part of <c>scheme://user:password@host</c> URLs.
/// </summary>
public sealed partial class Redactor
{
    public const string Mask = "***";

    // Base64 fragments shorter than this are too likely to match ordinary text.
    private const int MinimumBase64FragmentLength = 8;

    private readonly string[] _patterns;

    public Redactor(params IEnumerable<string?> secrets)
    {
        Secrets = [.. secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct(StringComparer.Ordinal)];
        _patterns = [.. Secrets.SelectMany(Forms).Distinct(StringComparer.Ordinal).OrderByDescending(p => p.Length)];
    }

    /// <summary>A redactor that only masks URL credentials.</summary>
    public static Redactor None { get; } = new();

    public IReadOnlyList<string> Secrets { get; }

    /// <summary>A redactor that masks this one's secrets and the given ones.</summary>
    public Redactor With(params IEnumerable<string?> secrets) => new(Secrets.Concat(secrets));

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        foreach (var pattern in _patterns)
        {
            if (text.Contains(pattern, StringComparison.Ordinal))
            {
                text = text.Replace(pattern, Mask, StringComparison.Ordinal);
            }
        }

        return UrlCredentials().Replace(text, MaskCredentials);
    }

    private static string MaskCredentials(Match match)
    {
        var scheme = match.Groups["scheme"].Value;
        var user = match.Groups["user"].Value;
        if (match.Groups["password"].Success)
        {
            return $"{scheme}://{(user.Length == 0 || user == Mask ? Mask : user)}:{Mask}@";
        }

        // A lone user name on http(s) is usually a token (https://TOKEN@github.com); ssh users (git@) are not.
        return scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase)
            ? $"{scheme}://{Mask}@"
            : match.Value;
    }

    private static IEnumerable<string> Forms(string secret)
    {
        yield return secret;
        yield return Uri.EscapeDataString(secret);
        yield return WebUtility.UrlEncode(secret);
        var bytes = Encoding.UTF8.GetBytes(secret);
        yield return Convert.ToBase64String(bytes);
        yield return Convert.ToBase64String(bytes).TrimEnd('=');
        foreach (var fragment in Base64Fragments(bytes))
        {
            yield return fragment;
        }
    }

    /// <summary>
    /// The characters that encode only the secret when it sits at byte offset 0, 1 or 2 of a base64
    /// group, e.g. the token inside <c>base64("x-access-token:" + token)</c>.
    /// </summary>
    private static IEnumerable<string> Base64Fragments(byte[] secret)
    {
        for (var offset = 0; offset < 3; offset++)
        {
            var padded = new byte[offset + secret.Length];
            secret.CopyTo(padded, offset);
            var encoded = Convert.ToBase64String(padded).TrimEnd('=');
            var skip = (offset * 8 + 5) / 6;
            var totalBits = padded.Length * 8;
            var keep = totalBits / 6 - skip;
            if (keep >= MinimumBase64FragmentLength)
            {
                yield return encoded.Substring(skip, keep);
            }
        }
    }

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?<user>[^/@\s:?#]*)(?::(?<password>[^/@\s?#]*))?@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlCredentials();
}
