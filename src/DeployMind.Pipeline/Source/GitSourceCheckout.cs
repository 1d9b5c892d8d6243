using System.Globalization;
using System.Security.Cryptography;
using DeployMind.Domain;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace DeployMind.Pipeline.Source;

/// <summary>
/// The source stage's core: fetches exactly the commit asked for (shallow where git allows it) into a
/// fresh workspace and reports the full commit id, branch and commit details.
/// </summary>
public sealed partial class GitSourceCheckout
{
    private readonly IProcessRunner _runner;
    private readonly GitOptions _options;
    private readonly ILogger<GitSourceCheckout> _logger;

    public GitSourceCheckout(IProcessRunner runner, IOptions<GitOptions> options, ILogger<GitSourceCheckout>? logger = null)
    {
        _runner = runner;
        _options = options.Value.ThrowIfInvalid();
        _logger = logger ?? NullLogger<GitSourceCheckout>.Instance;
    }

    /// <summary>
    /// Checks the source out under a new directory of <paramref name="workspaceRoot"/>. Throws
    /// <see cref="SourceUnavailableException"/> when the remote cannot be used and
    /// <see cref="UnknownRevisionException"/> when the commit or branch is not on it.
    /// </summary>
    public async Task<SourceCheckout> CheckoutAsync(SourceSpec source, string workspaceRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var workspace = Path.Combine(Path.GetFullPath(workspaceRoot), "source-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        var home = Path.Combine(workspace, "home");
        var repository = Path.Combine(workspace, "repo");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(repository);
        try
        {
            var git = new GitCommands(_runner, _options, home);
            var warnings = new List<string>();
            var (remote, target) = source.Kind == SourceKind.LocalPath
                ? await InspectLocalAsync(git, source, warnings, cancellationToken)
                : (GitRemote.For(source, _options), new Target(source.Commit, source.Branch));
            LogCheckingOut(remote.Display, source.Branch ?? "(default)", source.Commit ?? "(head)");

            var refs = await git.ListRemoteAsync(remote, cancellationToken);
            var (commitSha, branch) = await FetchAsync(git, remote, refs, target, repository, cancellationToken);

            await RunLocalOrThrowAsync(git, repository, ["checkout", "--quiet", "--detach", commitSha], cancellationToken);
            var checkout = await DescribeAsync(git, repository, workspace, remote, commitSha, branch, warnings, cancellationToken);
            LogCheckedOut(remote.Display, checkout.CommitSha, checkout.Branch ?? "(detached)");
            return checkout;
        }
        catch
        {
            await Task.Run(() => WorkspaceCleaner.Delete(workspace, _logger), CancellationToken.None);
            throw;
        }
    }

    /// <summary>The commit and/or branch to look for; both null means the remote's default branch.</summary>
    private sealed record Target(string? Commit, string? Branch);

    private async Task<(GitRemote Remote, Target Target)> InspectLocalAsync(GitCommands git, SourceSpec source,
        List<string> warnings, CancellationToken cancellationToken)
    {
        var path = source.Location;
        var remote = GitRemote.Create(path, _options);
        if (!Directory.Exists(path))
        {
            throw new SourceUnavailableException(SourceUnavailableReason.RepositoryNotFound, remote.Display, "the directory does not exist");
        }

        var inside = await git.RunLocalAsync(path, ["rev-parse", "--is-inside-work-tree"], cancellationToken);
        if (!inside.Succeeded)
        {
            throw new SourceUnavailableException(SourceUnavailableReason.RepositoryNotFound, remote.Display,
                "the directory is not a git work tree: " + GitFailure.KeyLine(inside));
        }

        if (inside.StandardOutput.Trim() == "true")
        {
            var top = (await RunLocalOrThrowAsync(git, path, ["rev-parse", "--show-toplevel"], cancellationToken)).StandardOutput.Trim();
            remote = GitRemote.Create(top, _options);
            var status = await RunLocalOrThrowAsync(git, top, ["status", "--porcelain", "--untracked-files=normal"], cancellationToken);
            var changed = status.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (changed.Length > 0)
            {
                var examples = string.Join(", ", changed.Take(3).Select(l => l.Length > 3 ? l[3..] : l));
                warnings.Add($"the work tree {top} has uncommitted changes in {changed.Length} file(s) ({examples}" +
                             $"{(changed.Length > 3 ? ", ..." : string.Empty)}); they are not part of this checkout, which uses the last commit");
                LogDirtyWorkTree(top, changed.Length);
            }
        }

        if (source.Commit is not null || source.Branch is not null)
        {
            return (remote, new Target(source.Commit, source.Branch));
        }

        // Neither given: the commit the work tree is on, and its branch unless HEAD is detached.
        var head = await git.RunLocalAsync(remote.Url, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cancellationToken);
        if (!head.Succeeded)
        {
            throw new UnknownRevisionException(RevisionKind.Commit, "HEAD", remote.Display, "the repository has no commits yet");
        }

        var symbolic = await git.RunLocalAsync(remote.Url, ["symbolic-ref", "--quiet", "--short", "HEAD"], cancellationToken);
        return (remote, new Target(head.StandardOutput.Trim(), symbolic.Succeeded ? symbolic.StandardOutput.Trim() : null));
    }

    private async Task<(string CommitSha, string? Branch)> FetchAsync(GitCommands git, GitRemote remote, RemoteRefs refs,
        Target target, string repository, CancellationToken cancellationToken)
    {
        var branch = target.Branch;
        if (branch is not null && !refs.Heads.ContainsKey(branch))
        {
            throw new UnknownRevisionException(RevisionKind.Branch, branch, remote.Display, refs.DescribeBranches());
        }

        if (branch is null && target.Commit is null)
        {
            branch = refs.DefaultBranch
                     ?? throw new UnknownRevisionException(RevisionKind.Branch, "HEAD", remote.Display,
                         "the remote has no default branch (is the repository empty?); name a branch or a commit");
        }

        await RunLocalOrThrowAsync(git, repository, ["init", "--quiet"], cancellationToken);

        if (target.Commit is null)
        {
            await FetchOrThrowAsync(git, remote, repository, ["--depth", "1", remote.Url, BranchRefspec(branch!)],
                RevisionKind.Branch, branch!, cancellationToken);
            return (await ResolveAsync(git, repository, "FETCH_HEAD", cancellationToken), branch);
        }

        var commit = target.Commit;
        var candidates = branch is null ? refs.Heads.Values : [refs.Heads[branch]];
        var matches = candidates.Where(sha => sha.StartsWith(commit, StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
        var fullSha = matches.Count == 1 ? matches[0] : target.Commit.Length is 40 or 64 && branch is null ? commit : null;
        if (fullSha is not null)
        {
            // A branch head or a full id: git can fetch exactly that commit.
            await FetchOrThrowAsync(git, remote, repository, ["--depth", "1", remote.Url, fullSha],
                RevisionKind.Commit, commit, cancellationToken);
            var resolved = await ResolveAsync(git, repository, "FETCH_HEAD", cancellationToken);
            return (resolved, branch ?? refs.BranchAt(resolved));
        }

        var found = await SearchHistoryAsync(git, remote, repository, commit, branch, cancellationToken);
        return (found, branch ?? refs.BranchAt(found));
    }

    /// <summary>
    /// Finds an abbreviated commit (or a full one that must be on the given branch) by fetching the branch's,
    /// or all branches', history at growing depths and finally in full.
    /// </summary>
    private async Task<string> SearchHistoryAsync(GitCommands git, GitRemote remote, string repository, string commit,
        string? branch, CancellationToken cancellationToken)
    {
        string[] refspecs = branch is null ? ["+refs/heads/*:refs/remotes/origin/*"] : [BranchRefspec(branch)];
        var depths = _options.CommitSearchDepths.Select(d => (int?)d).Append(null);
        foreach (var depth in depths)
        {
            var shallow = (await RunLocalOrThrowAsync(git, repository, ["rev-parse", "--is-shallow-repository"], cancellationToken))
                .StandardOutput.Trim() == "true";
            var fetchedBefore = File.Exists(Path.Combine(repository, ".git", "FETCH_HEAD"));
            if (fetchedBefore && !shallow)
            {
                break;
            }

            string[] depthArguments = depth is { } d ? ["--depth", d.ToString(CultureInfo.InvariantCulture)]
                : shallow ? ["--unshallow"] : [];
            LogSearchingHistory(commit, branch ?? "(all branches)", depth?.ToString(CultureInfo.InvariantCulture) ?? "full");
            await FetchOrThrowAsync(git, remote, repository, [.. depthArguments, remote.Url, .. refspecs],
                RevisionKind.Branch, branch ?? "*", cancellationToken);

            var lookup = await git.RunLocalAsync(repository, ["rev-parse", "--verify", "--quiet", commit + "^{commit}"], cancellationToken);
            if (lookup.Succeeded)
            {
                return lookup.StandardOutput.Trim();
            }

            if (lookup.StandardError.Contains("ambiguous", StringComparison.OrdinalIgnoreCase))
            {
                throw new UnknownRevisionException(RevisionKind.Commit, commit, remote.Display,
                    "the abbreviation matches more than one commit; give more hex digits");
            }
        }

        var where = branch is null ? "in the history of any branch" : $"in the history of branch '{branch}'";
        throw new UnknownRevisionException(RevisionKind.Commit, commit, remote.Display, $"no such commit {where}");
    }

    private static string BranchRefspec(string branch) => $"+refs/heads/{branch}:refs/remotes/origin/{branch}";

    private async Task FetchOrThrowAsync(GitCommands git, GitRemote remote, string repository, IEnumerable<string> arguments,
        RevisionKind kind, string revision, CancellationToken cancellationToken)
    {
        var result = await git.RunRemoteAsync(remote, repository,
            ["fetch", "--no-tags", "--no-recurse-submodules", .. arguments], cancellationToken);
        if (result.Succeeded)
        {
            return;
        }

        if (GitFailure.IsUnknownRevision(result))
        {
            throw new UnknownRevisionException(kind, revision, remote.Display,
                remote.Redactor.Redact(GitFailure.KeyLine(result)));
        }

        throw GitFailure.Unavailable(result, remote, _options);
    }

    private static async Task<string> ResolveAsync(GitCommands git, string repository, string revision, CancellationToken cancellationToken) =>
        (await RunLocalOrThrowAsync(git, repository, ["rev-parse", "--verify", revision + "^{commit}"], cancellationToken)).StandardOutput.Trim();

    private static async Task<CommandResult> RunLocalOrThrowAsync(GitCommands git, string workingDirectory, IEnumerable<string> arguments,
        CancellationToken cancellationToken) =>
        (await git.RunLocalAsync(workingDirectory, arguments, cancellationToken)).VerifySuccess();

    private async Task<SourceCheckout> DescribeAsync(GitCommands git, string repository, string workspace, GitRemote remote,
        string commitSha, string? branch, IReadOnlyList<string> warnings, CancellationToken cancellationToken)
    {
        var log = await RunLocalOrThrowAsync(git, repository,
            ["log", "-1", "--no-show-signature", "--format=%H%x00%an <%ae>%x00%cI%x00%B", commitSha], cancellationToken);
        var fields = log.StandardOutput.Split('\0', 4);
        if (fields.Length != 4 || fields[0].Trim() != commitSha)
        {
            throw new InvalidOperationException($"unexpected 'git log' output for {commitSha}");
        }

        return new SourceCheckout(workspace, repository, _logger)
        {
            CommitSha = commitSha,
            Branch = branch,
            RemoteDisplay = remote.Display,
            CommitMessage = remote.Redactor.Redact(fields[3].TrimEnd()),
            Author = fields[1],
            CommittedAt = DateTimeOffset.Parse(fields[2], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            Warnings = warnings,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Checking out {Remote} branch {Branch} commit {Commit}")]
    private partial void LogCheckingOut(string remote, string branch, string commit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checked out {Remote} at {CommitSha} ({Branch})")]
    private partial void LogCheckedOut(string remote, string commitSha, string branch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work tree {Path} has {Count} uncommitted change(s); using its last commit")]
    private partial void LogDirtyWorkTree(string path, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Looking for commit {Commit} on {Branch} at depth {Depth}")]
    private partial void LogSearchingHistory(string commit, string branch, string depth);
}
