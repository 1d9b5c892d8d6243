using Microsoft.Extensions.Logging;

namespace DeployMind.Pipeline.Source;

/// <summary>A source checked out at one commit in a workspace of its own; disposing it deletes the workspace.</summary>
public sealed class SourceCheckout : IAsyncDisposable
{
    private readonly string? _workspace;
    private readonly ILogger _logger;
    private int _disposed;

    internal SourceCheckout(string? workspace, string directory, ILogger logger)
    {
        _workspace = workspace;
        Directory = directory;
        _logger = logger;
    }

    /// <summary>
    /// A directory the caller owns (e.g. `deploymind build PATH`), taken as it is; disposing it leaves it in place.
    /// </summary>
    public static SourceCheckout ForDirectory(string directory, string commitSha, string? branch = null) =>
        new(null, directory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
        {
            CommitSha = commitSha,
            Branch = branch,
            RemoteDisplay = directory,
            CommitMessage = "",
            Author = "",
            CommittedAt = DateTimeOffset.UnixEpoch,
            Warnings = [],
        };

    /// <summary>The work tree holding the checked-out files.</summary>
    public string Directory { get; }

    /// <summary>The full commit id (40 hex digits; 64 in SHA-256 repositories).</summary>
    public required string CommitSha { get; init; }

    public string ShortSha => Domain.CommitSha.Short(CommitSha);

    /// <summary>The branch the commit was taken from; null for a commit given alone that no branch points at.</summary>
    public required string? Branch { get; init; }

    /// <summary>The remote URL or local path, with any credentials masked.</summary>
    public required string RemoteDisplay { get; init; }

    public required string CommitMessage { get; init; }

    /// <summary>The commit author as <c>Name &lt;email&gt;</c>.</summary>
    public required string Author { get; init; }

    public required DateTimeOffset CommittedAt { get; init; }

    /// <summary>Things the user should know that did not stop the checkout, e.g. a dirty local work tree.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || _workspace is null)
        {
            return;
        }

        await Task.Run(() => WorkspaceCleaner.Delete(_workspace, _logger));
    }
}
