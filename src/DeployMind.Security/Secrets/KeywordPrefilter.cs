using System.Buffers;
using System.Text;

namespace DeployMind.Security.Secrets;

/// <summary>
/// Decides which rules can match a file by looking for their keywords, case-insensitively: the file is
/// lower-cased once (vectorized) and searched ordinally, which keeps <see cref="SearchValues{T}"/> on its
/// fast vectorized path even for a hundred keywords.
/// Keywords that occur everywhere in code ("key", "token", short ones) would stop a combined search at
/// every occurrence, so each of those is searched on its own and only up to its first hit; the rare
/// keywords are searched in groups of 16.
/// </summary>
internal sealed class KeywordPrefilter
{
    private const int WastedHitsBeforeFallback = 64;

    // Measured on real source text: groups of 16-32 keywords keep SearchValues fastest.
    private const int RareGroupSize = 16;

    private readonly string[] _keywords;
    private readonly int[][] _rulesOfKeyword;
    private readonly SearchValues<string>[] _single;
    private readonly int[] _frequent;
    private readonly (SearchValues<string> Values, int[] Keywords)[] _rareGroups;
    private readonly bool[] _alwaysActive;

    /// <param name="keywordsPerRule">For each rule, its keywords; a rule without keywords is always active.</param>
    /// <param name="frequentRules">Rules whose keywords are common words (generic rules); may be null.</param>
    public KeywordPrefilter(IReadOnlyList<IReadOnlyList<string>> keywordsPerRule, IReadOnlyList<bool>? frequentRules = null)
    {
        _alwaysActive = new bool[keywordsPerRule.Count];
        var rulesByKeyword = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        var frequent = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < keywordsPerRule.Count; r++)
        {
            if (keywordsPerRule[r].Count == 0)
            {
                _alwaysActive[r] = true;
                continue;
            }

            foreach (var keyword in keywordsPerRule[r].Where(k => k.Length > 0).Select(k => k.ToLowerInvariant()))
            {
                if (!rulesByKeyword.TryGetValue(keyword, out var rules))
                {
                    rulesByKeyword[keyword] = rules = [];
                    order.Add(keyword);
                }

                rules.Add(r);
                if (keyword.Length <= 3 || (frequentRules is not null && frequentRules[r]))
                {
                    frequent.Add(keyword);
                }
            }
        }

        _keywords = [.. order];
        _rulesOfKeyword = [.. order.Select(k => rulesByKeyword[k].ToArray())];
        _single = [.. order.Select(k => SearchValues.Create([k], StringComparison.Ordinal))];
        _frequent = [.. Enumerable.Range(0, order.Count).Where(i => frequent.Contains(order[i]))];
        _rareGroups = [.. Enumerable.Range(0, order.Count).Where(i => !frequent.Contains(order[i])).Chunk(RareGroupSize)
            .Select(group => (SearchValues.Create([.. group.Select(i => order[i])], StringComparison.Ordinal), group))];
    }

    public bool[] ActiveRules(ReadOnlySpan<char> content)
    {
        var active = (bool[])_alwaysActive.Clone();
        if (_keywords.Length == 0 || content.IsEmpty)
        {
            return active;
        }

        var buffer = ArrayPool<char>.Shared.Rent(content.Length);
        try
        {
            var lower = buffer.AsSpan(0, content.Length);
            LowerAscii(content, lower);
            foreach (var k in _frequent)
            {
                if (!IsSatisfied(k, active) && lower.IndexOfAny(_single[k]) >= 0)
                {
                    Activate(k, active);
                }
            }

            foreach (var (values, keywords) in _rareGroups)
            {
                SearchGroup(lower, values, keywords, active);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        return active;
    }

    /// <summary>Lower-cases ASCII letters (vectorized); other characters are copied as they are, since keywords are ASCII.</summary>
    internal static void LowerAscii(ReadOnlySpan<char> source, Span<char> destination)
    {
        while (!source.IsEmpty)
        {
            if (Ascii.ToLower(source, destination, out var written) == OperationStatus.Done)
            {
                return;
            }

            var i = written;
            while (i < source.Length && !char.IsAscii(source[i]))
            {
                destination[i] = source[i];
                i++;
            }

            source = source[i..];
            destination = destination[i..];
        }
    }

    private void SearchGroup(ReadOnlySpan<char> lower, SearchValues<string> values, int[] keywords, bool[] active)
    {
        var position = 0;
        var wasted = 0;
        while (position < lower.Length && !AllSatisfied(keywords, active))
        {
            var found = lower[position..].IndexOfAny(values);
            if (found < 0)
            {
                return;
            }

            position += found;
            var rest = lower[position..];
            var useful = false;
            foreach (var k in keywords)
            {
                if (!IsSatisfied(k, active) && rest.StartsWith(_keywords[k], StringComparison.Ordinal))
                {
                    Activate(k, active);
                    useful = true;
                }
            }

            if (!useful && ++wasted > WastedHitsBeforeFallback)
            {
                // A "rare" keyword turns out to be frequent in this file: finish one keyword at a time.
                foreach (var k in keywords)
                {
                    if (!IsSatisfied(k, active) && rest.IndexOfAny(_single[k]) >= 0)
                    {
                        Activate(k, active);
                    }
                }

                return;
            }

            position++;
        }
    }

    private bool IsSatisfied(int keyword, bool[] active)
    {
        foreach (var r in _rulesOfKeyword[keyword])
        {
            if (!active[r])
            {
                return false;
            }
        }

        return true;
    }

    private bool AllSatisfied(int[] keywords, bool[] active)
    {
        foreach (var k in keywords)
        {
            if (!IsSatisfied(k, active))
            {
                return false;
            }
        }

        return true;
    }

    private void Activate(int keyword, bool[] active)
    {
        foreach (var r in _rulesOfKeyword[keyword])
        {
            active[r] = true;
        }
    }
}
