using DeployMind.Pipeline.Agents;

namespace DeployMind.Build.Agent;

/// <summary>The image the build stage produced, as the deploy stage needs it.</summary>
/// <param name="Application">The application name (image repository).</param>
/// <param name="ImageId">The engine's image id (sha256:…).</param>
/// <param name="Tag">The local tag, <c>&lt;app&gt;:&lt;short sha&gt;</c>.</param>
/// <param name="Digest">The registry reference with digest after a push (<c>host/app@sha256:…</c>); null when not pushed.</param>
/// <param name="ContainerPort">The port the application listens on inside the container, when known.</param>
/// <param name="HealthPath">The HTTP path that answers when the application is healthy.</param>
public sealed record BuiltImage(string Application, string ImageId, string Tag, string? Digest, long SizeBytes, int LayerCount, int? ContainerPort,
    string HealthPath, string Language);

public static class BuildArtifacts
{
    public static readonly ArtifactKey<BuiltImage> Image = new("build.image");
}
