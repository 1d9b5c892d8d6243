using System.Text.Json.Nodes;
using DeployMind.Build.Agent;
using DeployMind.Build.Detection;
using DeployMind.Build.Docker;
using DeployMind.Build.Generation;
using DeployMind.Build.Optimization;
using DeployMind.Build.Tests.Docker;
using DeployMind.Domain;
using DeployMind.Llm;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;
using DeployMind.Pipeline.Processes;
using DeployMind.Pipeline.Source;

namespace DeployMind.Build.Tests.Agent;

/// <summary>
/// The build stage on the engine DOCKER_HOST names, with the offline base images of `deploymind images bootstrap`
/// (scripts/test.sh builds them first). Fails, never skips, when either is missing.
/// </summary>
[Trait("Requires", "docker")]
public sealed class BuildAgentTests : IDisposable
{
    private static readonly string s_samples = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../samples"));

    private readonly DockerEngine _engine = new(new DockerEngineOptions());
    private readonly ProcessRunner _processes = new();
    private readonly TempDirectory _workspace = new();
    private readonly RecordingJournal _journal = new();
    private readonly List<string> _tags = [];

    private BuildAgent Agent() => new(new ImageBuilder(_engine, _processes), new ProjectDetector(), new DockerfileGenerator(), new DockerfileOptimizer(),
        BaseImageMap.Offline(), new RuleBasedAdvisor(), _processes, TimeProvider.System);

    private async Task<(DeploymentContext Context, string Directory)> ContextAsync(string? sample, JsonObject? build = null, Action<string>? prepare = null)
    {
        Assert.True(await _engine.ImageExistsAsync("deploymind/base:bookworm", CancellationToken.None),
            "offline base images are missing: run `deploymind images bootstrap` (scripts/test.sh does)");
        var directory = Path.Combine(_workspace.Path, "src");
        Directory.CreateDirectory(directory);
        if (sample is not null)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(s_samples, sample), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(directory, Path.GetRelativePath(Path.Combine(s_samples, sample), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        prepare?.Invoke(directory);
        var app = $"dmtest-build-{Guid.NewGuid():N}"[..22];
        _tags.Add($"{app}:abcdef12");
        _tags.Add($"{app}:abcdef12-optimized");
        var deployment = new Deployment
        {
            Id = DeploymentId.New(DateTime.UtcNow),
            Repository = "acme/" + app,
            CommitSha = "abcdef1234567890abcdef1234567890abcdef12",
            Metadata = new JsonObject { ["app"] = app, ["config"] = new JsonObject { ["build"] = build ?? [] } },
        };
        var context = new DeploymentContext(deployment, _journal, new SecretMask(), _workspace.Path, TimeProvider.System);
        context.Artifacts.Set(PipelineArtifacts.Source, SourceCheckout.ForDirectory(directory, deployment.CommitSha));
        return (context, directory);
    }

    [Theory]
    [InlineData("node-hello", "nodejs")]
    [InlineData("python-hello", "python")]
    [InlineData("go-hello", "go")]
    [InlineData("static-site", "static")]
    public async Task ExecuteAsync_SampleWithoutDockerfile_BuildsAGeneratedImageThatAnswersItsHealthEndpoint(string sample, string language)
    {
        var (context, directory) = await ContextAsync(sample, prepare: d => File.Delete(Path.Combine(d, "Dockerfile")));

        var result = await Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var row = Assert.Single(_journal.Rows.OfType<BuildResult>());
        Assert.True(row.Success);
        Assert.True(row.DockerfileGenerated);
        Assert.Equal(language, row.DetectedLanguage);
        Assert.StartsWith("sha256:", row.ImageId);
        Assert.True(row.ImageSizeBytes > 1_000_000 && row.LayerCount > 1, $"size {row.ImageSizeBytes}, layers {row.LayerCount}");
        Assert.Equal(0, row.ExitCode);
        Assert.True(File.Exists(Path.Combine(directory, "Dockerfile.deploymind")) && File.Exists(Path.Combine(directory, ".dockerignore")));
        Assert.Contains(_journal.Logs, l => l.EventType == "build_output");
        var image = context.Artifacts.Get(BuildArtifacts.Image);
        Assert.Equal(row.ImageTag, image.Tag);
        Assert.Equal("/health", image.HealthPath);

        var started = await StartCheck.RunAsync(_processes, _engine.Host, image.Tag, image.HealthPath, CancellationToken.None,
            command: sample == "static-site" ? ["busybox", "httpd", "-f", "-p", "{port}", "-h", "/srv/www"] : null);
        Assert.True(started.Started, started.Reason);
    }

    [Fact]
    public async Task ExecuteAsync_FailingStep_FailsWithTheLastLinesAndAStoredSuggestion()
    {
        var (context, _) = await ContextAsync("node-hello", prepare: d => File.WriteAllText(Path.Combine(d, "Dockerfile"),
            "FROM deploymind/base:bookworm\nRUN echo 'npm ERR! Missing script: \"build\"' && exit 3\n"));

        var result = await Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.Equal(AgentOutcome.Failed, result.Outcome);
        Assert.Contains("Missing script", result.Reason);
        Assert.Contains("Suggestion:", result.Reason);
        var row = Assert.Single(_journal.Rows.OfType<BuildResult>());
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
        var (context, _) = await ContextAsync("node-hello", new JsonObject { ["timeout"] = "3s" }, d => File.WriteAllText(Path.Combine(d, "Dockerfile"),
            $"FROM deploymind/base:bookworm\nRUN echo {marker} > /marker\nRUN sleep 60\n"));

        var result = await Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.Equal(AgentOutcome.Failed, result.Outcome);
        Assert.Contains("time limit of 3s", result.Reason);
        var row = Assert.Single(_journal.Rows.OfType<BuildResult>());
        Assert.Equal(124, row.ExitCode);
        Assert.False(await _engine.ImageExistsAsync(_tags[^2], CancellationToken.None));
        Assert.Empty(await UntaggedImagesMentioningAsync(marker));
    }

    /// <summary>Untagged images (layers included) whose history holds <paramref name="text"/>: what a stopped build would leave.</summary>
    private async Task<IReadOnlyList<string>> UntaggedImagesMentioningAsync(string text)
    {
        var list = await _processes.RunAsync(new CommandLine("/usr/bin/docker", "image", "ls", "--all", "--quiet", "--no-trunc", "--filter", "dangling=true")
        {
            Environment = new Dictionary<string, string?> { ["DOCKER_HOST"] = _engine.Host },
            Timeout = TimeSpan.FromMinutes(1),
        }, CancellationToken.None);
        var found = new List<string>();
        foreach (var id in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct())
        {
            var history = await _processes.RunAsync(new CommandLine("/usr/bin/docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", id)
            {
                Environment = new Dictionary<string, string?> { ["DOCKER_HOST"] = _engine.Host },
                Timeout = TimeSpan.FromMinutes(1),
            }, CancellationToken.None);
            if (history.StandardOutput.Contains(text, StringComparison.Ordinal))
            {
                found.Add(id);
            }
        }

        return found;
    }

    [Fact]
    public async Task ExecuteAsync_BuildSecret_ReachesTheBuildButNoLayerHistoryOrLog()
    {
        var secret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        var variable = "DMTEST_BUILD_SECRET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, secret);
        var (context, _) = await ContextAsync("node-hello", new JsonObject { ["secrets"] = new JsonObject { ["npm_token"] = new JsonObject { ["env"] = variable } } },
            d => File.WriteAllText(Path.Combine(d, "Dockerfile"),
                "FROM deploymind/base:bookworm\nRUN --mount=type=secret,id=npm_token wc -c < /run/secrets/npm_token > /secret-length && cat /run/secrets/npm_token\nCMD [\"cat\", \"/secret-length\"]\n"));

        var result = await Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        Assert.Equal("buildkit", result.Output["builder"]?.GetValue<string>());
        var tag = context.Artifacts.Get(BuildArtifacts.Image).Tag;
        var run = await _processes.RunAsync(new CommandLine("/usr/bin/docker", "run", "--rm", "--network", "host", tag) { Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
        Assert.Equal(secret.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), run.StandardOutput.Trim());
        var history = await _processes.RunAsync(new CommandLine("/usr/bin/docker", "history", "--no-trunc", tag) { Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
        var saved = Path.Combine(_workspace.Path, "image.tar");
        await _processes.RunAsync(new CommandLine("/usr/bin/docker", "save", "-o", saved, tag) { Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
        Assert.DoesNotContain(secret, history.StandardOutput);
        Assert.DoesNotContain(secret, await File.ReadAllTextAsync(saved));
        Assert.DoesNotContain(_journal.Logs, l => l.Message.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(secret, _journal.Rows.OfType<BuildResult>().Single().BuildLogs ?? "");
    }

    [Fact]
    public async Task ExecuteAsync_OptimizeAnUnoptimizedDockerfile_KeepsASmallerVariantThatStarts()
    {
        // The sample's hand-written Dockerfile, on the offline Node.js image instead of Docker Hub's.
        var (context, _) = await ContextAsync("node-hello", new JsonObject { ["optimize"] = true }, d =>
            File.WriteAllText(Path.Combine(d, "Dockerfile"), File.ReadAllText(Path.Combine(d, "Dockerfile")).Replace("FROM node:20", "FROM deploymind/node:18", StringComparison.Ordinal)));

        var result = await Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var row = Assert.Single(_journal.Rows.OfType<BuildResult>());
        Assert.NotEmpty(row.OptimizationsApplied);
        Assert.True(row.OptimizedSizeBytes < row.OriginalSizeBytes, $"optimized {row.OptimizedSizeBytes} vs original {row.OriginalSizeBytes}");
        Assert.True(row.SizeReductionPercent > 0);
        Assert.Equal(row.OptimizedSizeBytes, row.ImageSizeBytes);
        Assert.Contains(_journal.Logs, l => l.EventType == "optimization_applied");
    }

    [Fact]
    public async Task ExecuteAsync_NoRecognizableApp_FailsSayingWhatWasLookedFor()
    {
        var (context, _) = await ContextAsync(null, prepare: d => File.WriteAllText(Path.Combine(d, "notes.txt"), "nothing to run"));

        var result = await Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.Equal(AgentOutcome.Failed, result.Outcome);
        Assert.Contains("package.json", result.Reason);
        Assert.False(Assert.Single(_journal.Rows.OfType<BuildResult>()).Success);
    }

    public void Dispose()
    {
        foreach (var tag in _tags)
        {
            _engine.RemoveImageAsync(tag, force: true, CancellationToken.None).GetAwaiter().GetResult();
        }

        _engine.Dispose();
        _workspace.Dispose();
    }

    private sealed class RecordingJournal : IDeploymentJournal
    {
        public List<LogEntry> Logs { get; } = [];

        public List<object> Rows { get; } = [];

        public Task LogAsync(LogEntry entry, CancellationToken cancellationToken)
        {
            lock (Logs)
            {
                Logs.Add(entry);
            }

            return Task.CompletedTask;
        }

        public Task<AgentExecution> StartExecutionAsync(string agentName, string agentVersion, LogEntry? entry, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task CompleteExecutionAsync(AgentExecution execution, LogEntry? entry, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RecordAsync<T>(T row, LogEntry? entry, CancellationToken cancellationToken) where T : class, IDeploymentRecord
        {
            Rows.Add(row);
            return entry is null ? Task.CompletedTask : LogAsync(entry, cancellationToken);
        }
    }
}
