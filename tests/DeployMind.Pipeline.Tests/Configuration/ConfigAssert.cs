using DeployMind.Pipeline.Configuration;

namespace DeployMind.Pipeline.Tests.Configuration;

/// <summary>Shared inputs and checks for the deploymind.yml tests.</summary>
internal static class ConfigAssert
{
    public const string Minimal = """
        name: storefront
        repository: acme/storefront
        targets:
          - name: local
        """;

    /// <summary>The minimal file plus <paramref name="extra"/> top-level YAML.</summary>
    public static string MinimalWith(string extra) => Minimal + "\n" + extra;

    public static AppConfig Valid(string yaml)
    {
        var check = AppConfigLoader.CheckText(yaml);
        Assert.True(check.IsValid, "expected no problems, got:\n" + string.Join("\n", check.Problems));
        return check.Config!;
    }

    public static IReadOnlyList<ConfigProblem> Problems(string yaml)
    {
        var check = AppConfigLoader.CheckText(yaml);
        Assert.False(check.IsValid, "expected problems, got none");
        Assert.Null(check.Config);
        return check.Problems;
    }

    /// <summary>The one problem reported for <paramref name="key"/>; fails when there are none or several.</summary>
    public static ConfigProblem Single(IReadOnlyList<ConfigProblem> problems, string key)
    {
        var matching = problems.Where(p => p.Key == key).ToList();
        Assert.True(matching.Count == 1,
            $"expected one problem for '{key}', got {matching.Count}; all problems:\n" + string.Join("\n", problems));
        return matching[0];
    }

    /// <summary>The only problem of a file that has exactly one.</summary>
    public static ConfigProblem Only(string yaml, string key)
    {
        var problems = Problems(yaml);
        Assert.True(problems.Count == 1, "expected exactly one problem, got:\n" + string.Join("\n", problems));
        Assert.Equal(key, problems[0].Key);
        return problems[0];
    }
}
