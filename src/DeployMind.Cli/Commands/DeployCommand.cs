using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeployMind.Domain;
using DeployMind.Llm;
using DeployMind.Persistence;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Queue;
using DeployMind.Pipeline.Source;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind deploy`: queue a deployment from deploymind.yml and/or flags, run it, and follow it to the end.</summary>
internal static partial class DeployCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file (default: ./deploymind.yml when present)" };
        var repo = new Option<string?>("--repo") { Description = "GitHub repository owner/repo (overrides the file)" };
        var path = new Option<string?>("--path") { Description = "Local git work tree to deploy (overrides the file)" };
        var url = new Option<string?>("--url") { Description = "Any git URL to deploy (overrides the file)" };
        var commit = new Option<string?>("--commit") { Description = "Commit to deploy (default: the branch head)" };
        var branch = new Option<string?>("--branch") { Description = "Branch to deploy (default: the file's branch, or the default branch)" };
        var instance = new Option<string?>("--instance") { Description = "Deploy to this target only (a target name from the file, or an EC2 instance id)" };
        var strategy = new Option<string?>("--strategy") { Description = "rolling, canary or blue-green (overrides the file)" };
        var environment = new Option<string?>("--environment") { Description = "development, staging or production (overrides the file)" };
        var queueOnly = new Option<bool>("--queue-only") { Description = "Queue the deployment, print its id and exit (a worker or server runs it)" };
        var command = new Command("deploy", "Scan, build and roll out a commit, following its progress to the end");
        foreach (var option in new Option[] { config, repo, path, url, commit, branch, instance, strategy, environment, queueOnly, GlobalOptions.Json })
        {
            command.Options.Add(option);
        }

        AppConfig? loaded = null;
        command.SetWork(context, async (parse, services, ct) =>
        {
            var app = loaded;
            var source = ChooseSource(app, parse.GetValue(repo), parse.GetValue(path), parse.GetValue(url));
            var targets = ChooseTargets(app, parse.GetValue(instance));
            var chosenStrategy = parse.GetValue(strategy) is { } s ? WireValues.Parse<DeploymentStrategy>(s, "--strategy") : app?.Strategy.Type ?? DeploymentStrategy.Rolling;
            var chosenEnvironment = parse.GetValue(environment) is { } e ? WireValues.Parse<DeploymentEnvironment>(e, "--environment") : app?.Environment ?? DeploymentEnvironment.Production;
            var spec = source.ToSpec(parse.GetValue(commit), parse.GetValue(branch) ?? (parse.GetValue(commit) is null ? app?.Branch : null));
            var queueOnlyMode = parse.GetValue(queueOnly);
            if (app is not null && !queueOnlyMode)
            {
                // This process runs the deployment, so every secret it needs must be here now; a queued run resolves them on its worker.
                await AppConfigLoader.ResolveSecretsAsync(app, context.Environment, ct);
            }

            var database = services.Database();
            await database.EnsureReadyAsync(ct);
            var resolved = await services.GetRequiredService<SourceResolver>().ResolveAsync(spec, ct);
            var metadata = new JsonObject { ["app"] = app?.Name ?? AppName.Suggest(source.Location) };
            if (app is not null)
            {
                metadata["config"] = app.ToSafeJson();
                // Relative secret files in the config are read by the deploy stage relative to the file, as here.
                metadata["config_dir"] = app.BaseDirectory is null ? null : Path.GetFullPath(app.BaseDirectory);
            }

            source.WriteTo(metadata);
            var queue = services.GetRequiredService<DeploymentQueue>();
            var deployment = await queue.EnqueueAsync(new DeploymentRequest
            {
                Repository = RepositoryFor(source, app),
                CommitSha = resolved.CommitSha,
                Branch = resolved.Branch,
                Targets = targets.Select(t => t.Name).ToList(),
                Region = targets.Select(t => t.Region).FirstOrDefault(r => r is not null),
                Environment = chosenEnvironment,
                Strategy = chosenStrategy,
                TriggeredBy = Environment.UserName,
                TriggerType = TriggerType.Manual,
                Metadata = metadata,
            }, ct);

            var json = parse.GetValue(GlobalOptions.Json);
            if (!json)
            {
                await context.Output.WriteLineAsync(
                    $"Queued {deployment.Id}: {deployment.Repository}@{CommitSha.Short(deployment.CommitSha)}" +
                    $"{(deployment.Branch is null ? "" : $" ({deployment.Branch})")} -> {string.Join(", ", targets.Select(t => t.Name))}, " +
                    $"{chosenStrategy.ToWire()} to {chosenEnvironment.ToWire()}");
            }

            if (queueOnlyMode)
            {
                if (json)
                {
                    await context.Output.WriteLineAsync(DeploymentView.Summary(deployment).ToJsonString());
                }

                return ExitCodes.Success;
            }

            var status = await RunAndFollowAsync(context, services, deployment.Id, json, ct);
            var final = await services.GetRequiredService<DeploymentQueries>().GetAsync(deployment.Id, CancellationToken.None);
            if (json)
            {
                await context.Output.WriteLineAsync(DeploymentView.Detail(final).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                await context.Output.WriteLineAsync();
                DeploymentView.WriteDetail(context.Output, final);
            }

            return DeploymentView.ExitCodeFor(status);
        }, (parse, collection) =>
        {
            // The file is read before the services exist, so its llm section configures the advisor that runs this deployment.
            loaded = LoadConfig(parse.GetValue(config));
            if (loaded is not null)
            {
                collection.Configure<LlmOptions>(options => options.Apply(loaded.Llm));
            }
        });
        return command;
    }

    /// <summary>Runs queued deployments in this process until this one has finished, printing its log as it grows.</summary>
    internal static async Task<DeploymentStatus> RunAndFollowAsync(CliContext context, IServiceProvider services, string id, bool json, CancellationToken cancellationToken)
    {
        var worker = services.GetRequiredService<DeploymentWorker>();
        var queries = services.GetRequiredService<DeploymentQueries>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!await worker.RunNextAsync(cancellationToken))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), context.Clock, stop.Token);
                }
            }
        }, CancellationToken.None);

        try
        {
            var printer = new LogPrinter(json ? TextWriter.Null : context.Output, json: false);
            return await printer.FollowAsync(queries, id, context.Clock, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await work;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static AppConfig? LoadConfig(string? file)
    {
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new InvalidInputException("--config", $"configuration file '{file}' does not exist; create one with 'deploymind init'");
            }

            return AppConfigLoader.Load(file);
        }

        return File.Exists(AppConfigLoader.FileName) ? AppConfigLoader.Load(AppConfigLoader.FileName) : null;
    }

    private static DeploymentSource ChooseSource(AppConfig? app, string? repo, string? path, string? url)
    {
        var given = new[] { repo, path, url }.Count(v => v is not null);
        if (given > 1)
        {
            throw new InvalidInputException("--repo", "give only one of --repo, --path and --url");
        }

        if (repo is not null)
        {
            return new DeploymentSource(SourceKind.Repository, RepositoryName.Validate(repo, "--repo"));
        }

        if (path is not null)
        {
            return new DeploymentSource(SourceKind.LocalPath, Path.GetFullPath(path));
        }

        if (url is not null)
        {
            return new DeploymentSource(SourceKind.Url, SourceSpec.ValidateUrl(url, "--url"));
        }

        if (app?.Source?.Path is { } configPath)
        {
            return new DeploymentSource(SourceKind.LocalPath, Path.GetFullPath(Path.Combine(app.BaseDirectory ?? ".", configPath)));
        }

        if (app?.Source?.Url is { } configUrl)
        {
            return new DeploymentSource(SourceKind.Url, configUrl);
        }

        if (app?.Repository is { } configRepository)
        {
            return new DeploymentSource(SourceKind.Repository, configRepository);
        }

        throw new InvalidInputException("--repo",
            "nothing to deploy: give --repo owner/repo, --path DIR or --url URL, or run in a directory with a deploymind.yml (create one with 'deploymind init')");
    }

    private static IReadOnlyList<TargetConfig> ChooseTargets(AppConfig? app, string? instance)
    {
        if (app is null)
        {
            var name = instance is null ? "local" : InstanceId.Validate(instance, "--instance");
            return [new TargetConfig { Name = name, Type = InstanceId.IsEc2(name) ? TargetType.Ec2 : TargetType.Local, InstanceId = InstanceId.IsEc2(name) ? name : null }];
        }

        if (instance is null)
        {
            return app.Targets;
        }

        var match = app.Targets.FirstOrDefault(t => string.Equals(t.Name, instance, StringComparison.OrdinalIgnoreCase)
                                                    || string.Equals(t.InstanceId, instance, StringComparison.Ordinal));
        return match is null
            ? throw new InvalidInputException("--instance",
                $"--instance '{instance}' is not a target in deploymind.yml; its targets are: {string.Join(", ", app.Targets.Select(t => t.Name))}")
            : [match];
    }

    /// <summary>The owner/repo recorded for the deployment: the GitHub name, the URL's last two path parts, or local/&lt;app&gt;.</summary>
    internal static string RepositoryFor(DeploymentSource source, AppConfig? app)
    {
        if (source.Kind == SourceKind.Repository)
        {
            return source.Location;
        }

        if (app?.Repository is { } declared)
        {
            return declared;
        }

        if (source.Kind == SourceKind.Url && OwnerRepo().Match(source.Location) is { Success: true } m)
        {
            return $"{m.Groups["owner"].Value}/{m.Groups["repo"].Value}";
        }

        return "local/" + (app?.Name ?? AppName.Suggest(source.Location));
    }

    [GeneratedRegex(@"[:/](?<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?<repo>[A-Za-z0-9._-]{1,100}?)(?:\.git)?/?$")]
    private static partial Regex OwnerRepo();
}
