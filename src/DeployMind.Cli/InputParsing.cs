using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Cli;

/// <summary>Parses user-typed values, naming the option and the accepted forms when they are wrong.</summary>
internal static partial class InputParsing
{
    /// <summary>Accepts 2026-03-01, 2026-03-01T10:00:00Z (UTC unless an offset is given) or a look-back such as 7d, 12h, 30m.</summary>
    public static DateTime? ParseTime(string? text, string option, DateTime utcNow)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var relative = Relative().Match(text.Trim());
        if (relative.Success)
        {
            var amount = int.Parse(relative.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = relative.Groups[2].Value switch
            {
                "d" => TimeSpan.FromDays(amount),
                "h" => TimeSpan.FromHours(amount),
                "w" => TimeSpan.FromDays(7 * amount),
                _ => TimeSpan.FromMinutes(amount),
            };
            return utcNow - span;
        }

        if (DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF"],
                CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var plain))
        {
            return DateTime.SpecifyKind(plain, DateTimeKind.Utc);
        }

        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var withOffset)
            && text.Contains('T', StringComparison.Ordinal))
        {
            return withOffset.UtcDateTime;
        }

        throw new InvalidInputException(option,
            $"{option} '{text}' is not a date; use YYYY-MM-DD, an ISO 8601 time such as 2026-03-01T10:00:00Z, or a look-back such as 7d, 12h or 30m");
    }

    [GeneratedRegex("^([0-9]{1,5})([mhdw])$", RegexOptions.CultureInvariant)]
    private static partial Regex Relative();
}
