using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DeployMind.Build.Detection;
using DeployMind.Build.Generation;
using DeployMind.Build.Optimization;
using DeployMind.Domain;
using DeployMind.Llm;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;
using DeployMind.Pipeline.Processes;
using DeployMind.Pipeline.Source;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Build.Agent;

/// <summary>
/// The build stage: detects the application, generates a Dockerfile when the repository has none, builds the image
/// with its output streamed into the deployment's logs, optionally builds an optimized variant and keeps it when it
/// builds and starts, pushes it when a registry is configured, and records one build_results row. A failed build gets
/// the advisor's suggestion (rule-based without an LLM), stored and shown.
/// </summary>
public sealed class BuildAgent(
    ImageBuilder builder,
    ProjectDetector detector,
    DockerfileGenerator generator,
    DockerfileOptimizer optimizer,
    BaseImageMap baseImages,
    IDeploymentAdvisor advisor,
    IProcessRunner processes,
    TimeProvider clock,
    IImagePublisher? publisher = null) : IDeploymentAgent
{
    private const int StoredLogLines = 200;
    private const string GeneratedDockerfileName = "Dockerfile.deploymind";
    private const string OptimizedDockerfileName = "Dockerfile.deploymind-optimized";

    public string Name => "build";

    public string Version => "1.0.0";

    public PipelineStage Stage => PipelineStage.Build;

    public async Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        var source = context.Artifacts.Get(PipelineArtifacts.Source);
        var settings = BuildSettings.FromSnapshot(context.Configuration);
        var application = context.Deployment.Metadata?["app"]?.GetValue<string>() ?? AppName.Suggest(context.Deployment.Repository);
        // `deploymind build --tag` names the image itself; deployments tag <app>:<short sha>.
        var tag = context.Deployment.Metadata?["image_tag"]?.GetValue<string>() ?? $"{application}:{source.ShortSha}";
        var images = WithOverrides(baseImages, settings.BaseImages);
        var row = new BuildResult { DeploymentId = context.DeploymentId, CreatedAt = UtcTimestamp.Now(clock) };

        DetectionReport report;
        try
        {
            report = detector.Detect(source.Directory, new DetectionOptions { BuildDirectory = settings.Directory });
        }
        catch (AppNotDetectedException e)
        {
            row.Success = false;
            row.ErrorMessage = e.Message;
            await context.Journal.RecordAsync(row, new LogEntry(LogLevel.Error, Name, "build_failed", e.Message), cancellationToken);
            return AgentResult.Failure(e.Message, new JsonObject { ["error"] = e.Message });
        }

        row.DetectedLanguage = report.Language.ToWire();
        row.DetectedFramework = report.Framework;
        await context.LogAsync(Name, "build_started",
            $"Detected {report.Language.ToWire()}{(report.Framework is null ? "" : $" ({report.Framework})")}, port {report.Port}, health {report.HealthPath}; building {tag}",
            new JsonObject { ["language"] = report.Language.ToWire(), ["framework"] = report.Framework, ["confidence"] = report.Confidence, ["tag"] = tag },
            cancellationToken: cancellationToken);

        var contextDirectory = Path.Combine(source.Directory, report.BuildDirectory);
        var dockerfile = settings.Dockerfile ?? report.ExistingDockerfile;
        if (dockerfile is null)
        {
            var generated = generator.Generate(report, images);
            dockerfile = GeneratedDockerfileName;
            await File.WriteAllTextAsync(Path.Combine(contextDirectory, dockerfile), generated.Dockerfile, cancellationToken);
            if (!File.Exists(Path.Combine(contextDirectory, ".dockerignore")))
            {
                await File.WriteAllTextAsync(Path.Combine(contextDirectory, ".dockerignore"), generated.DockerIgnore, cancellationToken);
            }

            row.DockerfileGenerated = true;
            await context.LogAsync(Name, "dockerfile_generated", $"No Dockerfile in the repository: generated a multi-stage one from {string.Join(", ", generated.BaseImages.Values.Distinct())}",
                new JsonObject { ["dockerfile"] = generated.Dockerfile, ["notes"] = new JsonArray([.. generated.Notes.Select(n => (JsonNode)n)]) }, cancellationToken: cancellationToken);
        }
        else if (!File.Exists(Path.Combine(contextDirectory, dockerfile)))
        {
            var message = $"build.dockerfile '{dockerfile}' does not exist in '{report.BuildDirectory}'; fix the path in deploymind.yml or remove it to have one generated";
            row.ErrorMessage = message;
            await context.Journal.RecordAsync(row, new LogEntry(LogLevel.Error, Name, "build_failed", message), cancellationToken);
            return AgentResult.Failure(message);
        }

        row.DockerfilePath = Path.Combine(report.BuildDirectory, dockerfile).Replace('\\', '/').TrimStart('.', '/');
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, reference) in settings.Secrets)
        {
            var value = (await reference.ResolveAsync(SecretReference.ProcessEnvironment(), null, cancellationToken)).Reveal();
            context.Secrets.Add(value);
            secrets[id] = value;
        }

        using var output = new BuildLogStream(context, Name, clock);
        var outcome = await builder.BuildAsync(new ImageBuildRequest
        {
            ContextDirectory = contextDirectory,
            Dockerfile = dockerfile,
            Tag = tag,
            BuildArgs = settings.Args,
            Secrets = secrets,
            Timeout = settings.Timeout,
        }, output.Add, cancellationToken);
        await output.FlushAsync(cancellationToken);

        row.BuildDurationSeconds = Math.Round(outcome.Duration.TotalSeconds, 3);
        row.ExitCode = outcome.ExitCode;
        row.BuildLogs = context.Secrets.Apply(string.Join('\n', output.Lines.TakeLast(StoredLogLines)));
        if (!outcome.Succeeded)
        {
            return await FailAsync(context, row, report, dockerfile, contextDirectory, outcome, cancellationToken);
        }

        var image = outcome.Image!;
        row.Success = true;
        row.ImageId = image.Id;
        row.ImageTag = tag;
        row.ImageSizeBytes = image.SizeBytes;
        row.LayerCount = image.LayerCount;

        if (settings.Optimize && !row.DockerfileGenerated)
        {
            image = await OptimizeAsync(context, row, report, images, contextDirectory, dockerfile, tag, settings, image, cancellationToken);
        }

        var built = new BuiltImage(application, image.Id, tag, null, image.SizeBytes, image.LayerCount, report.Port, report.HealthPath, report.Language.ToWire());
        if (settings.Push && settings.Registry is { } registry)
        {
            if (publisher is null)
            {
                row.Success = false;
                row.ErrorMessage = $"build.push is true and a registry ({registry.Url}) is configured, but this host has no image publisher registered; " +
                    "register one (AddDeployMindBuildStage does) or set build.push: false for local-only targets";
                await context.Journal.RecordAsync(row, new LogEntry(LogLevel.Error, Name, "build_failed", row.ErrorMessage), cancellationToken);
                return AgentResult.Failure($"the image {tag} built but could not be pushed: {row.ErrorMessage}");
            }

            try
            {
                built = built with { Digest = await publisher.PublishAsync(built, registry, context, cancellationToken) };
                if (built.Digest is not null)
                {
                    row.ImageTag = $"{tag} ({built.Digest})";
                }
            }
            catch (DeployMindException e)
            {
                row.Success = false;
                row.ErrorMessage = context.Secrets.Apply(e.Message);
                await context.Journal.RecordAsync(row, new LogEntry(LogLevel.Error, Name, "build_failed", row.ErrorMessage), cancellationToken);
                return AgentResult.Failure($"the image built but could not be pushed: {row.ErrorMessage}");
            }
        }

        else if (settings.Push)
        {
            await context.LogAsync(Name, "push_skipped", $"build.push is true but deploymind.yml has no registry section: {tag} stays on this engine (add registry.url to push)",
                level: LogLevel.Warning, cancellationToken: cancellationToken);
        }

        context.Artifacts.Set(BuildArtifacts.Image, built);
        var summary = $"Built {tag}: {image.SizeBytes / 1_000_000.0:0.#} MB, {image.LayerCount} layers in {outcome.Duration.TotalSeconds:0.#} s" +
            (row.OptimizationsApplied.Count > 0 ? $" (optimized: {row.SizeReductionPercent:0.#}% smaller)" : "");
        await context.Journal.RecordAsync(row, new LogEntry(LogLevel.Info, Name, "build_completed", summary,
            new JsonObject { ["image_id"] = image.Id, ["tag"] = tag, ["size_bytes"] = image.SizeBytes, ["layers"] = image.LayerCount, ["digest"] = built.Digest }),
            cancellationToken);
        return AgentResult.Success(new JsonObject
        {
            ["image"] = tag,
            ["image_id"] = image.Id,
            ["digest"] = built.Digest,
            ["size_bytes"] = image.SizeBytes,
            ["layers"] = image.LayerCount,
            ["language"] = report.Language.ToWire(),
            ["framework"] = report.Framework,
            ["dockerfile_generated"] = row.DockerfileGenerated,
            ["builder"] = outcome.Builder,
        });
    }

    private async Task<AgentResult> FailAsync(DeploymentContext context, BuildResult row, DetectionReport report, string dockerfile, string contextDirectory,
        ImageBuildOutcome outcome, CancellationToken cancellationToken)
    {
        var tail = outcome.OutputTail.Select(context.Secrets.Apply).ToList();
        var dockerfileText = await File.ReadAllTextAsync(Path.Combine(contextDirectory, dockerfile), cancellationToken);
        var advice = await advisor.SuggestBuildFixAsync(new BuildFailureRequest
        {
            Repository = context.Deployment.Repository,
            Language = report.Language.ToWire(),
            Framework = report.Framework,
            ExitCode = outcome.ExitCode,
            // The engine's own error (a failed pull of FROM, a non-zero RUN) often says more than the last output lines.
            BuildOutput = string.Join('\n', tail) + (outcome.Error is null ? "" : "\n" + context.Secrets.Apply(outcome.Error)),
            Dockerfile = dockerfileText,
        }, cancellationToken);
        var suggestion = advice.Value.Summary + string.Concat(advice.Value.Suggestions.Select(s => $"\n- {s}"));
        row.Success = false;
        row.ErrorMessage = context.Secrets.Apply(outcome.Error ?? "the build failed");
        row.AiSuggestions = context.Secrets.Apply(suggestion);
        var lastLines = string.Join('\n', tail.TakeLast(10));
        await context.Journal.RecordAsync(row, new LogEntry(LogLevel.Error, Name, "build_failed",
            $"Build failed: {row.ErrorMessage}\n{lastLines}\nSuggestion: {row.AiSuggestions}",
            new JsonObject { ["exit_code"] = outcome.ExitCode, ["timed_out"] = outcome.TimedOut, ["suggestion"] = row.AiSuggestions }), cancellationToken);
        return AgentResult.Failure($"build failed: {row.ErrorMessage}. Last output:\n{lastLines}\nSuggestion: {row.AiSuggestions}",
            new JsonObject { ["exit_code"] = outcome.ExitCode, ["suggestion"] = row.AiSuggestions, ["advisor_fallback"] = advice.FallbackReason }, advice.Usage);
    }

    private async Task<Docker.DockerImageInfo> OptimizeAsync(DeploymentContext context, BuildResult row, DetectionReport report, BaseImageMap images,
        string contextDirectory, string dockerfile, string tag, BuildSettings settings, Docker.DockerImageInfo original, CancellationToken cancellationToken)
    {
        var optimized = optimizer.Optimize(await File.ReadAllTextAsync(Path.Combine(contextDirectory, dockerfile), cancellationToken), report, images, contextDirectory);
        if (optimized.OptimizationsApplied.Count == 0)
        {
            await context.LogAsync(Name, "optimization_skipped", "The Dockerfile has nothing the optimizer would change", cancellationToken: cancellationToken);
            return original;
        }

        await File.WriteAllTextAsync(Path.Combine(contextDirectory, OptimizedDockerfileName), optimized.Dockerfile, cancellationToken);
        var ignore = Path.Combine(contextDirectory, ".dockerignore");
        var wroteIgnore = !File.Exists(ignore);
        if (wroteIgnore)
        {
            await File.WriteAllTextAsync(ignore, optimized.DockerIgnore, cancellationToken);
        }

        var variantTag = tag + "-optimized";
        using var output = new BuildLogStream(context, Name, clock);
        var variant = await builder.BuildAsync(new ImageBuildRequest
        {
            ContextDirectory = contextDirectory,
            Dockerfile = OptimizedDockerfileName,
            Tag = variantTag,
            BuildArgs = settings.Args,
            Timeout = settings.Timeout,
        }, output.Add, cancellationToken);
        await output.FlushAsync(cancellationToken);
        if (!variant.Succeeded)
        {
            await context.LogAsync(Name, "optimization_rejected", $"Kept the original image: the optimized Dockerfile did not build ({variant.Error})",
                level: LogLevel.Warning, cancellationToken: cancellationToken);
            return original;
        }

        var start = await StartCheck.RunAsync(processes, builder.EngineHost, variantTag, report.HealthPath, cancellationToken);
        if (!start.Started)
        {
            await builder.RemoveAsync(variantTag, cancellationToken);
            await context.LogAsync(Name, "optimization_rejected", $"Kept the original image: the optimized one did not start: {start.Reason}",
                level: LogLevel.Warning, cancellationToken: cancellationToken);
            return original;
        }

        var image = variant.Image!;
        row.OriginalSizeBytes = original.SizeBytes;
        row.OptimizedSizeBytes = image.SizeBytes;
        row.SizeReductionPercent = original.SizeBytes == 0 ? 0 : Math.Round(100.0 * (original.SizeBytes - image.SizeBytes) / original.SizeBytes, 1);
        if (image.SizeBytes >= original.SizeBytes)
        {
            await builder.RemoveAsync(variantTag, cancellationToken);
            await context.LogAsync(Name, "optimization_rejected",
                $"Kept the original image: the optimized one is not smaller ({image.SizeBytes / 1_000_000.0:0.#} MB vs {original.SizeBytes / 1_000_000.0:0.#} MB)",
                cancellationToken: cancellationToken);
            return original;
        }

        row.OptimizationsApplied = [.. optimized.OptimizationsApplied];
        row.DockerfilePath = Path.Combine(report.BuildDirectory, OptimizedDockerfileName).Replace('\\', '/').TrimStart('.', '/');
        await builder.TagAsync(image.Id, tag, cancellationToken);
        row.ImageId = image.Id;
        row.ImageSizeBytes = image.SizeBytes;
        row.LayerCount = image.LayerCount;
        await context.LogAsync(Name, "optimization_applied",
            $"Optimized image kept: {original.SizeBytes / 1_000_000.0:0.#} MB → {image.SizeBytes / 1_000_000.0:0.#} MB ({row.SizeReductionPercent:0.#}% smaller); " +
            $"applied: {string.Join(", ", optimized.OptimizationsApplied)}{(wroteIgnore ? "; added a .dockerignore" : "")}",
            new JsonObject { ["optimizations"] = new JsonArray([.. optimized.OptimizationsApplied.Select(o => (JsonNode)o)]), ["started_on_port"] = start.Port },
            cancellationToken: cancellationToken);
        return image;
    }

    /// <summary>App overrides from build.base_images: a role, or a language standing for all of its roles.</summary>
    public static BaseImageMap WithOverrides(BaseImageMap map, IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (key, image) in overrides)
        {
            var roles = key.Contains('.', StringComparison.Ordinal) ? [key] : BaseImageMap.Roles.Where(r => r.StartsWith(key + ".", StringComparison.Ordinal)).ToList();
            if (roles.Count == 0)
            {
                throw new InvalidInputException($"build.base_images.{key}", $"'{key}' is neither a base image role nor a language; known roles: {string.Join(", ", BaseImageMap.Roles)}");
            }

            foreach (var role in roles)
            {
                map = map.With(role, map[role] with { Image = image });
            }
        }

        return map;
    }

    /// <summary>
    /// Streams build output lines into the deployment log in small batches (every 20 lines, and every second while lines are
    /// pending), so a long build is visible while it runs without one log row per line.
    /// </summary>
    private sealed class BuildLogStream : IDisposable
    {
        private const int BatchLines = 20;
        private static readonly TimeSpan s_flushInterval = TimeSpan.FromSeconds(1);
        private readonly DeploymentContext _context;
        private readonly string _agent;
        private readonly List<string> _pending = [];
        private readonly List<string> _all = [];
        private readonly ITimer _timer;
        private Task _writing = Task.CompletedTask;

        public BuildLogStream(DeploymentContext context, string agent, TimeProvider clock)
        {
            _context = context;
            _agent = agent;
            _timer = clock.CreateTimer(_ => WritePending(), null, s_flushInterval, s_flushInterval);
        }

        public IReadOnlyList<string> Lines => _all;

        public void Add(string line)
        {
            lock (_pending)
            {
                _all.Add(line);
                _pending.Add(line);
                if (_pending.Count >= BatchLines)
                {
                    QueueBatch();
                }
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            await _timer.DisposeAsync();
            string? batch;
            Task writing;
            lock (_pending)
            {
                batch = _pending.Count == 0 ? null : string.Join('\n', _pending);
                _pending.Clear();
                writing = _writing;
            }

            await writing;
            if (batch is not null)
            {
                await _context.LogAsync(_agent, "build_output", batch, cancellationToken: cancellationToken);
            }
        }

        public void Dispose() => _timer.Dispose();

        private void WritePending()
        {
            lock (_pending)
            {
                if (_pending.Count > 0)
                {
                    QueueBatch();
                }
            }
        }

        /// <summary>Chains one write of the pending lines after the previous ones, keeping their order; call under the lock.</summary>
        private void QueueBatch()
        {
            var batch = string.Join('\n', _pending);
            _pending.Clear();
            _writing = _writing.ContinueWith(_ => _context.LogAsync(_agent, "build_output", batch), TaskScheduler.Default).Unwrap();
        }
    }
}

/// <summary>Starts an image with host networking on a free loopback port (PORT) and waits for its health path to answer.</summary>
internal static class StartCheck
{
    public sealed record Result(bool Started, int Port, string? Reason);

    /// <param name="command">A command to run instead of the image's, with <c>{port}</c> for the port (for images with a fixed port).</param>
    public static async Task<Result> RunAsync(IProcessRunner processes, string engineHost, string image, string healthPath, CancellationToken cancellationToken,
        IReadOnlyList<string>? command = null)
    {
        var port = FreePort();
        var name = $"deploymind-startcheck-{Guid.NewGuid():N}"[..36];
        var docker = File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
        var environment = new Dictionary<string, string?> { ["DOCKER_HOST"] = engineHost };
        var arguments = new List<string> { "run", "-d", "--name", name, "--network", "host", "-e", $"PORT={port}", "-e", "HOST=127.0.0.1", image };
        arguments.AddRange((command ?? []).Select(a => a.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        var run = await processes.RunAsync(new CommandLine(docker, arguments) { Environment = environment, Timeout = TimeSpan.FromSeconds(30) }, cancellationToken);
        try
        {
            if (!run.Succeeded)
            {
                return new Result(false, port, $"docker run failed: {run.FailureTail(3)}");
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(20);
            string reason = "no answer";
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{port}{healthPath}", cancellationToken);
                    if ((int)response.StatusCode < 400)
                    {
                        return new Result(true, port, null);
                    }

                    reason = $"{healthPath} answered {(int)response.StatusCode}";
                }
                catch (HttpRequestException e)
                {
                    reason = e.InnerException is SocketException s ? s.SocketErrorCode.ToString() : e.Message;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    reason = "health request timed out";
                }

                var state = await processes.RunAsync(new CommandLine(docker, "inspect", "-f", "{{.State.Running}}", name)
                    { Environment = environment, Timeout = TimeSpan.FromSeconds(15) }, cancellationToken);
                if (state.StandardOutput.Trim() == "false")
                {
                    return new Result(false, port, "the container exited");
                }

                await Task.Delay(500, cancellationToken);
            }

            return new Result(false, port, $"no healthy answer on 127.0.0.1:{port}{healthPath} within 20 s ({reason})");
        }
        finally
        {
            await processes.RunAsync(new CommandLine(docker, "rm", "-f", name) { Environment = environment, Timeout = TimeSpan.FromSeconds(30) }, CancellationToken.None);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
