using DeployMind.Deploy.Targets;
using DeployMind.Testing;

namespace DeployMind.Deploy.Tests.Targets;

public sealed class ShellQuoteTests
{
    public static TheoryData<string> Nasty => new()
    {
        "", " ", "plain", "two words", "it's", "'", "''", "\"", "$HOME", "${HOME}", "$(id)", "`id`", "a;b", "a&&b", "a|b", "a>b", "<x",
        "*", "?", "[a]", "~", "~root", "=x", "a=b", "%1", "!", "!!", "#comment", "back\\slash", "\\", "new\nline", "\t", "ünïcödé", "-n",
        "--flag=value", "{a,b}", "a\r", "'\"'\"'",
    };

    [Theory]
    [MemberData(nameof(Nasty))]
    public async Task Quote_ThroughRealShells_ComesBackUnchanged(string argument)
    {
        foreach (var shell in new[] { "/bin/sh", "/bin/bash" })
        {
            var script = "printf '%s\\0' " + ShellQuote.Quote(argument);

            var result = await ProcessRunner.RunAsync(shell, ["-c", script], TimeSpan.FromSeconds(10));

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(argument + "\0", result.Output);
        }
    }

    [Fact]
    public void Quote_SafeWordsStayBare_OthersAreSingleQuoted()
    {
        Assert.Equal("docker", ShellQuote.Quote("docker"));
        Assert.Equal("--format", ShellQuote.Quote("--format"));
        Assert.Equal("registry.local:5000/app:1.0", ShellQuote.Quote("registry.local:5000/app:1.0"));
        Assert.Equal("''", ShellQuote.Quote(""));
        Assert.Equal("'it'\\''s'", ShellQuote.Quote("it's"));
        Assert.Equal("'a=b'", ShellQuote.Quote("a=b"));
        Assert.Equal("docker run 'a b'", ShellQuote.Join(["docker", "run", "a b"]));
    }

    [Fact]
    public void Quote_NulCharacter_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => ShellQuote.Quote("a\0b"));
    }
}
