using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Agent;

/// <summary>
/// What the deploy and verify stages work from: the application's configuration as stored with the deployment (the
/// snapshot is read back through the same validating reader as deploymind.yml, since JSON is YAML), narrowed to the
/// targets the deployment locked and to the strategy it was queued with.
/// </summary>
public sealed record DeploySettings
{
    public required AppConfig App { get; init; }

    /// <summary>The targets this deployment changes, in configuration order.</summary>
    public required IReadOnlyList<TargetConfig> Targets { get; init; }

    public required StrategyConfig Strategy { get; init; }

    public HealthCheckConfig Health => App.HealthCheck;

    public string Application => App.Name;

    public static DeploySettings From(Deployment deployment)
    {
        var metadata = deployment.Metadata;
        var snapshot = metadata?["config"] as JsonObject;
        var baseDirectory = metadata?["config_dir"]?.GetValue<string>();
        var app = snapshot is null ? Default(deployment) : Parse(snapshot, baseDirectory);

        // A strategy given on the command line overrides the file's; its settings are then that strategy's defaults.
        var strategy = app.Strategy.Type == deployment.Strategy
            ? app.Strategy
            : new StrategyConfig { Type = deployment.Strategy, DrainTimeout = app.Strategy.DrainTimeout };
        var keys = deployment.TargetKeys?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var targets = keys.Length == 0
            ? app.Targets
            : app.Targets.Where(t => keys.Contains(t.Name, StringComparer.Ordinal) || (t.InstanceId is { } id && keys.Contains(id, StringComparer.Ordinal))).ToList();
        if (targets.Count == 0)
        {
            throw new InvalidInputException("targets",
                $"none of the deployment's targets ({string.Join(", ", keys)}) is in its configuration (targets: {string.Join(", ", app.Targets.Select(t => t.Name))})");
        }

        return new DeploySettings { App = app, Targets = targets, Strategy = strategy };
    }

    /// <summary>Reads a stored snapshot back into a validated <see cref="AppConfig"/>.</summary>
    public static AppConfig Parse(JsonObject snapshot, string? baseDirectory = null)
    {
        var compact = WithoutNulls(snapshot);
        return AppConfigLoader.Parse(compact!.ToJsonString(), "deployment configuration snapshot", baseDirectory);
    }

    private static AppConfig Default(Deployment deployment)
    {
        var name = deployment.Metadata?["app"]?.GetValue<string>() ?? AppName.Suggest(deployment.Repository);
        var keys = deployment.TargetKeys?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var targets = keys.Length == 0
            ? [new TargetConfig { Name = "local" }]
            : keys.Select(k => new TargetConfig
            {
                Name = k,
                Type = InstanceId.IsEc2(k) ? TargetType.Ec2 : TargetType.Local,
                InstanceId = InstanceId.IsEc2(k) ? k : null,
                Region = InstanceId.IsEc2(k) ? deployment.Region : null,
            }).ToList();
        return new AppConfig { Name = name, Repository = deployment.Repository, Targets = targets, Strategy = new StrategyConfig { Type = deployment.Strategy } };
    }

    private static JsonNode? WithoutNulls(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, WithoutNulls(p.Value)))),
        JsonArray a => new JsonArray(a.Select(WithoutNulls).ToArray()),
        _ => node?.DeepClone(),
    };
}
