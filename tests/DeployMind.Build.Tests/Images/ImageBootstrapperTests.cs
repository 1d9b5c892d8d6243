using DeployMind.Build.Docker;
using DeployMind.Build.Tests.Docker;
using DeployMind.Build.Images;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Build.Tests.Images;

/// <summary>
/// Against the engine DOCKER_HOST names, after `deploymind images bootstrap` (scripts/test.sh runs it first). Fails, never skips,
/// when the engine or the images are missing.
/// </summary>
[Trait("Requires", "docker")]
public sealed class ImageBootstrapperTests : IDisposable
{
    private readonly DockerEngine _engine = new(new DockerEngineOptions());
    private readonly TempDirectory _cache = new();

    [Fact]
    public async Task BootstrapAsync_DefaultSetPresent_KeepsEveryImageWithoutRebuilding()
    {
        var bootstrapper = new ImageBootstrapper(_engine, new ProcessRunner());
        var lines = new List<string>();

        var outcomes = await bootstrapper.BootstrapAsync(new ImageBootstrapOptions { CacheDirectory = _cache.Path }, lines.Add, CancellationToken.None);

        Assert.All(outcomes, o => Assert.True(o.Status == BootstrapStatus.Present,
            $"{o.Reference} was rebuilt; run `deploymind images bootstrap` before the tests so the default set exists"));
        Assert.Equal(
            ["deploymind/base:bookworm", "deploymind/node:18-slim", "deploymind/node:18", "deploymind/python:3.11-slim", "deploymind/python:3.11",
                "deploymind/golang:1.19", "deploymind/static:bookworm"],
            outcomes.Select(o => o.Reference));
        Assert.Contains(lines, l => l.Contains("deploymind/node:18: present", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("deploymind/base:bookworm", "cat /etc/debian_version", "12.")]
    [InlineData("deploymind/node:18", "npm --version && node --version", "v18.")]
    [InlineData("deploymind/node:18-slim", "node --version && ! command -v npm", "v18.")]
    [InlineData("deploymind/python:3.11", "python3 -m pip --version && python3 --version", "Python 3.11")]
    [InlineData("deploymind/python:3.11-slim", "python3 --version && ! python3 -m pip --version 2>/dev/null", "Python 3.11")]
    [InlineData("deploymind/golang:1.19", "go version", "go1.19")]
    [InlineData("deploymind/static:bookworm", "busybox httpd --help 2>&1 | head -1", "BusyBox")]
    public async Task BootstrappedImage_RunsItsToolchainFromDebianPackages(string image, string script, string expected)
    {
        Assert.True(await _engine.ImageExistsAsync(image, CancellationToken.None), $"{image} is missing: run `deploymind images bootstrap`");

        var result = await new ProcessRunner().RunAsync(
            new CommandLine("/usr/bin/docker", "run", "--rm", "--network", "host", image, "sh", "-c", script) { Timeout = TimeSpan.FromMinutes(1) },
            CancellationToken.None);

        Assert.True(result.Succeeded, result.FailureTail());
        Assert.Contains(expected, result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootstrapAsync_UnreachableMirror_FailsNamingDebootstrapAndTheMirrorAndLeavesNoImage()
    {
        const string Prefix = "dmtest-bootstrap-bad-mirror";
        var bootstrapper = new ImageBootstrapper(_engine, new ProcessRunner());

        var error = await Assert.ThrowsAsync<ImageBootstrapException>(() => bootstrapper.BootstrapAsync(
            new ImageBootstrapOptions { Prefix = Prefix, Only = ["static"], Mirror = "http://127.0.0.1:9/debian", CacheDirectory = _cache.Path },
            null, CancellationToken.None));

        Assert.Contains("debootstrap of bookworm from http://127.0.0.1:9/debian failed", error.Message);
        Assert.Contains("--mirror", error.Message);
        Assert.False(await _engine.ImageExistsAsync($"{Prefix}/base:bookworm", CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_cache.Path, "*.tar*"));
        Assert.Empty(Directory.GetDirectories(_cache.Path));
    }

    [Fact]
    public async Task BootstrapAsync_BadPrefix_RefusedBeforeTouchingTheEngine()
    {
        var bootstrapper = new ImageBootstrapper(_engine, new ProcessRunner());

        var error = await Assert.ThrowsAsync<Domain.InvalidInputException>(() => bootstrapper.BootstrapAsync(
            new ImageBootstrapOptions { Prefix = "Deploy Mind", CacheDirectory = _cache.Path }, null, CancellationToken.None));

        Assert.Contains("'Deploy Mind' is not a repository prefix", error.Message);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _cache.Dispose();
    }
}
