using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Targets;

/// <summary>
/// One server a deployment reaches: the local Docker engine, an SSH host or an EC2 instance through SSM.
/// Commands are argument lists (never shell strings); every target quotes them for its transport.
/// </summary>
public interface IDeployTarget : IAsyncDisposable
{
    /// <summary>The target's name from <c>deploymind.yml</c> (an EC2 target defaults to its instance id).</summary>
    string Name { get; }

    TargetType Type { get; }

    /// <summary>
    /// Runs <paramref name="arguments"/> (program first) on the target until it exits or
    /// <see cref="TargetCommandOptions.Timeout"/> passes. A non-zero exit code is not an exception here:
    /// call <see cref="TargetCommandResult.VerifySuccess"/>. A target that cannot be reached, refuses the
    /// credentials or presents an unknown host key throws a <see cref="TargetException"/> subclass.
    /// Output is redacted with <see cref="TargetCommandOptions.Secrets"/> before it is returned or logged.
    /// </summary>
    Task<TargetCommandResult> RunAsync(IReadOnlyList<string> arguments, TargetCommandOptions options,
        CancellationToken cancellationToken);

    /// <summary>
    /// Whether the target answers, the Docker engine version it runs, and for EC2 the instance state and
    /// status checks. Never throws for an unreachable target: <see cref="TargetInstanceState.Reachable"/> is false
    /// and <see cref="TargetInstanceState.Error"/> says why.
    /// </summary>
    Task<TargetInstanceState> DescribeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="image"/> present in the target's Docker engine: <see cref="ImageDeliveryMode.RegistryPull"/>
    /// runs <c>docker pull</c> there; <see cref="ImageDeliveryMode.Stream"/> streams <c>docker save</c> from the local
    /// engine into <c>docker load</c> on the target (no registry). Does nothing when the target already has the same
    /// image id. Throws <see cref="ImageDeliveryException"/> when the image cannot be delivered.
    /// </summary>
    Task DeliverImageAsync(string image, ImageDeliveryMode mode, CancellationToken cancellationToken);
}

/// <summary>How an image gets to a target.</summary>
public enum ImageDeliveryMode
{
    /// <summary><c>docker pull</c> on the target, from the configured registry.</summary>
    RegistryPull,

    /// <summary>Registry-less: <c>docker save</c> locally, streamed into <c>docker load</c> on the target (local and SSH targets).</summary>
    Stream,
}
