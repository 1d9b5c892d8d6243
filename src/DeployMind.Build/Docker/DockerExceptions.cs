using System.Net;
using DeployMind.Domain;

namespace DeployMind.Build.Docker;

/// <summary>The Docker engine could not be reached or did not answer in time.</summary>
public sealed class DockerUnavailableException : DeployMindException
{
    public DockerUnavailableException(string host, string reason, Exception? innerException = null)
        : base($"cannot reach the Docker engine at {host}: {reason}. Is dockerd running? " +
               "Set DOCKER_HOST or run scripts/docker.sh start", innerException)
    {
        Host = host;
        Reason = reason;
    }

    public string Host { get; }

    public string Reason { get; }
}

/// <summary>The engine answered but refused an operation (e.g. removing an image a container uses).</summary>
public sealed class DockerOperationException : DeployMindException
{
    public DockerOperationException(string operation, HttpStatusCode statusCode, string engineMessage, Exception? innerException = null)
        : base($"Docker {operation} failed ({(int)statusCode}): {engineMessage}", innerException)
    {
        Operation = operation;
        StatusCode = statusCode;
        EngineMessage = engineMessage;
    }

    public string Operation { get; }

    public HttpStatusCode StatusCode { get; }

    public string EngineMessage { get; }
}

/// <summary>An image build failed or ran out of time; carries the last output lines (secrets redacted).</summary>
public sealed class DockerBuildFailedException : DeployMindException
{
    public DockerBuildFailedException(string tag, string reason, IReadOnlyList<string> outputTail, Exception? innerException = null)
        : base(Describe(tag, reason, outputTail), innerException)
    {
        Tag = tag;
        Reason = reason;
        OutputTail = outputTail;
    }

    public string Tag { get; }

    /// <summary>The engine's error (e.g. <c>The command '/bin/sh -c exit 3' returned a non-zero code: 3</c>).</summary>
    public string Reason { get; }

    public IReadOnlyList<string> OutputTail { get; }

    private static string Describe(string tag, string reason, IReadOnlyList<string> tail) =>
        tail.Count == 0
            ? $"building {tag} failed: {reason}"
            : $"building {tag} failed: {reason}{Environment.NewLine}last output:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", tail)}";
}

/// <summary>A push to or pull from a registry failed; <see cref="Transient"/> says whether trying again may help.</summary>
public sealed class DockerRegistryException : DeployMindException
{
    public DockerRegistryException(string operation, string reference, string reason, bool transient, Exception? innerException = null)
        : base($"{operation} of {reference} failed: {reason}" + (IsAuthentication(reason)
            ? " (check the registry username and password: registry.username / registry.password in deploymind.yml)"
            : ""), innerException)
    {
        Reference = reference;
        Transient = transient;
    }

    public string Reference { get; }

    public bool Transient { get; }

    private static bool IsAuthentication(string reason) =>
        reason.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) || reason.Contains("authentication required", StringComparison.OrdinalIgnoreCase);
}
