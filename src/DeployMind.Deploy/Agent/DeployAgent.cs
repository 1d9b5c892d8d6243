using System.Text.Json.Nodes;
using DeployMind.Deploy.Health;
using DeployMind.Deploy.Strategies;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Deploy.Agent;

/// <summary>
/// The deploy stage: rolls the built image out to the deployment's targets with its strategy (blue-green, rolling, canary)
/// behind each target's edge proxy. When the new version fails its checks the strategy has already put the previous one
/// back; when a later stage fails, <see cref="RollbackAsync"/> does. Either way the status ends rolled_back when an old
/// version serves again, failed when there was none.
/// </summary>
public sealed class DeployAgent(IAppHostFactory hosts, DeployOptions options, TimeProvider clock, IAppEnvironmentSource? runtime = null,
    IDeployImageSource? images = null) : IDeploymentAgent
{
    public const string AgentName = "deploy";

    public string Name => AgentName;

    public string Version => "1.0.0";

    public PipelineStage Stage => PipelineStage.Deploy;

    public async Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        var settings = DeploySettings.From(context.Deployment);
        var image = images?.Find(context) ?? DeploymentImage.FromMetadata(context.Deployment.Metadata);
        if (image is null)
        {
            return AgentResult.Failure("there is no image to deploy: the build stage produced none and the deployment names none");
        }

        var environment = options.Environment ?? SecretReference.ProcessEnvironment();
        var secrets = await AppConfigLoader.ResolveSecretsAsync(settings.App, environment, cancellationToken);
        foreach (var value in secrets.Environment.Values.Concat(secrets.TargetKeys.Values).Concat(secrets.BuildSecrets.Values))
        {
            context.Secrets.Add(value.Reveal());
        }

        context.Secrets.Add(secrets.RegistryPassword?.Reveal());
        var variables = runtime is null ? AppEnvironment.Empty : await runtime.ResolveAsync(settings.Application, cancellationToken);
        foreach (var value in variables.Secret.Values)
        {
            context.Secrets.Add(value);
        }

        var version = CommitSha.Short(context.Deployment.CommitSha);
        var launch = new VersionLaunch
        {
            DeploymentId = context.DeploymentId,
            Version = version,
            Image = image,
            Environment = Merge(variables.Plain, settings.App.Env),
            SecretEnvironment = Merge(variables.Secret, secrets.Environment.ToDictionary(p => p.Key, p => p.Value.Reveal())),
            Cpus = settings.App.Resources.Cpus,
            MemoryBytes = settings.App.Resources.MemoryBytes,
        };

        var opened = await OpenAsync(settings, secrets, context, cancellationToken);
        var rollout = new RolloutContext
        {
            DeploymentId = context.DeploymentId,
            Application = settings.Application,
            Version = version,
            Hosts = opened,
            Launch = launch,
            Strategy = settings.Strategy,
            Health = settings.Health,
            Hooks = settings.App.Hooks,
            Checker = new HealthChecker(context.DeploymentId, new JournalHealthCheckRecorder(context), clock),
            Journal = context.Journal,
            Clock = clock,
            HookTimeout = options.HookTimeout,
            ReuseStandby = context.Deployment.Metadata?["rollback"] is not null,
            FailedLogLines = options.FailedLogLines,
        };

        RolloutResult result;
        try
        {
            result = await RolloutStrategy.For(settings.Strategy.Type).ExecuteAsync(rollout, cancellationToken);
        }
        catch
        {
            foreach (var host in opened)
            {
                await host.DisposeAsync();
            }

            throw;
        }

        var deployed = new DeployedRollout(settings, rollout, result) { Undone = !result.Succeeded };
        context.Artifacts.Set(DeployArtifacts.Rollout, deployed);
        var output = Output(settings, image, version, result);
        if (result.Succeeded)
        {
            await context.LogAsync(Name, DeploymentEvents.InstanceUpdated,
                $"{settings.Application} {version} is live on {string.Join(", ", result.Targets.Select(t => $"{t.Target} ({t.Host.PublicUrl})"))}",
                output, cancellationToken: cancellationToken);
            return AgentResult.Success(output);
        }

        if (result.RestoredAt is { } restoredAt && result.FailedAt is { } failedAt)
        {
            output["rollback_seconds"] = Math.Round((restoredAt - failedAt).TotalSeconds, 3);
        }

        return AgentResult.Failure(result.Reason ?? "the rollout failed", output);
    }

    public async Task<RollbackOutcome> RollbackAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        if (context.Artifacts.Find(DeployArtifacts.Rollout) is not { } deployed)
        {
            return RollbackOutcome.NothingToUndo;
        }

        try
        {
            if (deployed.Undone)
            {
                return new RollbackOutcome(true, deployed.Result.RestoredPrevious, deployed.Result.RestoredPrevious
                    ? "the previous version was serving again as soon as the new one failed its checks"
                    : "the new version was removed; no previous version ran on the targets");
            }

            var reason = context.Deployment.RollbackReason ?? "a later stage failed";
            await context.LogAsync(Name, DeploymentEvents.RollbackStarted, $"Returning traffic to the previous version: {reason}",
                level: LogLevel.Warning, cancellationToken: cancellationToken);
            var (restored, at) = await RolloutStrategy.RestoreAllAsync(deployed.Context, deployed.Result.Targets, reason, cancellationToken);
            deployed.Undone = true;
            await RolloutStrategy.LogRestoredAsync(deployed.Context, restored, deployed.FailedAt ?? at, at);
            return new RollbackOutcome(true, restored, restored
                ? $"traffic is back on the previous version on {string.Join(", ", deployed.Result.Targets.Select(t => t.Target))}"
                : "the new version was removed, but no previous version serves again");
        }
        finally
        {
            await deployed.CloseAsync();
        }
    }

    private async Task<IReadOnlyList<IAppHost>> OpenAsync(DeploySettings settings, ResolvedSecrets secrets, DeploymentContext context,
        CancellationToken cancellationToken)
    {
        var opening = settings.Targets.Select(t => hosts.CreateAsync(new AppHostRequest(t, settings.Application, secrets, context.Secrets, settings.App.BaseDirectory) { Registry = settings.App.Registry }, cancellationToken)).ToList();
        try
        {
            return await Task.WhenAll(opening);
        }
        catch
        {
            foreach (var task in opening.Where(t => t.IsCompletedSuccessfully))
            {
                await task.Result.DisposeAsync();
            }

            throw;
        }
    }

    private static JsonObject Output(DeploySettings settings, DeployImage image, string version, RolloutResult result) => new()
    {
        ["application"] = settings.Application,
        ["strategy"] = settings.Strategy.Type.ToWire(),
        ["version"] = version,
        [DeploymentImage.Key] = DeploymentImage.ToJson(image),
        ["succeeded"] = result.Succeeded,
        ["restored_previous"] = result.Succeeded ? null : result.RestoredPrevious,
        ["targets"] = new JsonArray(result.Targets.Select(t => (JsonNode?)new JsonObject
        {
            ["name"] = t.Target,
            ["url"] = t.Host.PublicUrl,
            ["container"] = t.Started?.Container,
            ["port"] = t.Started?.Port,
            ["previous"] = new JsonArray(t.Previous.Select(p => (JsonNode?)JsonValue.Create(p.Container)).ToArray()),
        }).ToArray()),
    };

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> first, IReadOnlyDictionary<string, string> second)
    {
        // deploymind.yml wins over `deploymind env` values of the same name: the file is what was reviewed with the code.
        var merged = new Dictionary<string, string>(first, StringComparer.Ordinal);
        foreach (var (key, value) in second)
        {
            merged[key] = value;
        }

        return merged;
    }
}

/// <summary>Finds the image an earlier stage built (the build stage's artifact).</summary>
public interface IDeployImageSource
{
    DeployImage? Find(DeploymentContext context);
}
