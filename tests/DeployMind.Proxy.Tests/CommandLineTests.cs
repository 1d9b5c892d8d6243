using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Parses_the_documented_command_line()
    {
        using var dir = new TempDir();
        var tokenFile = Path.Combine(dir.Path, "token");
        File.WriteAllText(tokenFile, "\n  0123456789abcdef0123  \n");
        var options = Program.ParseArguments(
        [
            "--listen", "127.0.0.1:8080", "--admin=127.0.0.1:9080", "--admin-token-file", tokenFile,
            "--state-file", "/tmp/x.json", "--backend", "blue=http://127.0.0.1:5001,25", "--backend", "green=http://127.0.0.1:5002",
            "--drain-timeout", "7.5", "--log-level", "warning",
        ]);
        Assert.Equal("127.0.0.1:8080", options.Listen);
        Assert.Equal("127.0.0.1:9080", options.Admin);
        Assert.Equal("0123456789abcdef0123", options.AdminToken);
        Assert.Equal("/tmp/x.json", options.StateFile);
        Assert.Equal(new ProxyBackend("blue", "http://127.0.0.1:5001", 25), options.Backends[0]);
        Assert.Equal(new ProxyBackend("green", "http://127.0.0.1:5002", 100), options.Backends[1]);
        Assert.Equal(TimeSpan.FromSeconds(7.5), options.DrainTimeout);
    }

    [Theory]
    [InlineData("--admin", "127.0.0.1:9080")]
    [InlineData("--listen", "127.0.0.1:8080")]
    [InlineData("--listen", "127.0.0.1:8080", "--admin", "127.0.0.1:9080", "--bogus")]
    [InlineData("--listen", "127.0.0.1:8080", "--admin", "127.0.0.1:9080", "--backend", "nourl")]
    [InlineData("--listen", "127.0.0.1:8080", "--admin", "127.0.0.1:9080", "--drain-timeout", "soon")]
    public void Rejects_bad_command_lines(params string[] args)
    {
        Assert.Throws<ArgumentException>(() => Program.ParseArguments(args));
    }
}
