using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Pipeline.Configuration;

/// <summary>
/// Durations as written in <c>deploymind.yml</c>: a number with a unit (<c>500ms</c>, <c>30s</c>,
/// <c>15m</c>, <c>2h</c>, <c>7d</c>), several of them together (<c>1h30m</c>), or plain seconds (<c>90</c>).
/// </summary>
public static partial class Duration
{
    public const string Form = "a duration such as 500ms, 30s, 15m, 2h, 7d or 1h30m, or plain seconds such as 90";

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        if (double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return TryFromMilliseconds(seconds * 1000, out value);
        }

        if (!Pattern().IsMatch(trimmed))
        {
            return false;
        }

        double totalMs = 0;
        foreach (Match part in Part().Matches(trimmed))
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            totalMs += amount * part.Groups[2].Value switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => 86_400_000,
            };
        }

        return TryFromMilliseconds(totalMs, out value);
    }

    public static TimeSpan Parse(string? text, string field) => TryParse(text, out var value)
        ? value
        : throw new InvalidInputException(field, $"{field} '{text}' is not a duration; expected {Form}");

    /// <summary>The shortest text <see cref="TryParse"/> reads back as the same value (to the millisecond).</summary>
    public static string Format(TimeSpan value)
    {
        var ms = (long)Math.Round(value.TotalMilliseconds);
        if (ms <= 0)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        foreach (var (unit, size) in s_units)
        {
            if (ms >= size)
            {
                builder.Append(CultureInfo.InvariantCulture, $"{ms / size}{unit}");
                ms %= size;
            }
        }

        return builder.ToString();
    }

    private static readonly (string Unit, long Size)[] s_units =
        [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)];

    private static bool TryFromMilliseconds(double ms, out TimeSpan value)
    {
        // Anything past a year is a typo, and it keeps TimeSpan arithmetic far from overflow.
        if (double.IsNaN(ms) || ms < 0 || ms > TimeSpan.FromDays(366).TotalMilliseconds)
        {
            value = TimeSpan.Zero;
            return false;
        }

        value = TimeSpan.FromMilliseconds(Math.Round(ms));
        return true;
    }

    [GeneratedRegex(@"^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
