using DeployMind.Deploy.Containers;
using DeployMind.Deploy.Targets;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Deploy.Tests.Targets;

/// <summary>Registry-less delivery: docker save from the local engine streamed over SSH into docker load (the same shared engine).</summary>
[Collection(SshCollection.Name)]
[Trait("Requires", "docker")]
[Trait("Requires", "sshd")]
public sealed class ImageDeliveryTests : IAsyncLifetime
{
    private readonly SshInstances _ssh;
    private readonly BusyboxImage _busybox;
    private readonly List<string> _images = [];
    private readonly List<IDeployTarget> _targets = [];

    public ImageDeliveryTests(SshInstances ssh, BusyboxImage busybox)
    {
        _ssh = ssh;
        _busybox = busybox;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var local = new ContainerHost(new LocalDockerTarget("cleanup", new ProcessRunner()));
        foreach (var image in _images)
        {
            await local.RemoveImageAsync(image, CancellationToken.None);
        }

        foreach (var target in _targets)
        {
            await target.DisposeAsync();
        }
    }

    [Fact]
    public async Task StreamImageAsync_SavesLocallyAndLoadsOverSsh()
    {
        var image = await Image("stream");
        var target = Track(_ssh.Target(2));

        var loaded = await target.StreamImageAsync(image, Environment.GetEnvironmentVariable("DOCKER_HOST")!, CancellationToken.None);

        Assert.Contains($"Loaded image: {image}", loaded.StandardOutput, StringComparison.Ordinal);
        Assert.True(await new ContainerHost(target).ImageExistsAsync(image, CancellationToken.None));
    }

    [Fact]
    public async Task DeliverImageAsync_Stream_TargetAlreadyHasSameImage_SendsNothing()
    {
        var image = await Image("present");
        var log = new ListLogger<SshTarget>();
        var target = Track(new SshTarget(_ssh.Settings(1), log));

        await target.DeliverImageAsync(image, ImageDeliveryMode.Stream, CancellationToken.None);

        Assert.Contains(log.Messages, m => m == $"Target ssh-2: already has image {image}");
        Assert.DoesNotContain(log.Messages, m => m.Contains("streamed image", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeliverImageAsync_Stream_ImageMissingLocally_SaysSo()
    {
        var target = Track(_ssh.Target());

        var error = await Assert.ThrowsAsync<ImageDeliveryException>(() =>
            target.DeliverImageAsync("deploymind-test/never-built:1", ImageDeliveryMode.Stream, CancellationToken.None));

        Assert.Contains("not in the local Docker engine", error.Message, StringComparison.Ordinal);
        Assert.Equal("deploymind-test/never-built:1", error.Image);
    }

    [Fact]
    public async Task DeliverImageAsync_RegistryPull_UnreachableRegistry_FailsWithPullOutput()
    {
        var target = Track(_ssh.Target());

        var error = await Assert.ThrowsAsync<ImageDeliveryException>(() =>
            target.DeliverImageAsync("127.0.0.1:9/deploymind-test/absent:1", ImageDeliveryMode.RegistryPull, CancellationToken.None));

        Assert.Contains("docker pull exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("registry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalTarget_DeliverImage_NoOpWhenPresent_RefusesStreamWhenMissing()
    {
        var image = await Image("local");
        var target = Track(new LocalDockerTarget("local", new ProcessRunner()));

        await target.DeliverImageAsync(image, ImageDeliveryMode.Stream, CancellationToken.None);
        await target.DeliverImageAsync(image, ImageDeliveryMode.RegistryPull, CancellationToken.None);
        var error = await Assert.ThrowsAsync<ImageDeliveryException>(() =>
            target.DeliverImageAsync("deploymind-test/never-built:2", ImageDeliveryMode.Stream, CancellationToken.None));

        Assert.Contains("build or load it first", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalTarget_RunDescribeAndTextInput()
    {
        var target = Track(new LocalDockerTarget("local", new ProcessRunner()));

        var state = await target.DescribeAsync(CancellationToken.None);
        var echo = await target.RunAsync(["cat"], TargetCommandOptions.Default.WithInput("A=1\n"), CancellationToken.None);
        var binary = await Assert.ThrowsAsync<TargetNotSupportedException>(() => target.RunAsync(["cat"],
            TargetCommandOptions.Default with { StandardInput = new MemoryStream([0xff, 0xfe, 0x00, 0xc3]) }, CancellationToken.None));

        Assert.True(state.Reachable, state.Error);
        Assert.Matches(@"^\d+\.\d+", state.DockerVersion);
        Assert.Equal("A=1\n", echo.StandardOutput);
        Assert.Contains("UTF-8 text", binary.Message, StringComparison.Ordinal);
    }

    private async Task<string> Image(string prefix)
    {
        var image = await _busybox.TagUniqueAsync(prefix);
        _images.Add(image);
        return image;
    }

    private T Track<T>(T target)
        where T : IDeployTarget
    {
        _targets.Add(target);
        return target;
    }
}

/// <summary>Keeps every formatted log message.</summary>
public sealed class ListLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

    public IReadOnlyList<string> Messages => [.. _messages];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
        Exception? exception, Func<TState, Exception?, string> formatter) => _messages.Enqueue(formatter(state, exception));
}
