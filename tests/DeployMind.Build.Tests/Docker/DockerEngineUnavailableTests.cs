using System.Net.Sockets;
using DeployMind.Build.Docker;
using DeployMind.Domain;

namespace DeployMind.Build.Tests.Docker;

// No engine needed: these run everywhere.
public sealed class DockerEngineUnavailableTests
{
    [Fact]
    public async Task PingAsync_SocketFileMissing_ThrowsUnavailableNamingTheSocket()
    {
        var host = $"unix:///tmp/deploymind-absent-{Guid.NewGuid():N}.sock";
        using var engine = new DockerEngine(new DockerEngineOptions { Host = host });

        var error = await Assert.ThrowsAsync<DockerUnavailableException>(() => engine.PingAsync(CancellationToken.None));

        Assert.IsAssignableFrom<DeployMindException>(error);
        Assert.Equal(host, error.Host);
        Assert.Contains(host, error.Message, StringComparison.Ordinal);
        Assert.Contains("No such file or directory", error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/docker.sh start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageExistsAsync_SocketWithNoEngineBehindIt_ThrowsUnavailableNamingTheSocket()
    {
        var path = Path.Combine(Path.GetTempPath(), $"deploymind-dead-{Guid.NewGuid():N}.sock");
        // Bound but never listening: the file exists and every connect is refused, as after dockerd crashed.
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var host = $"unix://{path}";
            using var engine = new DockerEngine(new DockerEngineOptions { Host = host, RequestTimeout = TimeSpan.FromSeconds(5) });

            var error = await Assert.ThrowsAsync<DockerUnavailableException>(() => engine.ImageExistsAsync("busybox", CancellationToken.None));

            Assert.Contains(host, error.Message, StringComparison.Ordinal);
            Assert.Contains("connection refused", error.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task BuildImageAsync_EngineAbsent_ThrowsUnavailableBeforeSendingTheContext()
    {
        using var context = new TempDirectory();
        context.Write("Dockerfile", "FROM scratch\n");
        var host = $"unix:///tmp/deploymind-absent-{Guid.NewGuid():N}.sock";
        using var engine = new DockerEngine(new DockerEngineOptions { Host = host });

        var error = await Assert.ThrowsAsync<DockerUnavailableException>(() =>
            engine.BuildImageAsync(new DockerBuildRequest(context.Path, "deploymind-test/absent:1"), null, CancellationToken.None));

        Assert.Contains(host, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BadHostAndTimeouts_ListsEveryProblem()
    {
        var options = new DockerEngineOptions { Host = "docker.sock", RequestTimeout = TimeSpan.Zero, BuildTimeout = TimeSpan.FromSeconds(-1) };

        var problems = options.Validate();

        Assert.Equal(3, problems.Count);
        Assert.Throws<InvalidInputException>(() => new DockerEngine(options));
    }

    [Fact]
    public void Options_HostNotSet_ComesFromDockerHostOrTheSystemSocket()
    {
        var expected = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } fromEnv
            ? fromEnv.Trim()
            : DockerEngineOptions.DefaultHost;

        Assert.Equal(expected, new DockerEngineOptions().Host);
    }
}
