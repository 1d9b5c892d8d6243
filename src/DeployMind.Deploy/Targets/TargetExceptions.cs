using DeployMind.Domain;

namespace DeployMind.Deploy.Targets;

/// <summary>Base of the errors a deployment target raises; <see cref="Target"/> names it.</summary>
public abstract class TargetException : DeployMindException
{
    protected TargetException(string target, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Target = target;
    }

    public string Target { get; }
}

/// <summary>The target could not be reached (connection refused, timed out, DNS, SSM/EC2 endpoint down).</summary>
public sealed class TargetUnreachableException : TargetException
{
    public TargetUnreachableException(string target, string address, string reason, Exception? innerException = null)
        : base(target, $"target '{target}' ({address}) is unreachable: {reason}", innerException)
    {
        Address = address;
        Reason = reason;
    }

    public string Address { get; }

    public string Reason { get; }
}

/// <summary>The target refused the credentials (wrong SSH key or user, AWS access denied).</summary>
public sealed class TargetAuthenticationException : TargetException
{
    public TargetAuthenticationException(string target, string message, Exception? innerException = null)
        : base(target, message, innerException)
    {
    }
}

/// <summary>The SSH host presented a key that the known_hosts file does not list, or one that differs from the listed key.</summary>
public sealed class HostKeyVerificationException : TargetException
{
    public HostKeyVerificationException(string target, string host, int port, string keyType, string fingerprintSha256,
        string knownHostsPath, bool changed, string message)
        : base(target, message)
    {
        Host = host;
        Port = port;
        KeyType = keyType;
        FingerprintSha256 = fingerprintSha256;
        KnownHostsPath = knownHostsPath;
        Changed = changed;
    }

    public string Host { get; }

    public int Port { get; }

    public string KeyType { get; }

    /// <summary>As <c>ssh</c> prints it: <c>SHA256:</c> and unpadded base64.</summary>
    public string FingerprintSha256 { get; }

    public string KnownHostsPath { get; }

    /// <summary>True when known_hosts lists a different key for the host (possible man-in-the-middle), false when it lists none.</summary>
    public bool Changed { get; }
}

/// <summary>A command on a target exited with a non-zero code or timed out.</summary>
public sealed class TargetCommandFailedException : TargetException
{
    public TargetCommandFailedException(TargetCommandResult result)
        : base(result.Target, Describe(result))
    {
        Result = result;
    }

    public TargetCommandResult Result { get; }

    public int ExitCode => Result.ExitCode;

    public bool TimedOut => Result.TimedOut;

    private static string Describe(TargetCommandResult result)
    {
        var head = result.TimedOut
            ? $"on target '{result.Target}': {result.CommandDisplay} timed out after {TargetCommandResult.Seconds(result.Timeout)} s and was stopped"
            : $"on target '{result.Target}': {result.CommandDisplay} exited with code {result.ExitCode} after {TargetCommandResult.Seconds(result.Duration)} s";
        var tail = result.FailureTail();
        return tail.Length == 0 ? head : $"{head}:\n{tail}";
    }
}

/// <summary>An image could not be delivered to a target (pull refused, stream broken, mode not supported by the transport).</summary>
public sealed class ImageDeliveryException : TargetException
{
    public ImageDeliveryException(string target, string image, string reason, Exception? innerException = null)
        : base(target, $"cannot deliver image {image} to target '{target}': {reason}", innerException)
    {
        Image = image;
        Reason = reason;
    }

    public string Image { get; }

    public string Reason { get; }
}

/// <summary>The target's transport cannot do what was asked (e.g. standard input over SSM Run Command).</summary>
public sealed class TargetNotSupportedException : TargetException
{
    public TargetNotSupportedException(string target, string message)
        : base(target, message)
    {
    }
}
