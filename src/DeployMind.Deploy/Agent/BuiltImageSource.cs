using DeployMind.Build.Agent;
using DeployMind.Deploy.Strategies;
using DeployMind.Pipeline.Agents;

namespace DeployMind.Deploy.Agent;

/// <summary>The image the build stage of this deployment produced: pulled by its digest when it was pushed, streamed by its tag otherwise.</summary>
public sealed class BuiltImageSource : IDeployImageSource
{
    public DeployImage? Find(DeploymentContext context) =>
        context.Artifacts.Find(BuildArtifacts.Image) is { } built
            ? new DeployImage(built.Digest ?? built.Tag, built.ImageId, FromRegistry: built.Digest is not null)
            : null;
}
