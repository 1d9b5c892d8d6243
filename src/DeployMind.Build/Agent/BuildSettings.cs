using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Build.Agent;

/// <summary>The build section of a deployment's configuration snapshot (deploymind.yml), with defaults when there is none.</summary>
public sealed record BuildSettings
{
    public string Directory { get; init; } = ".";

    public string? Dockerfile { get; init; }

    public bool Optimize { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    public IReadOnlyDictionary<string, string> Args { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, SecretReference> Secrets { get; init; } = new Dictionary<string, SecretReference>();

    /// <summary>Base image overrides: a role (<c>node.runtime</c>) or a language (<c>node</c>, meaning all its roles) → image.</summary>
    public IReadOnlyDictionary<string, string> BaseImages { get; init; } = new Dictionary<string, string>();

    public bool Push { get; init; }

    public RegistryConfig? Registry { get; init; }

    /// <summary>Reads the snapshot's <c>build</c> and <c>registry</c> sections; a missing snapshot means every default.</summary>
    public static BuildSettings FromSnapshot(JsonObject? configuration)
    {
        if (configuration?["build"] is not JsonObject build)
        {
            return new BuildSettings();
        }

        var registry = configuration["registry"] as JsonObject;
        return new BuildSettings
        {
            Directory = build["directory"]?.GetValue<string>() ?? ".",
            Dockerfile = build["dockerfile"]?.GetValue<string>(),
            Optimize = build["optimize"]?.GetValue<bool>() ?? false,
            Timeout = build["timeout"]?.GetValue<string>() is { } timeout ? Duration.Parse(timeout, "build.timeout") : TimeSpan.FromMinutes(15),
            Args = Strings(build["args"] as JsonObject),
            Secrets = (build["secrets"] as JsonObject ?? []).ToDictionary(p => p.Key, p => Reference(p.Value as JsonObject, $"build.secrets.{p.Key}")),
            BaseImages = Strings(build["base_images"] as JsonObject),
            Push = build["push"]?.GetValue<bool>() ?? false,
            Registry = registry is null ? null : new RegistryConfig
            {
                Url = registry["url"]?.GetValue<string>() ?? throw new InvalidInputException("registry.url", "the registry section has no url"),
                Username = registry["username"]?.GetValue<string>(),
                Password = registry["password"] is JsonObject password ? Reference(password, "registry.password") : null,
                Insecure = registry["insecure"]?.GetValue<bool>() ?? false,
            },
        };
    }

    private static Dictionary<string, string> Strings(JsonObject? map) =>
        (map ?? []).Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal);

    private static SecretReference Reference(JsonObject? json, string field) =>
        json?["env"]?.GetValue<string>() is { } env ? SecretReference.FromEnv(env)
        : json?["file"]?.GetValue<string>() is { } file ? SecretReference.FromFile(file)
        : throw new InvalidInputException(field, $"{field} must be a secret reference (env: or file:)");
}
