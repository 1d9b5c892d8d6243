using DeployMind.Domain;

namespace DeployMind.Pipeline.Source;

/// <summary>Why a git remote could not be used.</summary>
public enum SourceUnavailableReason
{
    /// <summary>The host could not be reached (DNS, connection refused, TLS, network).</summary>
    Unreachable,

    /// <summary>The remote answered, but there is no repository at that address (or it is private and no credentials were sent).</summary>
    RepositoryNotFound,

    /// <summary>The remote asked for credentials, or refused the ones sent.</summary>
    AuthenticationFailed,

    /// <summary>git did not finish within the configured timeout.</summary>
    TimedOut,
}

/// <summary>The source's repository could not be reached or read; the remote is shown with credentials masked.</summary>
public sealed class SourceUnavailableException : DeployMindException
{
    public SourceUnavailableException(SourceUnavailableReason reason, string remoteDisplay, string detail, Exception? innerException = null)
        : base(Describe(reason, remoteDisplay, detail), innerException)
    {
        Reason = reason;
        RemoteDisplay = remoteDisplay;
        Detail = detail;
    }

    public SourceUnavailableReason Reason { get; }

    public string RemoteDisplay { get; }

    /// <summary>The key line of git's message (redacted), or what was checked.</summary>
    public string Detail { get; }

    private static string Describe(SourceUnavailableReason reason, string remote, string detail) => reason switch
    {
        SourceUnavailableReason.Unreachable => $"git remote {remote} is unreachable: {detail}",
        SourceUnavailableReason.RepositoryNotFound => $"git repository {remote} was not found: {detail}",
        SourceUnavailableReason.AuthenticationFailed => $"authentication to git remote {remote} failed: {detail}",
        SourceUnavailableReason.TimedOut => $"git remote {remote} did not answer in time: {detail}",
        _ => $"git remote {remote} cannot be used: {detail}",
    };
}

/// <summary>What kind of revision was looked for.</summary>
public enum RevisionKind
{
    Commit,
    Branch,
}

/// <summary>The remote was reachable, but the requested commit or branch is not on it.</summary>
public sealed class UnknownRevisionException : DeployMindException
{
    public UnknownRevisionException(RevisionKind kind, string revision, string remoteDisplay, string detail)
        : base($"{(kind == RevisionKind.Commit ? "commit" : "branch")} '{revision}' was not found on {remoteDisplay}: {detail}")
    {
        Kind = kind;
        Revision = revision;
        RemoteDisplay = remoteDisplay;
    }

    public RevisionKind Kind { get; }

    public string Revision { get; }

    public string RemoteDisplay { get; }
}
