using System.Text.Json.Nodes;
using DeployMind.Build.Agent;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Build.Tests.Agent;

/// <summary>
/// The build stage on the engine DOCKER_HOST names, with the offline base images of `deploymind images bootstrap`
/// (scripts/test.sh builds them first). Fails, never skips, when either is missing.
/// </summary>
[Trait("Requires", "docker")]
public sealed class BuildAgentTests : IDisposable
{
    private readonly AgentHarness _harness = new();

    [Fact]
    public async Task ExecuteAsync_FailingStep_FailsWithTheLastLinesAndAStoredSuggestion()
    {
        var (context, _) = await _harness.ContextAsync("node-hello", prepare: d => File.WriteAllText(Path.Combine(d, "Dockerfile"),
            "FROM deploymind/base:bookworm\nRUN echo 'npm ERR! Missing script: \"build\"' && exit 3\n"));

        var result = await _harness.Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.Equal(AgentOutcome.Failed, result.Outcome);
        Assert.Contains("Missing script", result.Reason);
        Assert.Contains("Suggestion:", result.Reason);
        var row = Assert.Single(_harness.Journal.Rows.OfType<BuildResult>());
        Assert.False(row.Success);
        Assert.Equal(3, row.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(row.AiSuggestions));
        Assert.Contains("script", row.AiSuggestions, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("non-zero code: 3", row.ErrorMessage);
    }

    [Fact]
    public async Task ExecuteAsync_PastTheTimeout_StopsTheBuildAndLeavesNoImage()
    {
        var marker = Guid.NewGuid().ToString("N");
        var (context, _) = await _harness.ContextAsync("node-hello", new JsonObject { ["timeout"] = "3s" }, d => File.WriteAllText(Path.Combine(d, "Dockerfile"),
            $"FROM deploymind/base:bookworm\nRUN echo {marker} > /marker\nRUN sleep 60\n"));

        var result = await _harness.Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.Equal(AgentOutcome.Failed, result.Outcome);
        Assert.Contains("time limit of 3s", result.Reason);
        var row = Assert.Single(_harness.Journal.Rows.OfType<BuildResult>());
        Assert.Equal(124, row.ExitCode);
        Assert.False(await _harness.Engine.ImageExistsAsync(_harness.LastTag, CancellationToken.None));
        Assert.Empty(await UntaggedImagesMentioningAsync(marker));
    }

    /// <summary>Untagged images (layers included) whose history holds <paramref name="text"/>: what a stopped build would leave.</summary>
    private async Task<IReadOnlyList<string>> UntaggedImagesMentioningAsync(string text)
    {
        var list = await DockerAsync("image", "ls", "--all", "--quiet", "--no-trunc", "--filter", "dangling=true");
        var found = new List<string>();
        foreach (var id in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct())
        {
            if ((await DockerAsync("history", "--no-trunc", "--format", "{{.CreatedBy}}", id)).Contains(text, StringComparison.Ordinal))
            {
                found.Add(id);
            }
        }

        return found;
    }

    private async Task<string> DockerAsync(params string[] arguments) =>
        (await _harness.Processes.RunAsync(new CommandLine("/usr/bin/docker", arguments)
        {
            Environment = new Dictionary<string, string?> { ["DOCKER_HOST"] = _harness.Engine.Host },
            Timeout = TimeSpan.FromMinutes(1),
        }, CancellationToken.None)).StandardOutput;

    [Fact]
    public async Task ExecuteAsync_BuildSecret_ReachesTheBuildButNoLayerHistoryOrLog()
    {
        var secret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        var variable = "DMTEST_BUILD_SECRET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, secret);
        var (context, _) = await _harness.ContextAsync("node-hello", new JsonObject { ["secrets"] = new JsonObject { ["npm_token"] = new JsonObject { ["env"] = variable } } },
            d => File.WriteAllText(Path.Combine(d, "Dockerfile"),
                "FROM deploymind/base:bookworm\nRUN --mount=type=secret,id=npm_token wc -c < /run/secrets/npm_token > /secret-length && cat /run/secrets/npm_token\nCMD [\"cat\", \"/secret-length\"]\n"));

        var result = await _harness.Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal("buildkit", result.Output["builder"]?.GetValue<string>());
        var tag = context.Artifacts.Get(BuildArtifacts.Image).Tag;
        var run = await _harness.Processes.RunAsync(new CommandLine("/usr/bin/docker", "run", "--rm", "--network", "host", tag) { Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
        Assert.Equal(secret.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), run.StandardOutput.Trim());
        var history = await _harness.Processes.RunAsync(new CommandLine("/usr/bin/docker", "history", "--no-trunc", tag) { Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
        var saved = Path.Combine(_harness.WorkspacePath, "image.tar");
        await _harness.Processes.RunAsync(new CommandLine("/usr/bin/docker", "save", "-o", saved, tag) { Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
        Assert.DoesNotContain(secret, history.StandardOutput);
        Assert.DoesNotContain(secret, await File.ReadAllTextAsync(saved));
        Assert.DoesNotContain(_harness.Journal.Logs, l => l.Message.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(secret, _harness.Journal.Rows.OfType<BuildResult>().Single().BuildLogs ?? "");
    }

    [Fact]
    public async Task ExecuteAsync_NoRecognizableApp_FailsSayingWhatWasLookedFor()
    {
        var (context, _) = await _harness.ContextAsync(null, prepare: d => File.WriteAllText(Path.Combine(d, "notes.txt"), "nothing to run"));

        var result = await _harness.Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.Equal(AgentOutcome.Failed, result.Outcome);
        Assert.Contains("package.json", result.Reason);
        Assert.False(Assert.Single(_harness.Journal.Rows.OfType<BuildResult>()).Success);
    }

    [Fact]
    public async Task ExecuteAsync_SlowStep_StreamsItsOutputIntoTheLogsWhileTheBuildRuns()
    {
        var marker = "dm-progress-" + Guid.NewGuid().ToString("N")[..8];
        var (context, _) = await _harness.ContextAsync("node-hello", prepare: d => File.WriteAllText(Path.Combine(d, "Dockerfile"),
            $"FROM deploymind/base:bookworm\nRUN echo {marker} && sleep 5\n"));

        var result = await _harness.Agent().ExecuteAsync(context, CancellationToken.None);
        var finished = DateTimeOffset.UtcNow;

        Assert.True(result.Succeeded, result.Reason);
        var index = _harness.Journal.Logs.FindIndex(l => l.EventType == "build_output" && l.Message.Contains(marker, StringComparison.Ordinal));
        Assert.True(index >= 0, "the step's output never reached the logs");
        var early = finished - _harness.Journal.LoggedAt[index];
        Assert.True(early > TimeSpan.FromSeconds(3), $"the step's output reached the logs only {early.TotalSeconds:0.0} s before the build ended");
    }

    [Fact]
    public async Task ExecuteAsync_PushWithARegistryButNoPublisher_FailsSayingHowToFixItAndRecordsTheRow()
    {
        var (context, _) = await _harness.ContextAsync(null, new JsonObject { ["push"] = true }, d =>
        {
            File.WriteAllText(Path.Combine(d, "Dockerfile"), "FROM deploymind/base:bookworm\nCOPY index.html /srv/\nCMD [\"true\"]\n");
            File.WriteAllText(Path.Combine(d, "index.html"), "<p>hi</p>");
        }, new JsonObject { ["url"] = "127.0.0.1:5999" });

        var result = await _harness.Agent(publisher: null).ExecuteAsync(context, CancellationToken.None);

        Assert.Equal(AgentOutcome.Failed, result.Outcome);
        Assert.Contains("no image publisher", result.Reason);
        Assert.Contains("build.push: false", result.Reason);
        var row = Assert.Single(_harness.Journal.Rows.OfType<BuildResult>());
        Assert.False(row.Success);
        Assert.StartsWith("sha256:", row.ImageId);
        Assert.Null(context.Artifacts.Find(BuildArtifacts.Image));
    }

    [Fact]
    public async Task ExecuteAsync_PushWithAPublisher_HandsTheDeployStageTheDigest()
    {
        var (context, _) = await _harness.ContextAsync(null, new JsonObject { ["push"] = true }, d =>
        {
            File.WriteAllText(Path.Combine(d, "Dockerfile"), "FROM deploymind/base:bookworm\nCOPY index.html /srv/\nCMD [\"true\"]\n");
            File.WriteAllText(Path.Combine(d, "index.html"), "<p>hi</p>");
        }, new JsonObject { ["url"] = "127.0.0.1:5999" });
        var publisher = new RecordingPublisher();

        var result = await _harness.Agent(publisher).ExecuteAsync(context, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var (image, registry) = Assert.Single(publisher.Published);
        Assert.Equal("127.0.0.1:5999", registry.Url);
        Assert.Equal(_harness.LastTag, image.Tag);
        var built = context.Artifacts.Get(BuildArtifacts.Image);
        Assert.Equal($"127.0.0.1:5999/{image.Application}@sha256:{new string('a', 64)}", built.Digest);
        Assert.Contains(built.Digest!, Assert.Single(_harness.Journal.Rows.OfType<BuildResult>()).ImageTag);
    }

    public void Dispose() => _harness.Dispose();

    private sealed class RecordingPublisher : IImagePublisher
    {
        public List<(BuiltImage Image, RegistryConfig Registry)> Published { get; } = [];

        public Task<string?> PublishAsync(BuiltImage image, RegistryConfig registry, DeploymentContext ctx, CancellationToken cancellationToken)
        {
            Published.Add((image, registry));
            return Task.FromResult<string?>($"{registry.Url}/{image.Application}@sha256:{new string('a', 64)}");
        }
    }
}
