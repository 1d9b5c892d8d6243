using DeployMind.Security.Secrets;

namespace DeployMind.Security.Tests.Secrets;

public sealed class KeywordPrefilterTests
{
    [Fact]
    public void ActiveRules_FrequentSatisfiedKeywordThenRareKeyword_ActivatesBoth()
    {
        var prefilter = new KeywordPrefilter([["key"], ["ghp_"], [], ["absent"]]);
        var content = string.Concat(Enumerable.Repeat("the KEY is here; ", 100)) + "GHP_ late";

        var active = prefilter.ActiveRules(content);

        Assert.Equal([true, true, true, false], active);
    }

    [Fact]
    public void ActiveRules_NoKeywordPresent_OnlyKeywordlessRulesAreActive()
    {
        var prefilter = new KeywordPrefilter([["ghp_"], [], ["npm_", "_authToken"]]);

        Assert.Equal([false, true, false], prefilter.ActiveRules("nothing to see"));
        Assert.Equal([false, true, true], prefilter.ActiveRules("//registry/:_AUTHTOKEN=x"));
    }

    [Fact]
    public void ActiveRules_ManyKeywordsAcrossGroups_EachFound()
    {
        var keywords = Enumerable.Range(0, 40).Select(i => new[] { $"kw{i:D2}x" }).ToArray();
        var prefilter = new KeywordPrefilter(keywords);

        var active = prefilter.ActiveRules("... KW07X ... kw33x ...");

        Assert.Equal([7, 33], active.Select((a, i) => (a, i)).Where(p => p.a).Select(p => p.i));
    }

    [Fact]
    public void ActiveRules_RareKeywordRepeatedPastFallback_StillFindsLaterKeywordOfSameGroup()
    {
        var prefilter = new KeywordPrefilter([["abcdef"], ["ghijkl"], ["mnopqr"]]);
        var content = string.Concat(Enumerable.Repeat("abcdef ", 200)) + "GhIjKl";

        Assert.Equal([true, true, false], prefilter.ActiveRules(content));
    }

    [Fact]
    public void LowerAscii_MixedText_LowersAsciiAndKeepsOtherCharacters()
    {
        var source = "ABC Ünïcode ÄÖ xyz KEY";
        var destination = new char[source.Length];

        KeywordPrefilter.LowerAscii(source, destination);

        Assert.Equal("abc Ünïcode ÄÖ xyz key", new string(destination));
    }
}
