using System.Text.RegularExpressions;
using DeployMind.Security.Secrets;

namespace DeployMind.Security.Tests.Secrets;

public sealed class RipgrepExportTests
{
    [Fact]
    public void ExportRipgrepPatterns_EveryRule_WrappedAndWithUniqueGroupNames()
    {
        var lines = SecretRules.ExportRipgrepPatterns().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(SecretRules.All.Count, lines.Length);
        Assert.All(lines, line => Assert.StartsWith("(?:", line, StringComparison.Ordinal));
        var names = lines.SelectMany(l => Regex.Matches(l, @"\(\?<([A-Za-z_][A-Za-z0-9_]*)>").Select(m => m.Groups[1].Value)).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void ExportRipgrepPatterns_JoinedAsRipgrepJoinsThem_CaseInsensitivityStaysInsideItsRule()
    {
        // rg -f joins lines with '|': a leading (?i) of one rule must not make the next rule case-insensitive.
        var joined = string.Join('|', SecretRules.RipgrepPatterns(SecretRules.All, pcre2: true));
        var regex = new Regex(joined, RegexOptions.None, TimeSpan.FromSeconds(10));
        var awsId = "AKIA" + "Q3EGXRT7" + "NVB4LK2M";

        Assert.Matches(regex, awsId);
        Assert.DoesNotMatch(regex, awsId.ToLowerInvariant());
    }
}
