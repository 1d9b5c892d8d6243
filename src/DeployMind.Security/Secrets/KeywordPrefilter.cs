using System.Buffers;

namespace DeployMind.Security.Secrets;

/// <summary>
/// Decides which rules can match a file by looking for their keywords, case-insensitively. Keywords are
/// searched in small groups, because <see cref="SearchValues{T}"/> stays vectorized (Teddy) for a few
/// values and falls back to a much slower automaton for many. A keyword that keeps hitting after its
/// rules are already active (e.g. "key" in source code) would stall the group on every occurrence,
/// so the group then switches to one vectorized first-hit search per remaining keyword.
/// </summary>
internal sealed class KeywordPrefilter
{
    private const int GroupSize = 8;
    private const int WastedHitsBeforeSplit = 8;

    private readonly string[] _keywords;
    private readonly int[][] _rulesOfKeyword;
    private readonly SearchValues<string>[] _single;
    private readonly (SearchValues<string> Values, int[] Keywords)[] _groups;
    private readonly bool[] _alwaysActive;

    /// <param name="keywordsPerRule">For each rule, its keywords; a rule without keywords is always active.</param>
    public KeywordPrefilter(IReadOnlyList<IReadOnlyList<string>> keywordsPerRule)
    {
        _alwaysActive = new bool[keywordsPerRule.Count];
        var rulesByKeyword = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        for (var r = 0; r < keywordsPerRule.Count; r++)
        {
            if (keywordsPerRule[r].Count == 0)
            {
                _alwaysActive[r] = true;
                continue;
            }

            foreach (var keyword in keywordsPerRule[r].Where(k => k.Length > 0))
            {
                if (!rulesByKeyword.TryGetValue(keyword, out var rules))
                {
                    rulesByKeyword[keyword] = rules = [];
                    order.Add(keyword);
                }

                rules.Add(r);
            }
        }

        _keywords = [.. order];
        _rulesOfKeyword = [.. order.Select(k => rulesByKeyword[k].ToArray())];
        _single = [.. order.Select(k => SearchValues.Create([k], StringComparison.OrdinalIgnoreCase))];
        _groups = [.. Enumerable.Range(0, order.Count).Chunk(GroupSize)
            .Select(chunk => (SearchValues.Create([.. chunk.Select(i => order[i])], StringComparison.OrdinalIgnoreCase), chunk))];
    }

    public bool[] ActiveRules(ReadOnlySpan<char> content)
    {
        var active = (bool[])_alwaysActive.Clone();
        foreach (var (values, keywords) in _groups)
        {
            if (AllSatisfied(keywords, active))
            {
                continue;
            }

            var position = 0;
            var wasted = 0;
            while (position < content.Length)
            {
                var found = content[position..].IndexOfAny(values);
                if (found < 0)
                {
                    break;
                }

                position += found;
                var rest = content[position..];
                var useful = false;
                foreach (var k in keywords)
                {
                    if (!IsSatisfied(k, active) && rest.StartsWith(_keywords[k], StringComparison.OrdinalIgnoreCase))
                    {
                        Activate(k, active);
                        useful = true;
                    }
                }

                if (AllSatisfied(keywords, active))
                {
                    break;
                }

                if (!useful && ++wasted > WastedHitsBeforeSplit)
                {
                    foreach (var k in keywords)
                    {
                        if (!IsSatisfied(k, active) && rest.IndexOfAny(_single[k]) >= 0)
                        {
                            Activate(k, active);
                        }
                    }

                    break;
                }

                position++;
            }
        }

        return active;
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
