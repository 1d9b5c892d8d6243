using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Containers;

/// <summary>The labels DeployMind puts on every container (and looks containers up by).</summary>
public static class ContainerLabels
{
    public const string Managed = "deploymind.managed";
    public const string App = "deploymind.app";
    public const string DeploymentId = "deploymind.deployment_id";
    public const string Version = "deploymind.version";
    public const string Port = "deploymind.port";
}

/// <summary>One app container to start with <c>docker run -d</c>.</summary>
public sealed record ContainerSpec
{
    /// <summary>The container name (unique per engine), e.g. <c>web-3f2a1c9-8081</c>.</summary>
    public required string Name { get; init; }

    public required string Image { get; init; }

    /// <summary>The application; labelled <see cref="ContainerLabels.App"/>.</summary>
    public required string App { get; init; }

    /// <summary>The deployment that started it; labelled <see cref="ContainerLabels.DeploymentId"/>.</summary>
    public string? DeploymentId { get; init; }

    /// <summary>The version it runs (commit or tag); labelled <see cref="ContainerLabels.Version"/>.</summary>
    public string? Version { get; init; }

    /// <summary>More labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Plain environment variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Secret environment variables: handed to <c>docker run --env-file /dev/stdin</c> through standard input, so they
    /// never appear in a command line, a process list or a log; every output about the command has them masked.
    /// </summary>
    public IReadOnlyDictionary<string, SecretValue> SecretEnvironment { get; init; } = new Dictionary<string, SecretValue>();

    /// <summary>The port the app listens on, given as the PORT variable and labelled <see cref="ContainerLabels.Port"/>.</summary>
    public int? Port { get; init; }

    /// <summary><c>no</c>, <c>always</c>, <c>unless-stopped</c> or <c>on-failure[:N]</c>.</summary>
    public string RestartPolicy { get; init; } = "unless-stopped";

    /// <summary>CPU limit in cores (<c>--cpus</c>); null is unlimited.</summary>
    public double? Cpus { get; init; }

    /// <summary>Memory limit in bytes (<c>--memory</c>); null is unlimited.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Share the host's network (<c>--network host</c>); the project's engine has no bridge, so this is the default.</summary>
    public bool HostNetwork { get; init; } = true;

    /// <summary>Seconds <c>docker stop</c> waits before killing, stored on the container (<c>--stop-timeout</c>).</summary>
    public int? StopTimeoutSeconds { get; init; }

    /// <summary>Overrides the image's entrypoint (<c>--entrypoint</c>, the program only).</summary>
    public string? Entrypoint { get; init; }

    /// <summary>Arguments after the image (the command, or the entrypoint's arguments).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Remove a container of the same name first (after a failed earlier attempt).</summary>
    public bool ReplaceExisting { get; init; }
}

/// <summary>A container as <c>docker inspect</c> shows it.</summary>
public sealed record ContainerInfo
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The image reference it was started from.</summary>
    public required string Image { get; init; }

    public required string ImageId { get; init; }

    /// <summary><c>created</c>, <c>running</c>, <c>paused</c>, <c>restarting</c>, <c>removing</c>, <c>exited</c> or <c>dead</c>.</summary>
    public required string State { get; init; }

    public bool Running => State == "running";

    public int ExitCode { get; init; }

    public string? Error { get; init; }

    public int RestartCount { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The image's own HEALTHCHECK status (<c>starting</c>, <c>healthy</c>, <c>unhealthy</c>); null without one.</summary>
    public string? Health { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string? App => Labels.GetValueOrDefault(ContainerLabels.App);

    public string? DeploymentId => Labels.GetValueOrDefault(ContainerLabels.DeploymentId);

    public string? Version => Labels.GetValueOrDefault(ContainerLabels.Version);

    public int? Port => int.TryParse(Labels.GetValueOrDefault(ContainerLabels.Port), out var port) ? port : null;
}

/// <summary>One <c>docker stats</c> sample.</summary>
public sealed record ContainerStats(string Name, double CpuPercent, long MemoryBytes, long MemoryLimitBytes, double MemoryPercent, int? Pids);

/// <summary>What <c>docker rmi</c> did.</summary>
public enum ImageRemoval
{
    Removed,
    NotFound,

    /// <summary>A container (running or stopped) still uses it; nothing was removed.</summary>
    InUse,
}

/// <summary>One image DeployMind knows about an app.</summary>
public sealed record AppImage(string Reference, string Id, DateTimeOffset CreatedAt);

/// <summary>What <see cref="ContainerHost.RetainImagesAsync"/> kept and removed.</summary>
public sealed record ImageRetentionResult(IReadOnlyList<AppImage> Kept, IReadOnlyList<AppImage> Removed, IReadOnlyList<AppImage> InUse);
