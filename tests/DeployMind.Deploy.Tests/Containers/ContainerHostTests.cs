using System.Formats.Tar;
using DeployMind.Build.Docker;
using DeployMind.Deploy.Containers;
using DeployMind.Deploy.Targets;
using DeployMind.Deploy.Tests.Targets;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Deploy.Tests.Containers;

/// <summary>ContainerHost on the shared engine, reached locally and over SSH.</summary>
[Collection(SshCollection.Name)]
[Trait("Requires", "docker")]
[Trait("Requires", "sshd")]
public sealed class ContainerHostTests : IAsyncLifetime
{
    private const string Secret = "s3cr3t-api-token-4815162342";

    private readonly SshInstances _ssh;
    private readonly BusyboxImage _busybox;
    private readonly List<string> _containers = [];
    private readonly List<string> _images = [];
    private readonly List<IDeployTarget> _targets = [];

    public ContainerHostTests(SshInstances ssh, BusyboxImage busybox)
    {
        _ssh = ssh;
        _busybox = busybox;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var local = new ContainerHost(new LocalDockerTarget("cleanup", new ProcessRunner()));
        foreach (var container in _containers)
        {
            await local.RemoveAsync(container, force: true, CancellationToken.None);
        }

        foreach (var image in _images)
        {
            await local.RemoveImageAsync(image, CancellationToken.None);
        }

        foreach (var target in _targets)
        {
            await target.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("ssh")]
    public async Task Lifecycle_RunListLogsStatsExecStopRemove_WithLabelsAndHiddenSecret(string kind)
    {
        var image = await UniqueImageAsync("lifecycle");
        var recording = new RecordingTarget(Target(kind));
        var host = new ContainerHost(recording);
        var app = $"app-{Guid.NewGuid():N}"[..16];
        var name = Container($"{app}-v1");
        var spec = new ContainerSpec
        {
            Name = name,
            Image = image,
            App = app,
            DeploymentId = "dep-42",
            Version = "abc1234",
            Port = 18080,
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello world" },
            SecretEnvironment = new Dictionary<string, SecretValue> { ["API_TOKEN"] = new(Secret) },
            Labels = new Dictionary<string, string> { ["team"] = "core" },
            RestartPolicy = "on-failure:3",
            Cpus = 0.5,
            MemoryBytes = 64L * 1024 * 1024,
            Command = ["sh", "-c", "echo \"greeting=$GREETING port=$PORT\"; echo \"token=$API_TOKEN\" >&2; exec sleep 300"],
        };

        var id = await host.RunAsync(spec, CancellationToken.None);

        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.All(recording.Calls, call =>
        {
            Assert.DoesNotContain(call.Arguments, a => a.Contains(Secret, StringComparison.Ordinal));
            Assert.DoesNotContain(Secret, call.Result.CommandDisplay, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, call.Result.StandardOutput + call.Result.StandardError, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(recording.Calls.Single(c => c.Arguments[1] == "run").Arguments, a => a.Contains("hello world", StringComparison.Ordinal));

        var listed = Assert.Single(await host.ListAppAsync(app, "dep-42", CancellationToken.None));
        Assert.Equal(id, listed.Id);
        Assert.Equal(name, listed.Name);
        Assert.True(listed.Running);
        Assert.Equal(image, listed.Image);
        Assert.Equal(("dep-42", "abc1234", 18080, "core"), (listed.DeploymentId, listed.Version, listed.Port, listed.Labels["team"]));
        Assert.Empty(await host.ListAppAsync(app, "dep-other", CancellationToken.None));

        var inside = await host.ExecAsync(name, ["sh", "-c", "echo \"$API_TOKEN\""], TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.Equal(Secret + "\n", inside.StandardOutput);
        var failing = await host.ExecAsync(name, ["sh", "-c", "exit 3"], TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.Equal(3, failing.ExitCode);

        var logs = await WaitForLogsAsync(host, name, 2);
        Assert.Equal(["greeting=hello world port=18080", "token=***"], logs.Order(StringComparer.Ordinal));

        var stats = await host.StatsAsync(name, CancellationToken.None);
        Assert.NotNull(stats);
        Assert.True(stats.MemoryBytes > 0, $"memory {stats.MemoryBytes}");
        Assert.Equal(64L * 1024 * 1024, stats.MemoryLimitBytes);
        Assert.InRange(stats.CpuPercent, 0, 100);

        Assert.True(await host.StopAsync(name, TimeSpan.FromSeconds(2), CancellationToken.None));
        var stopped = await host.InspectAsync(name, CancellationToken.None);
        Assert.Equal("exited", stopped?.State);
        Assert.Null(await host.StatsAsync("deploymind-test-no-such-container", CancellationToken.None));
        Assert.True(await host.RemoveAsync(name, force: false, CancellationToken.None));
        Assert.False(await host.RemoveAsync(name, force: false, CancellationToken.None));
        Assert.False(await host.StopAsync(name, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Null(await host.InspectAsync(name, CancellationToken.None));
        Assert.Empty(await host.LogsTailAsync(name, 5, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_ContainerExitsAtStart_IsListedExitedWithItsLastLogLines()
    {
        var image = await UniqueImageAsync("crash");
        var host = new ContainerHost(Target("ssh"));
        var app = $"crash-{Guid.NewGuid():N}"[..14];
        var name = Container($"{app}-v1");

        await host.RunAsync(new ContainerSpec
        {
            Name = name, Image = image, App = app, RestartPolicy = "no",
            Command = ["sh", "-c", "echo starting; echo 'fatal: no config' >&2; exit 4"],
        }, CancellationToken.None);
        var info = await WaitForStateAsync(host, name, "exited");

        Assert.Equal(4, info.ExitCode);
        // Docker timestamps each stream as it reads it, so lines of different streams may swap places.
        Assert.Equal(["fatal: no config", "starting"], (await host.LogsTailAsync(name, 10, CancellationToken.None)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_NameTaken_FailsUnlessReplacing()
    {
        var image = await UniqueImageAsync("replace");
        var host = new ContainerHost(Target("local"));
        var name = Container($"replace-{Guid.NewGuid():N}"[..20]);
        var spec = new ContainerSpec { Name = name, Image = image, App = "replace", Command = ["sleep", "300"] };
        var first = await host.RunAsync(spec, CancellationToken.None);

        var taken = await Assert.ThrowsAsync<TargetCommandFailedException>(() => host.RunAsync(spec, CancellationToken.None));
        var second = await host.RunAsync(spec with { ReplaceExisting = true }, CancellationToken.None);

        Assert.Contains("already in use", taken.Message, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void BuildRun_BadInput_IsRejectedBeforeAnythingRuns()
    {
        var spec = new ContainerSpec { Name = "web-1", Image = "img:1", App = "web" };

        Assert.Throws<DeployMind.Domain.InvalidInputException>(() => ContainerHost.BuildRun(spec with { Name = "bad name" }));
        Assert.Throws<DeployMind.Domain.InvalidInputException>(() => ContainerHost.BuildRun(spec with { RestartPolicy = "sometimes" }));
        var multiline = Assert.Throws<DeployMind.Domain.InvalidInputException>(() => ContainerHost.BuildRun(spec with
        {
            SecretEnvironment = new Dictionary<string, SecretValue> { ["KEY"] = new("line1\nline2") },
        }));
        Assert.DoesNotContain("line1", multiline.Message, StringComparison.Ordinal);
        Assert.Throws<DeployMind.Domain.InvalidInputException>(() => ContainerHost.BuildRun(spec with
        {
            Environment = new Dictionary<string, string> { ["1BAD"] = "x" },
        }));
    }

    [Fact]
    public async Task RetainImagesAsync_KeepsNewestAndImagesInUse_RemovesTheRest()
    {
        await _busybox.EnsureAsync();
        var repo = $"deploymind-test/retain-{Guid.NewGuid():N}"[..40];
        using var engine = new DockerEngine(new DockerEngineOptions());
        var tags = new List<string>();
        for (var i = 1; i <= 5; i++)
        {
            var tag = $"{repo}:v{i}";
            await ImportDistinctAsync(engine, tag, i);
            _images.Add(tag);
            tags.Add(tag);
        }

        var host = new ContainerHost(Target("ssh"));
        // v1 is old but a stopped container still uses it: a rollback target that must survive.
        var user = Container($"retain-user-{Guid.NewGuid():N}"[..24]);
        var create = await host.Target.RunAsync(["docker", "create", "--name", user, tags[0], "/bin/busybox", "true"],
            TargetCommandOptions.Default, CancellationToken.None);
        create.VerifySuccess();

        var result = await host.RetainImagesAsync("ignored-app", keep: 2, CancellationToken.None, repository: repo);

        Assert.Equal([tags[4], tags[3]], result.Kept.Select(i => i.Reference));
        Assert.Equal([tags[0]], result.InUse.Select(i => i.Reference));
        Assert.Equal([tags[2], tags[1]], result.Removed.Select(i => i.Reference));
        Assert.False(await host.ImageExistsAsync(tags[1], CancellationToken.None));
        Assert.True(await host.ImageExistsAsync(tags[0], CancellationToken.None));
        Assert.True(await host.ImageExistsAsync(tags[4], CancellationToken.None));
        Assert.Equal(ImageRemoval.NotFound, await host.RemoveImageAsync(tags[1], CancellationToken.None));
    }

    [Fact]
    public void ParseSize_DockerUnits()
    {
        Assert.Equal(1536, ContainerHost.ParseSize("1.5KiB"));
        Assert.Equal(64L * 1024 * 1024, ContainerHost.ParseSize("64MiB"));
        Assert.Equal(2_000_000_000, ContainerHost.ParseSize("2GB"));
        Assert.Equal(0, ContainerHost.ParseSize("0B"));
        Assert.Equal(100_000, ContainerHost.ParseSize("100kB"));
    }

    private static async Task ImportDistinctAsync(DockerEngine engine, string tag, int n)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync("/bin/busybox", "bin/busybox");
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "version.txt")
            {
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"{tag} {n} {Guid.NewGuid()}")),
            };
            await writer.WriteEntryAsync(entry);
        }

        tar.Position = 0;
        await engine.ImportImageAsync(tar, tag, CancellationToken.None);
        await Task.Delay(20);
    }

    private static async Task<IReadOnlyList<string>> WaitForLogsAsync(ContainerHost host, string name, int count)
    {
        for (var i = 0; ; i++)
        {
            var logs = await host.LogsTailAsync(name, 10, CancellationToken.None, [Secret]);
            if (logs.Count >= count || i > 50)
            {
                return logs;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<ContainerInfo> WaitForStateAsync(ContainerHost host, string name, string state)
    {
        for (var i = 0; ; i++)
        {
            var info = await host.InspectAsync(name, CancellationToken.None);
            if (info?.State == state || i > 100)
            {
                Assert.Equal(state, info?.State);
                return info!;
            }

            await Task.Delay(100);
        }
    }

    private async Task<string> UniqueImageAsync(string prefix)
    {
        var image = await _busybox.TagUniqueAsync(prefix);
        _images.Add(image);
        return image;
    }

    private string Container(string name)
    {
        var unique = $"dm-test-{name}";
        _containers.Add(unique);
        return unique;
    }

    private IDeployTarget Target(string kind)
    {
        IDeployTarget target = kind == "ssh" ? _ssh.Target(1) : new LocalDockerTarget("local", new ProcessRunner());
        _targets.Add(target);
        return target;
    }
}
