using System.Diagnostics;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Queue;
using DeployMind.Pipeline.Source;
using DeployMind.Server.Configuration;
using DeployMind.Server.Observability;

namespace DeployMind.Server;

/// <summary>What to deploy, from the API, a webhook or a schedule; the commit is pinned when it is queued.</summary>
public sealed record TriggerSpec
{
    public string? App { get; init; }

    public string? Repository { get; init; }

    public string? Path { get; init; }

    public string? Commit { get; init; }

    public string? Branch { get; init; }

    public DeploymentStrategy? Strategy { get; init; }

    public DeploymentEnvironment? Environment { get; init; }

    public required TriggerType TriggerType { get; init; }

    public required string TriggeredBy { get; init; }

    /// <summary>Extra context stored in the deployment's metadata (the webhook delivery, the schedule's fire time).</summary>
    public JsonObject? Context { get; init; }
}

/// <summary>
/// Queues deployments the way `deploymind deploy --queue-only` does: a configured app (its deploymind.yml snapshot,
/// targets, strategy) or an ad-hoc repository or server directory, pinned to a commit now. The trace context of the
/// triggering request goes with it, so the deployment's stages join the same trace.
/// </summary>
public sealed class DeploymentTrigger(DeploymentQueue queue, SourceResolver resolver, ServerConfig config, ServerSettings settings)
{
    public async Task<Deployment> TriggerAsync(TriggerSpec spec, CancellationToken cancellationToken)
    {
        ServerApp? app = null;
        if (spec.App is not null)
        {
            if (!AppName.IsValid(spec.App))
            {
                throw new InvalidInputException("app", $"app '{spec.App}' is not an application name; expected {AppName.Form}");
            }

            app = config.FindApp(spec.App) ?? throw new InvalidInputException("app",
                config.Apps.Count == 0
                    ? $"app '{spec.App}' is not configured; this server has no apps (list their deploymind.yml under 'apps:' in {ServerSettings.ConfigKey})"
                    : $"app '{spec.App}' is not configured; configured apps: {string.Join(", ", config.Apps.Select(a => a.Name))}");
        }

        var source = ChooseSource(spec, app?.Config);
        var branch = spec.Branch ?? (spec.Commit is null ? app?.Config.Branch : null);
        var resolved = await resolver.ResolveAsync(source.ToSpec(spec.Commit, branch), cancellationToken);
        var metadata = new JsonObject { ["app"] = app?.Name ?? AppName.Suggest(source.Location) };
        if (app is not null)
        {
            metadata["config"] = app.Config.ToSafeJson();
        }

        source.WriteTo(metadata);
        if (spec.Context is not null)
        {
            metadata["trigger"] = spec.Context.DeepClone();
        }

        if (Activity.Current is { } activity)
        {
            metadata["traceparent"] = activity.Id;
        }

        var targets = app?.Config.Targets.Select(t => t.Name).ToList() ?? ["local"];
        var deployment = await queue.EnqueueAsync(new DeploymentRequest
        {
            Repository = RepositoryFor(source, app?.Config),
            CommitSha = resolved.CommitSha,
            Branch = resolved.Branch,
            Targets = targets,
            Region = app?.Config.Targets.Select(t => t.Region).FirstOrDefault(r => r is not null),
            Environment = spec.Environment ?? app?.Config.Environment ?? DeploymentEnvironment.Production,
            Strategy = spec.Strategy ?? app?.Config.Strategy.Type ?? DeploymentStrategy.Rolling,
            TriggeredBy = spec.TriggeredBy.Length > 255 ? spec.TriggeredBy[..255] : spec.TriggeredBy,
            TriggerType = spec.TriggerType,
            Metadata = metadata,
        }, cancellationToken);
        ServerMetrics.DeploymentsTriggered.WithLabels(spec.TriggerType.ToWire()).Inc();
        return deployment;
    }

    private DeploymentSource ChooseSource(TriggerSpec spec, AppConfig? app)
    {
        if (spec.Repository is not null && spec.Path is not null)
        {
            throw new InvalidInputException("path", "give either repository or path, not both");
        }

        if (spec.Repository is not null)
        {
            return new DeploymentSource(SourceKind.Repository, RepositoryName.Validate(spec.Repository, "repository"));
        }

        if (spec.Path is not null)
        {
            if (!settings.AllowPathSources)
            {
                throw new InvalidInputException("path", "deploying a directory of the server is turned off here (DEPLOYMIND_ALLOW_PATH_SOURCES=false); give repository or app");
            }

            if (string.IsNullOrWhiteSpace(spec.Path) || spec.Path.Any(char.IsControl) || !System.IO.Path.IsPathFullyQualified(spec.Path))
            {
                throw new InvalidInputException("path", $"path '{spec.Path}' must be an absolute directory on the server holding a git work tree");
            }

            return new DeploymentSource(SourceKind.LocalPath, System.IO.Path.GetFullPath(spec.Path));
        }

        if (app?.Source?.Path is { } configPath)
        {
            return new DeploymentSource(SourceKind.LocalPath, System.IO.Path.GetFullPath(System.IO.Path.Combine(app.BaseDirectory ?? ".", configPath)));
        }

        if (app?.Source?.Url is { } url)
        {
            return new DeploymentSource(SourceKind.Url, url);
        }

        if (app?.Repository is { } repository)
        {
            return new DeploymentSource(SourceKind.Repository, repository);
        }

        throw new InvalidInputException("repository", "nothing to deploy: give app (a configured application), repository (owner/repo) or path");
    }

    private static string RepositoryFor(DeploymentSource source, AppConfig? app) => source.Kind switch
    {
        SourceKind.Repository => source.Location,
        _ when app?.Repository is { } declared => declared,
        SourceKind.Url when ServerConfig.RepositoryOfUrl(source.Location) is { } r && IsRepositoryName(r) => r,
        _ => "local/" + (app?.Name ?? AppName.Suggest(source.Location)),
    };

    private static bool IsRepositoryName(string value)
    {
        try
        {
            RepositoryName.Validate(value);
            return true;
        }
        catch (InvalidInputException)
        {
            return false;
        }
    }
}
