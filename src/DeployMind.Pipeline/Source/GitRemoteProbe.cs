using DeployMind.Domain;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.Pipeline.Source;

/// <summary>Asks a remote about its branches without fetching anything (<c>git ls-remote</c>).</summary>
public sealed class GitRemoteProbe
{
    private readonly IProcessRunner _runner;
    private readonly GitOptions _options;
    private readonly ILogger<GitRemoteProbe> _logger;

    public GitRemoteProbe(IProcessRunner runner, IOptions<GitOptions> options, ILogger<GitRemoteProbe>? logger = null)
    {
        _runner = runner;
        _options = options.Value.ThrowIfInvalid();
        _logger = logger ?? NullLogger<GitRemoteProbe>.Instance;
    }

    /// <summary>
    /// The full commit id the branch points at on <paramref name="remote"/> (a git URL or a local
    /// repository path). Throws <see cref="UnknownRevisionException"/> when there is no such branch.
    /// </summary>
    public async Task<string> ResolveBranchHeadAsync(string remote, string branch, CancellationToken cancellationToken)
    {
        var name = BranchName.Validate(branch);
        var gitRemote = ToRemote(remote);
        var refs = await ListAsync(gitRemote, cancellationToken);
        return refs.Heads.TryGetValue(name, out var sha)
            ? sha
            : throw new UnknownRevisionException(RevisionKind.Branch, name, gitRemote.Display, refs.DescribeBranches());
    }

    /// <summary>The remote's default branch (where its HEAD points), or null when it has none (an empty repository).</summary>
    public async Task<string?> ResolveDefaultBranchAsync(string remote, CancellationToken cancellationToken) =>
        (await ListAsync(ToRemote(remote), cancellationToken)).DefaultBranch;

    private GitRemote ToRemote(string remote) =>
        GitRemote.Create(Path.IsPathRooted(remote) ? Path.GetFullPath(remote) : SourceSpec.ValidateUrl(remote, "remote"), _options);

    private async Task<RemoteRefs> ListAsync(GitRemote remote, CancellationToken cancellationToken)
    {
        // git gets an empty home of its own so no user config or credential helper takes part.
        var home = Directory.CreateTempSubdirectory("deploymind-git-home-");
        try
        {
            return await new GitCommands(_runner, _options, home.FullName).ListRemoteAsync(remote, cancellationToken);
        }
        finally
        {
            WorkspaceCleaner.Delete(home.FullName, _logger);
        }
    }
}
