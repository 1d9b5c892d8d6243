using System.Formats.Tar;
using Docker.DotNet;
using Docker.DotNet.Models;
using DeployMind.Build.Docker;

namespace DeployMind.Build.Tests.Docker;

/// <summary>
/// Runs against the engine that DOCKER_HOST names (scripts/docker.sh start prints it). These tests fail, never skip,
/// when it is unreachable: CI starts the engine before them.
/// </summary>
[Trait("Requires", "docker")]
public sealed class DockerEngineTests : IClassFixture<DockerEngineTests.BusyboxImage>, IAsyncLifetime
{
    private const string Secret = "s3cret-token-value";

    private readonly BusyboxImage _busybox;
    private readonly DockerEngine _engine;
    private readonly TempDirectory _context = new();
    private readonly List<string> _tags = [];

    public DockerEngineTests(BusyboxImage busybox)
    {
        _busybox = busybox;
        _engine = new DockerEngine(new DockerEngineOptions());
    }

    [Fact]
    public async Task PingAsync_EngineRunning_ReturnsVersionAndApiVersion()
    {
        await _busybox.EnsureAsync();

        var version = await _engine.PingAsync(CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(version.Version));
        Assert.Matches(@"^1\.\d+$", version.ApiVersion);
    }

    [Fact]
    public async Task BuildImageAsync_BusyboxContext_BuildsImageWithLayersStreamsOutputAndRedactsSecrets()
    {
        var baseImage = await _busybox.EnsureAsync();
        _context.Write("Dockerfile", $"""
            FROM {BusyboxImage.Tag}
            ARG TOKEN
            COPY . /ctx/
            RUN echo "using token $TOKEN" && test -e /ctx/app.txt && test ! -e /ctx/local.secret && test -e /ctx/logs/keep.txt
            RUN echo built > /stamp
            """);
        _context.Write(".dockerignore", "*.secret\nlogs\n!logs/keep.txt\n");
        _context.Write("app.txt", "hello");
        _context.Write("local.secret", Secret);
        _context.Write("logs/debug.log", "noise");
        _context.Write("logs/keep.txt", "kept");
        var lines = new List<string>();

        var result = await _engine.BuildImageAsync(
            Request() with { BuildArgs = new Dictionary<string, string> { ["TOKEN"] = Secret }, Secrets = [Secret] },
            lines.Add, CancellationToken.None);

        var image = await _engine.InspectImageAsync(result.Tag, CancellationToken.None);
        Assert.StartsWith("sha256:", result.ImageId, StringComparison.Ordinal);
        Assert.Equal(result.ImageId, image.Id);
        Assert.Contains(result.Tag, image.Tags);
        // COPY and the RUN writing /stamp add layers; a RUN that changes no file may add none.
        Assert.InRange(image.LayerCount, baseImage.LayerCount + 2, baseImage.LayerCount + 3);
        Assert.True(image.SizeBytes > baseImage.SizeBytes, $"built {image.SizeBytes} B, base {baseImage.SizeBytes} B");
        Assert.Contains(lines, l => l.Contains("using token ***", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(result.OutputTail, l => l.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BuildImageAsync_FromScratch_BuildsOneLayerImage()
    {
        await _busybox.EnsureAsync();
        _context.Write("Dockerfile", "FROM scratch\nCOPY hello.txt /\n");
        _context.Write("hello.txt", "hello from scratch\n");

        var result = await _engine.BuildImageAsync(Request(), null, CancellationToken.None);

        var image = await _engine.InspectImageAsync(result.ImageId, CancellationToken.None);
        Assert.Equal(1, image.LayerCount);
        Assert.InRange(image.SizeBytes, 1, 4096);
    }

    [Fact]
    public async Task BuildImageAsync_RunFails_ThrowsWithFailingCommandAndOutputTail()
    {
        await _busybox.EnsureAsync();
        _context.Write("Dockerfile", $"FROM {BusyboxImage.Tag}\nRUN echo about to fail with {Secret} && exit 3\n");
        var request = Request() with { Secrets = [Secret] };

        var error = await Assert.ThrowsAsync<DockerBuildFailedException>(() =>
            _engine.BuildImageAsync(request, null, CancellationToken.None));

        Assert.Contains("exit 3", error.Reason, StringComparison.Ordinal);
        Assert.Contains("non-zero code: 3", error.Reason, StringComparison.Ordinal);
        Assert.Contains(error.OutputTail, l => l.Contains("about to fail with ***", StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.False(await _engine.ImageExistsAsync(request.Tag, CancellationToken.None));
    }

    [Fact]
    public async Task BuildImageAsync_CallerCancels_StopsBuildAndLeavesNoContainer()
    {
        await _busybox.EnsureAsync();
        var marker = $"sleep-{Guid.NewGuid():N}";
        _context.Write("Dockerfile", $"FROM {BusyboxImage.Tag}\nRUN echo {marker} && sleep 120\n");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = Request();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _engine.BuildImageAsync(request, line =>
        {
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                _ = cts.CancelAsync();
            }
        }, cts.Token));

        await AssertNoContainerRunsAsync(marker);
        Assert.False(await _engine.ImageExistsAsync(request.Tag, CancellationToken.None));
    }

    [Fact]
    public async Task BuildImageAsync_BuildTimeoutPasses_ThrowsTimedOutAndLeavesNoContainer()
    {
        await _busybox.EnsureAsync();
        var marker = $"sleep-{Guid.NewGuid():N}";
        _context.Write("Dockerfile", $"FROM {BusyboxImage.Tag}\nRUN echo {marker} && sleep 120\n");
        using var engine = new DockerEngine(new DockerEngineOptions { BuildTimeout = TimeSpan.FromSeconds(4) });

        var error = await Assert.ThrowsAsync<DockerBuildFailedException>(() => engine.BuildImageAsync(Request(), null, CancellationToken.None));

        Assert.Contains("timed out after", error.Reason, StringComparison.Ordinal);
        Assert.Contains(error.OutputTail, l => l.Contains(marker, StringComparison.Ordinal));
        await AssertNoContainerRunsAsync(marker);
    }

    [Fact]
    public async Task RemoveImageAsync_BuiltImage_RemovesItOnceThenReportsAbsent()
    {
        await _busybox.EnsureAsync();
        _context.Write("Dockerfile", "FROM scratch\nCOPY a.txt /\n");
        _context.Write("a.txt", Guid.NewGuid().ToString());
        var built = await _engine.BuildImageAsync(Request(), null, CancellationToken.None);

        Assert.True(await _engine.ImageExistsAsync(built.Tag, CancellationToken.None));
        Assert.True(await _engine.RemoveImageAsync(built.Tag, force: false, CancellationToken.None));
        Assert.False(await _engine.ImageExistsAsync(built.Tag, CancellationToken.None));
        Assert.False(await _engine.RemoveImageAsync(built.Tag, force: false, CancellationToken.None));
        Assert.Null(await _engine.TryInspectAsync(built.Tag, CancellationToken.None));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var tag in _tags)
        {
            try
            {
                await _engine.RemoveImageAsync(tag, force: true, CancellationToken.None);
            }
            catch (DeployMind.Domain.DeployMindException)
            {
                // Best effort: an image still in use, or an engine that never answered, leaves nothing to clean.
            }
        }

        _engine.Dispose();
        _context.Dispose();
    }

    private DockerBuildRequest Request()
    {
        var tag = $"deploymind-test/build:{Guid.NewGuid():N}";
        _tags.Add(tag);
        return new DockerBuildRequest(_context.Path, tag);
    }

    // The engine removes an aborted build's container shortly after the connection closes; wait for that, bounded.
    private async Task AssertNoContainerRunsAsync(string marker)
    {
        using var config = new DockerClientConfiguration(new Uri(_engine.Host));
        using var client = config.CreateClient();
        IList<ContainerListResponse> left = [];
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var all = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
            left = all.Where(c => c.Command?.Contains(marker, StringComparison.Ordinal) == true).ToList();
            if (left.Count == 0)
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"build containers left behind: {string.Join(", ", left.Select(c => $"{c.ID[..12]} {c.State} {c.Command}"))}");
    }

    /// <summary>A minimal base image made here from Debian's busybox-static (Docker Hub is out of reach).</summary>
    public sealed class BusyboxImage : IDisposable
    {
        public const string Tag = "deploymind-test/busybox:1";
        private const string BusyboxPath = "/bin/busybox";
        private static readonly string[] s_applets = ["sh", "echo", "test", "sleep", "cat", "ls", "true", "false", "mkdir"];

        private readonly SemaphoreSlim _gate = new(1, 1);
        private DockerImageInfo? _image;

        public async Task<DockerImageInfo> EnsureAsync()
        {
            await _gate.WaitAsync();
            try
            {
                return _image ??= await ImportAsync();
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => _gate.Dispose();

        private static async Task<DockerImageInfo> ImportAsync()
        {
            var options = new DockerEngineOptions();
            using var engine = new DockerEngine(options);
            try
            {
                await engine.PingAsync(CancellationToken.None);
            }
            catch (DockerUnavailableException e)
            {
                throw new InvalidOperationException(
                    $"these tests need a running Docker engine, found through DOCKER_HOST (now '{Environment.GetEnvironmentVariable("DOCKER_HOST")}'): " +
                    $"run scripts/docker.sh start and export the DOCKER_HOST it prints. {e.Message}", e);
            }

            // Imported once per engine: re-importing would leave a dangling copy on every run.
            if (await engine.TryInspectAsync(Tag, CancellationToken.None) is { } existing)
            {
                return existing;
            }

            Assert.True(File.Exists(BusyboxPath), $"{BusyboxPath} is missing: scripts/docker.sh start installs busybox-static");
            using var tar = new MemoryStream();
            await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                await writer.WriteEntryAsync(BusyboxPath, "bin/busybox");
                foreach (var applet in s_applets)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox" });
                }

                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp"));
            }

            tar.Position = 0;
            return await engine.ImportImageAsync(tar, Tag, CancellationToken.None);
        }
    }
}
