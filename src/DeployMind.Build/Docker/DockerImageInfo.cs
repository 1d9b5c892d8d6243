namespace DeployMind.Build.Docker;

/// <summary>What the engine knows about one local image.</summary>
public sealed record DockerImageInfo(string Id, long SizeBytes, int LayerCount, IReadOnlyList<string> Tags)
{
    public double SizeMegabytes => SizeBytes / (1024.0 * 1024.0);
}

/// <summary>The engine's answer to a ping.</summary>
public sealed record DockerEngineVersion(string Version, string ApiVersion, string Os, string Arch);

/// <summary>One image build: a context directory sent as a tar, built with host networking.</summary>
public sealed record DockerBuildRequest(string ContextDirectory, string Tag)
{
    /// <summary>Path of the Dockerfile relative to the context directory.</summary>
    public string Dockerfile { get; init; } = "Dockerfile";

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>Strings replaced by <c>***</c> in every streamed line, the output tail and error messages.</summary>
    public IReadOnlyCollection<string> Secrets { get; init; } = [];

    public bool NoCache { get; init; }
}

/// <summary>A finished build.</summary>
public sealed record DockerBuildResult(string ImageId, string Tag, TimeSpan Duration, IReadOnlyList<string> OutputTail)
{
    /// <summary>The built image as inspected right after the build (size, layers, tags).</summary>
    public DockerImageInfo? Image { get; init; }
}
