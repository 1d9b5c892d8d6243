using DeployMind.Domain;

namespace DeployMind.Deploy.Strategies;

/// <summary>A target's edge proxy could not be started or reached.</summary>
public sealed class EdgeProxyException(string target, string message, Exception? innerException = null) : DeployMindException(message, innerException)
{
    public string Target { get; } = target;
}
