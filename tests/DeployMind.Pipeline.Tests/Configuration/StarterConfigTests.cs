using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using static DeployMind.Pipeline.Tests.Configuration.ConfigAssert;

namespace DeployMind.Pipeline.Tests.Configuration;

public sealed class StarterConfigTests
{
    private static readonly StarterConfigInput s_repository = new() { Name = "storefront", Repository = "acme/storefront" };

    [Fact]
    public void Write_RepositoryWithNothingDetected_LoadsWithNoProblems()
    {
        var config = Valid(StarterConfig.Write(s_repository));

        Assert.Equal("storefront", config.Name);
        Assert.Equal("acme/storefront", config.Repository);
        Assert.Null(config.HealthCheck.Port);
        Assert.Equal("/health", config.HealthCheck.Path);
        Assert.Equal(DeploymentStrategy.Rolling, config.Strategy.Type);
        Assert.Equal("local", Assert.Single(config.Targets).Name);
    }

    [Fact]
    public void Write_DetectedLanguagePortAndHealthPath_AreUsed()
    {
        var text = StarterConfig.Write(s_repository with { Language = "python", Port = 8000, HealthPath = "/healthz" });

        var config = Valid(text);

        Assert.Equal(8000, config.HealthCheck.Port);
        Assert.Equal("/healthz", config.HealthCheck.Path);
        Assert.Contains("detected language (python)", text, StringComparison.Ordinal);
        Assert.Contains("#   python: python:3.12-slim", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "https://github.com/acme/storefront.git")]
    [InlineData("./apps/my shop #1", null)]
    public void Write_SourceUrlOrPath_LoadsWithNoProblems(string? path, string? url)
    {
        var config = Valid(StarterConfig.Write(new StarterConfigInput { Name = "shop", SourcePath = path, SourceUrl = url }));

        Assert.Null(config.Repository);
        Assert.Equal(path, config.Source!.Path);
        Assert.Equal(url, config.Source.Url);
    }

    [Fact]
    public void Write_EverySection_IsExplainedByAComment()
    {
        var lines = StarterConfig.Write(s_repository).Split('\n');

        foreach (var key in new[] { "name", "repository", "branch", "environment", "build", "targets", "strategy", "health_check", "security", "llm" })
        {
            var index = Array.FindIndex(lines, l => l.StartsWith(key + ":", StringComparison.Ordinal));
            Assert.True(index > 0, $"'{key}:' is missing");
            Assert.StartsWith("#", lines[index - 1], StringComparison.Ordinal);
        }

        foreach (var example in new[] { "# registry:", "# env:", "# secrets:", "# hooks:", "# resources:", "# source:" })
        {
            Assert.Contains(example, lines);
        }
    }

    [Theory]
    [InlineData("- name: web-1", TargetType.Ssh)]
    [InlineData("- instance_id: i-0123456789abcdef0", TargetType.Ec2)]
    public void Write_TargetExampleUncommented_LoadsAsASecondTarget(string firstLine, TargetType type)
    {
        var text = Uncomment(StarterConfig.Write(s_repository), firstLine);

        var config = Valid(text);

        Assert.Equal(2, config.Targets.Count);
        Assert.Equal(type, config.Targets[1].Type);
    }

    [Theory]
    [InlineData("type: canary", DeploymentStrategy.Canary)]
    [InlineData("type: blue-green", DeploymentStrategy.BlueGreen)]
    public void Write_StrategyExampleUncommented_ReplacesRolling(string typeLine, DeploymentStrategy strategy)
    {
        var lines = StarterConfig.Write(s_repository).Split('\n').ToList();
        var start = lines.IndexOf("strategy:");
        var end = lines.FindIndex(start + 1, l => l.Length == 0);
        lines.RemoveRange(start, end - start);
        var text = string.Join('\n', lines);
        var exampleStart = text.IndexOf("#   " + typeLine, StringComparison.Ordinal);
        var header = text.LastIndexOf("# strategy:", exampleStart, StringComparison.Ordinal);

        var config = Valid(Uncomment(text[..header] + text[header..].Replace("# strategy:\n#   " + typeLine, "# strategy:!\n#   " + typeLine,
            StringComparison.Ordinal), "strategy:!").Replace("strategy:!", "strategy:", StringComparison.Ordinal));

        Assert.Equal(strategy, config.Strategy.Type);
    }

    [Fact]
    public void Write_RegistryExampleUncommented_Loads()
    {
        var config = Valid(Uncomment(StarterConfig.Write(s_repository), "registry:"));

        Assert.Equal("127.0.0.1:5000", config.Registry!.Url);
        Assert.True(config.Build.Push);
    }

    [Theory]
    [InlineData("Store Front", "acme/storefront", null)]
    [InlineData("storefront", null, null)]
    [InlineData("storefront", "acme/storefront", "https://github.com/acme/storefront.git")]
    public void Write_InvalidInput_Throws(string name, string? repository, string? url)
    {
        Assert.Throws<InvalidInputException>(() =>
            StarterConfig.Write(new StarterConfigInput { Name = name, Repository = repository, SourceUrl = url }));
    }

    [Theory]
    [InlineData("acme/Store_Front", "store-front")]
    [InlineData("https://github.com/acme/web.app.git", "web-app")]
    [InlineData("./", "app")]
    public void AppNameSuggest_RepositoryOrPath_GivesAValidName(string source, string expected)
    {
        var name = AppName.Suggest(source);

        Assert.Equal(expected, name);
        Assert.True(AppName.IsValid(name));
    }

    /// <summary>
    /// Uncomments the example that starts with the commented line <paramref name="firstLine"/> and
    /// continues with more-indented commented lines, the way a user would.
    /// </summary>
    private static string Uncomment(string text, string firstLine)
    {
        var lines = text.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimStart() == "# " + firstLine
            || l.TrimStart().StartsWith("# " + firstLine + " ", StringComparison.Ordinal));
        Assert.True(start >= 0, $"no commented example starting with '{firstLine}'");
        var indent = lines[start][..lines[start].IndexOf('#', StringComparison.Ordinal)];
        lines[start] = indent + lines[start][(indent.Length + 2)..];
        for (var i = start + 1; i < lines.Length && lines[i].StartsWith(indent + "#   ", StringComparison.Ordinal); i++)
        {
            lines[i] = indent + lines[i][(indent.Length + 2)..];
        }

        return string.Join('\n', lines);
    }
}
