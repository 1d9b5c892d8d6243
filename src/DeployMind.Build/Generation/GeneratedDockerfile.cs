namespace DeployMind.Build.Generation;

/// <summary>A generated Dockerfile with its .dockerignore and what the user should know about it.</summary>
public sealed record GeneratedDockerfile
{
    public required string Dockerfile { get; init; }

    public required string DockerIgnore { get; init; }

    /// <summary>Base images used, by role (e.g. node.build -> node:20-alpine).</summary>
    public required IReadOnlyDictionary<string, string> BaseImages { get; init; }

    /// <summary>Assumptions and limits (e.g. "no HEALTHCHECK: the runtime image has no HTTP client").</summary>
    public required IReadOnlyList<string> Notes { get; init; }
}

/// <summary>Adjustments to a generated Dockerfile, e.g. settings preserved from a user's own Dockerfile.</summary>
public sealed record DockerfileGenerationOptions
{
    public static DockerfileGenerationOptions Default { get; } = new();

    /// <summary>Extra ENV for the runtime stage, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>Exec-form command replacing the generated CMD (interpreted languages only; compiled ones run their build output).</summary>
    public IReadOnlyList<string>? Command { get; init; }
}
