using System.CommandLine;
using System.Text.Json.Nodes;
using DeployMind.Build.Agent;
using DeployMind.Build.Detection;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;
using DeployMind.Pipeline.Processes;
using DeployMind.Pipeline.Source;
using Microsoft.Extensions.DependencyInjection;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind build PATH`: the build stage on its own — detect, generate or optimize the Dockerfile, build, measure, push.</summary>
internal static class BuildCommand
{
    public static Command Create(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "Application directory (a repository or a sub-directory of one)", DefaultValueFactory = _ => "." };
        var tag = new Option<string?>("--tag", "-t") { Description = "Image tag (default: <app>:<short commit>, or <app>:local outside git)" };
        var push = new Option<bool>("--push") { Description = "Push to the registry of ./deploymind.yml after building" };
        var optimize = new Option<bool>("--optimize") { Description = "Also build an optimized variant of the Dockerfile; keep it when it builds, starts and is smaller" };
        var buildDirectory = new Option<string?>("--build-dir") { Description = "Sub-directory holding the app (monorepos)" };
        var command = new Command("build", "Build the container image of an application (Dockerfile generated when there is none), with progress");
        command.Arguments.Add(path);
        foreach (var option in new Option[] { tag, push, optimize, buildDirectory, GlobalOptions.Json })
        {
            command.Options.Add(option);
        }

        command.SetWork(context, async (parse, services, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(path)!);
            if (!Directory.Exists(root))
            {
                throw new InvalidInputException("path", $"'{root}' is not a directory; give the directory of the application to build");
            }

            var json = parse.GetValue(GlobalOptions.Json);
            var configFile = Path.Combine(root, "deploymind.yml");
            var config = File.Exists(configFile) ? (await AppConfigLoader.LoadAsync(configFile, ct)).ToSafeJson() : new JsonObject();
            var build = config["build"] as JsonObject ?? [];
            config["build"] = build;
            build["optimize"] = parse.GetValue(optimize) || (build["optimize"]?.GetValue<bool>() ?? false);
            build["push"] = parse.GetValue(push);
            if (parse.GetValue(buildDirectory) is { } subDirectory)
            {
                build["directory"] = subDirectory;
            }

            if (parse.GetValue(push) && config["registry"] is null)
            {
                throw new InvalidInputException("--push", $"--push needs a registry: add a `registry:` section (url, username, password) to {configFile}");
            }

            var detection = new ProjectDetector().Detect(root, new DetectionOptions { BuildDirectory = build["directory"]?.GetValue<string>() ?? "." });
            var commit = await CommitOfAsync(services.GetRequiredService<IProcessRunner>(), root, ct);
            var app = config["name"]?.GetValue<string>() ?? AppName.Suggest(root);
            var metadata = new JsonObject { ["app"] = app, ["config"] = config };
            if (parse.GetValue(tag) is { } explicitTag)
            {
                metadata["image_tag"] = explicitTag;
            }
            else if (commit is null)
            {
                metadata["image_tag"] = $"{app}:local";
            }

            // The generated or optimized Dockerfile is written beside the sources: build from a copy, never in the user's directory.
            var needsCopy = detection.ExistingDockerfile is null || build["optimize"]!.GetValue<bool>();
            var workspace = needsCopy ? Directory.CreateTempSubdirectory("deploymind-build-").FullName : null;
            try
            {
                var directory = root;
                if (workspace is not null)
                {
                    directory = Path.Combine(workspace, "src");
                    CopyTree(root, directory);
                }

                var deployment = new Deployment
                {
                    Id = DeploymentId.New(context.Clock.GetUtcNow().UtcDateTime),
                    Repository = app,
                    CommitSha = commit ?? new string('0', 40),
                    Metadata = metadata,
                };
                var journal = new ConsoleJournal(context.Output, json);
                var deploymentContext = new DeploymentContext(deployment, journal, new SecretMask(), workspace ?? Path.GetTempPath(), context.Clock);
                deploymentContext.Artifacts.Set(PipelineArtifacts.Source, SourceCheckout.ForDirectory(directory, deployment.CommitSha));
                var agent = services.GetServices<IDeploymentAgent>().OfType<BuildAgent>().Single();
                var result = await agent.ExecuteAsync(deploymentContext, ct);
                var row = journal.Build;
                if (json)
                {
                    CliJson.Write(context.Output, new
                    {
                        success = result.Succeeded,
                        image = row?.ImageTag,
                        image_id = row?.ImageId,
                        size_bytes = row?.ImageSizeBytes,
                        layer_count = row?.LayerCount,
                        duration_seconds = row?.BuildDurationSeconds,
                        language = row?.DetectedLanguage,
                        framework = row?.DetectedFramework,
                        dockerfile_generated = row?.DockerfileGenerated,
                        optimizations_applied = row?.OptimizationsApplied,
                        original_size_bytes = row?.OriginalSizeBytes,
                        optimized_size_bytes = row?.OptimizedSizeBytes,
                        size_reduction_percent = row?.SizeReductionPercent,
                        error = row?.ErrorMessage,
                        ai_suggestions = row?.AiSuggestions,
                    });
                }
                else if (result.Succeeded && row is not null)
                {
                    await context.Output.WriteLineAsync(
                        $"Image {row.ImageTag}  {row.ImageSizeBytes / 1_000_000.0:0.#} MB  {row.LayerCount} layers  {row.BuildDurationSeconds:0.#} s  " +
                        $"({row.DetectedLanguage}{(row.DetectedFramework is null ? "" : "/" + row.DetectedFramework)}, Dockerfile {(row.DockerfileGenerated ? "generated" : row.DockerfilePath)})");
                    if (row.OptimizationsApplied.Count > 0)
                    {
                        await context.Output.WriteLineAsync(
                            $"Optimized: {row.OriginalSizeBytes / 1_000_000.0:0.#} MB → {row.OptimizedSizeBytes / 1_000_000.0:0.#} MB ({row.SizeReductionPercent:0.#}% smaller): {string.Join(", ", row.OptimizationsApplied)}");
                    }
                }

                if (!result.Succeeded)
                {
                    if (!json)
                    {
                        await context.Error.WriteLineAsync($"error: {result.Reason}");
                    }

                    return ExitCodes.Failure;
                }

                return ExitCodes.Success;
            }
            finally
            {
                if (workspace is not null)
                {
                    Directory.Delete(workspace, recursive: true);
                }
            }
        });
        return command;
    }

    private static async Task<string?> CommitOfAsync(IProcessRunner processes, string directory, CancellationToken cancellationToken)
    {
        try
        {
            var result = await processes.RunAsync(new CommandLine("git", "-C", directory, "rev-parse", "HEAD") { Timeout = TimeSpan.FromSeconds(10) }, cancellationToken);
            return result.Succeeded ? result.StandardOutput.Trim() : null;
        }
        catch (ProgramNotFoundException)
        {
            return null;
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            if (entry.Name == ".git" || entry.LinkTarget is not null && entry is DirectoryInfo)
            {
                continue;
            }

            var target = Path.Combine(to, entry.Name);
            if (entry is DirectoryInfo directory)
            {
                CopyTree(directory.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target);
            }
        }
    }

    /// <summary>The build stage's trail printed as it happens; the build_results row is kept for the summary.</summary>
    private sealed class ConsoleJournal(TextWriter output, bool quiet) : IDeploymentJournal
    {
        public BuildResult? Build { get; private set; }

        public Task LogAsync(LogEntry entry, CancellationToken cancellationToken)
        {
            if (!quiet)
            {
                lock (output)
                {
                    output.WriteLine(entry.EventType == "build_output" ? entry.Message : $"==> {entry.Message}");
                }
            }

            return Task.CompletedTask;
        }

        public Task<AgentExecution> StartExecutionAsync(string agentName, string agentVersion, LogEntry? entry, CancellationToken cancellationToken) =>
            throw new NotSupportedException("`deploymind build` runs the build stage alone, outside a recorded deployment");

        public Task CompleteExecutionAsync(AgentExecution execution, LogEntry? entry, CancellationToken cancellationToken) =>
            throw new NotSupportedException("`deploymind build` runs the build stage alone, outside a recorded deployment");

        public Task RecordAsync<T>(T row, LogEntry? entry, CancellationToken cancellationToken) where T : class, IDeploymentRecord
        {
            if (row is BuildResult build)
            {
                Build = build;
            }

            return entry is null ? Task.CompletedTask : LogAsync(entry, cancellationToken);
        }
    }
}
