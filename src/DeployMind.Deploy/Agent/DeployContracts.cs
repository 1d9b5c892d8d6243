using System.Text.Json.Nodes;
using DeployMind.Deploy.Strategies;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;

namespace DeployMind.Deploy.Agent;

/// <summary>Opens the app host of one application on one target (its containers and its edge proxy).</summary>
public interface IAppHostFactory
{
    Task<IAppHost> CreateAsync(AppHostRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// What opening an app host needs: the target, the application, its resolved secrets (SSH keys), the deployment's mask,
/// and the directory relative paths in the configuration start at.
/// </summary>
public sealed record AppHostRequest(TargetConfig Target, string Application, ResolvedSecrets? Secrets, SecretMask Mask, string? BaseDirectory = null)
{
    /// <summary>The registry images are pulled from (targets log in to it with its credentials before pulling).</summary>
    public RegistryConfig? Registry { get; init; }
}

/// <summary>The application's runtime variables kept outside deploymind.yml (`deploymind env`), for injection into its containers.</summary>
public interface IAppEnvironmentSource
{
    Task<AppEnvironment> ResolveAsync(string application, CancellationToken cancellationToken);
}

/// <summary>Plain variables and secret ones; secret values only ever reach a container's environment.</summary>
public sealed record AppEnvironment(IReadOnlyDictionary<string, string> Plain, IReadOnlyDictionary<string, string> Secret)
{
    public static AppEnvironment Empty { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());
}

/// <summary>Settings of the deploy and verify stages.</summary>
public sealed class DeployOptions
{
    /// <summary>Images kept per application on each target, so a rollback never needs a rebuild or a registry.</summary>
    public int KeepImages { get; set; } = 5;

    /// <summary>Log lines of a failed container kept in the deployment's logs.</summary>
    public int FailedLogLines { get; set; } = 50;

    public TimeSpan HookTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The environment secrets are resolved from (SecretReference env:…); the process environment when null.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; set; }
}

/// <summary>What the deploy stage hands to the verify stage and to its own rollback.</summary>
public sealed class DeployedRollout(DeploySettings settings, RolloutContext context, RolloutResult result)
{
    private int _closed;

    public DeploySettings Settings { get; } = settings;

    public RolloutContext Context { get; } = context;

    public RolloutResult Result { get; } = result;

    /// <summary>When a later check (post-deployment monitoring) found the new version unhealthy.</summary>
    public DateTimeOffset? FailedAt { get; set; }

    /// <summary>True once the rollout has been undone (by the strategy, or by the deploy stage's rollback).</summary>
    public bool Undone { get; set; }

    /// <summary>Closes the targets' connections, once.</summary>
    public async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        foreach (var host in Context.Hosts)
        {
            await host.DisposeAsync();
        }
    }
}

public static class DeployArtifacts
{
    public static readonly ArtifactKey<DeployedRollout> Rollout = new("deploy.rollout");
}

/// <summary>The image a deployment names in its metadata (a rollback, or an image built elsewhere): {"image": {"reference", "id", "from_registry"}}.</summary>
public static class DeploymentImage
{
    public const string Key = "image";

    public static DeployImage? FromMetadata(JsonObject? metadata) =>
        metadata?[Key] is JsonObject image && image["reference"]?.GetValue<string>() is { Length: > 0 } reference
            ? new DeployImage(reference, image["id"]?.GetValue<string>(), image["from_registry"]?.GetValue<bool>() ?? false)
            : null;

    public static JsonObject ToJson(DeployImage image) =>
        new() { ["reference"] = image.Reference, ["id"] = image.ImageId, ["from_registry"] = image.FromRegistry };
}
