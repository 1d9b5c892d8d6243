namespace DeployMind.Cli.Tests;

public sealed class BuildCommandTests : IDisposable
{
    private static readonly string s_samples = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../samples"));
    private readonly string _data = Directory.CreateTempSubdirectory("deploymind-cli-build-").FullName;

    [Fact]
    [Trait("Requires", "docker")]
    public async Task Build_SampleWithoutDockerfile_BuildsAndReportsTheImageAsJson()
    {
        var tag = $"dmtest-cli-build-{Guid.NewGuid():N}"[..26] + ":1";
        var environment = new Dictionary<string, string?>
        {
            ["DOCKER_HOST"] = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock",
            ["DEPLOYMIND_BASE_IMAGES"] = "offline",
            ["DEPLOYMIND_DATA_DIR"] = _data,
        };

        var run = await CliRun.RunAsync(environment, "build", Path.Combine(s_samples, "python-hello"), "--tag", tag, "--json");

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        Assert.True(run.Json.GetProperty("success").GetBoolean());
        Assert.Equal(tag, run.Json.GetProperty("image").GetString());
        Assert.True(run.Json.GetProperty("size_bytes").GetInt64() > 0);
        Assert.True(run.Json.GetProperty("dockerfile_generated").GetBoolean());
        Assert.False(File.Exists(Path.Combine(s_samples, "python-hello", "Dockerfile.deploymind")), "the generated Dockerfile must not land in the user's directory");
        await CliRun.RunAsync(environment, "images", "list");
        var remove = new System.Diagnostics.ProcessStartInfo("/usr/bin/docker", ["rmi", tag]);
        remove.Environment["DOCKER_HOST"] = environment["DOCKER_HOST"];
        System.Diagnostics.Process.Start(remove)!.WaitForExit(30_000);
    }

    [Fact]
    public async Task Build_EngineUnreachable_SaysWhichSocketWasTriedAndFails()
    {
        var socket = Path.Combine(_data, "no-engine.sock");

        var run = await CliRun.RunAsync(new Dictionary<string, string?> { ["DOCKER_HOST"] = $"unix://{socket}", ["DEPLOYMIND_DATA_DIR"] = _data },
            "build", Path.Combine(s_samples, "python-hello"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"unix://{socket}", run.Error);
        Assert.Contains("scripts/docker.sh start", run.Error);
    }

    [Fact]
    public async Task Build_MissingDirectory_IsInvalidInput()
    {
        var run = await CliRun.RunAsync(new Dictionary<string, string?> { ["DEPLOYMIND_DATA_DIR"] = _data }, "build", Path.Combine(_data, "nope"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is not a directory", run.Error);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
