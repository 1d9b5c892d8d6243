using System.Text;
using System.Text.RegularExpressions;

namespace DeployMind.Pipeline.Configuration;

/// <summary>Application names: lowercase letters, digits and '-', 1 to 63, starting with a letter or digit (safe in image tags and container names).</summary>
public static partial class AppName
{
    public const string Form = "lowercase letters, digits and '-' (1 to 63, starting with a letter or digit), e.g. storefront";

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    /// <summary>Turns a repository name, URL or folder into a valid app name (<c>Acme/Store_Front.git</c> → <c>store-front</c>).</summary>
    public static string Suggest(string? source)
    {
        var text = (source ?? "").Trim().TrimEnd('/', '\\');
        if (text.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^4];
        }

        var last = text.LastIndexOfAny(['/', '\\', ':']);
        if (last >= 0)
        {
            text = text[(last + 1)..];
        }

        var builder = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var name = builder.ToString().Trim('-');
        if (name.Length > 63)
        {
            name = name[..63].TrimEnd('-');
        }

        return name.Length == 0 ? "app" : name;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
