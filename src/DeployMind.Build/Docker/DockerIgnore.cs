using System.Text;
using System.Text.RegularExpressions;

namespace DeployMind.Build.Docker;

/// <summary>
/// The <c>.dockerignore</c> rules the build context honours: one pattern a line, <c>#</c> comments,
/// <c>*</c> and <c>?</c> within a path segment, <c>**</c> across segments, <c>!</c> to re-include, the last
/// matching line wins, and a pattern that matches a directory excludes everything below it.
/// Character classes (<c>[a-z]</c>) and <c>\</c> escapes are not supported: such lines match literally.
/// </summary>
public sealed class DockerIgnore
{
    private readonly IReadOnlyList<Rule> _rules;

    private DockerIgnore(IReadOnlyList<Rule> rules) => _rules = rules;

    public static DockerIgnore Empty { get; } = new([]);

    /// <summary>True when some rule re-includes paths, so excluded directories must still be walked.</summary>
    public bool HasNegations => _rules.Any(r => r.Negated);

    public static DockerIgnore Load(string contextDirectory)
    {
        var path = Path.Combine(contextDirectory, ".dockerignore");
        return File.Exists(path) ? Parse(File.ReadAllText(path)) : Empty;
    }

    public static DockerIgnore Parse(string text)
    {
        var rules = new List<Rule>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var negated = line.StartsWith('!');
            if (negated)
            {
                line = line[1..].Trim();
            }

            line = Normalize(line);
            if (line.Length == 0)
            {
                continue;
            }

            rules.Add(new Rule(negated, new Regex(ToRegex(line), RegexOptions.CultureInvariant)));
        }

        return new DockerIgnore(rules);
    }

    /// <summary>Whether a path relative to the context (forward slashes) is left out of the build context.</summary>
    public bool IsExcluded(string relativePath)
    {
        var path = Normalize(relativePath);
        var excluded = false;
        foreach (var rule in _rules)
        {
            if (rule.Pattern.IsMatch(path))
            {
                excluded = !rule.Negated;
            }
        }

        return excluded;
    }

    private static string Normalize(string path)
    {
        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p != ".");
        return string.Join('/', parts);
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var slashFollows = i + 2 < pattern.Length && pattern[i + 2] == '/';
                sb.Append(slashFollows ? "(?:.*/)?" : ".*");
                i += slashFollows ? 2 : 1;
            }
            else if (c == '*')
            {
                sb.Append("[^/]*");
            }
            else if (c == '?')
            {
                sb.Append("[^/]");
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }

        // A match on a directory covers its contents.
        sb.Append("(?:/.*)?$");
        return sb.ToString();
    }

    private sealed record Rule(bool Negated, Regex Pattern);
}
