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
/// A build agent on the engine DOCKER_HOST names with the offline base images of `deploymind images bootstrap`, a workspace
/// holding a copy of a sample, and a journal that keeps what the agent wrote. Removes the images it tagged.
/// </summary>
internal sealed class AgentHarness : IDisposable
{
    private static readonly string s_samples = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../samples"));

    private readonly TempDirectory _workspace = new();
    private readonly List<string> _tags = [];

    public DockerEngine Engine { get; } = new(new DockerEngineOptions());

    public ProcessRunner Processes { get; } = new();

    public RecordingJournal Journal { get; } = new();

    public string WorkspacePath => _workspace.Path;

    /// <summary>The tag the agent gives the image of the last context (<c>&lt;app&gt;:abcdef12</c>).</summary>
    public string LastTag => _tags[^2];

    public static string Sample(string name) => Path.Combine(s_samples, name);

    public BuildAgent Agent(IImagePublisher? publisher = null) => new(new ImageBuilder(Engine, Processes), new ProjectDetector(), new DockerfileGenerator(),
        new DockerfileOptimizer(), BaseImageMap.Offline(), new RuleBasedAdvisor(), Processes, TimeProvider.System, publisher);

    public async Task<(DeploymentContext Context, string Directory)> ContextAsync(string? sample, JsonObject? build = null, Action<string>? prepare = null,
        JsonObject? registry = null)
    {
        Assert.True(await Engine.ImageExistsAsync("deploymind/base:bookworm", CancellationToken.None),
            "offline base images are missing: run `deploymind images bootstrap` (scripts/test.sh does)");
        var directory = Path.Combine(_workspace.Path, "src");
        Directory.CreateDirectory(directory);
        if (sample is not null)
        {
            foreach (var file in Directory.EnumerateFiles(Sample(sample), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(directory, Path.GetRelativePath(Sample(sample), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        prepare?.Invoke(directory);
        var app = $"dmtest-build-{Guid.NewGuid():N}"[..22];
        _tags.Add($"{app}:abcdef12");
        _tags.Add($"{app}:abcdef12-optimized");
        var configuration = new JsonObject { ["build"] = build ?? [] };
        if (registry is not null)
        {
            configuration["registry"] = registry;
        }

        var deployment = new Deployment
        {
            Id = DeploymentId.New(DateTime.UtcNow),
            Repository = "acme/" + app,
            CommitSha = "abcdef1234567890abcdef1234567890abcdef12",
            Metadata = new JsonObject { ["app"] = app, ["config"] = configuration },
        };
        var context = new DeploymentContext(deployment, Journal, new SecretMask(), _workspace.Path, TimeProvider.System);
        context.Artifacts.Set(PipelineArtifacts.Source, SourceCheckout.ForDirectory(directory, deployment.CommitSha));
        return (context, directory);
    }

    public void Dispose()
    {
        foreach (var tag in _tags)
        {
            Engine.RemoveImageAsync(tag, force: true, CancellationToken.None).GetAwaiter().GetResult();
        }

        Engine.Dispose();
        _workspace.Dispose();
    }

    internal sealed class RecordingJournal : IDeploymentJournal
    {
        public List<LogEntry> Logs { get; } = [];

        /// <summary>When each entry of <see cref="Logs"/> arrived.</summary>
        public List<DateTimeOffset> LoggedAt { get; } = [];

        public List<object> Rows { get; } = [];

        public Task LogAsync(LogEntry entry, CancellationToken cancellationToken)
        {
            lock (Logs)
            {
                Logs.Add(entry);
                LoggedAt.Add(DateTimeOffset.UtcNow);
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
