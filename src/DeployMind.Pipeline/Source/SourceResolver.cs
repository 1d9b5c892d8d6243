using DeployMind.Domain;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.Options;

namespace DeployMind.Pipeline.Source;

/// <summary>A source pinned to the commit a deployment will ship.</summary>
public sealed record ResolvedSource(string CommitSha, string? Branch);

/// <summary>
/// Pins a source to a commit when a deployment is triggered, so the deployment row records exactly what
/// ships: the branch head on the remote (git ls-remote), or the local work tree's HEAD.
/// </summary>
public sealed class SourceResolver(GitRemoteProbe probe, IProcessRunner runner, IOptions<GitOptions> options)
{
    public async Task<ResolvedSource> ResolveAsync(SourceSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Kind == SourceKind.LocalPath)
        {
            return await ResolveLocalAsync(spec, cancellationToken);
        }

        var remote = spec.Kind == SourceKind.Repository
            ? new Uri(options.Value.GitHubBaseUrl, spec.Location + ".git").ToString()
            : spec.Location;
        if (spec.Commit is not null)
        {
            // A named commit is taken as given; the source stage checks it exists (and is on the branch, if one is named).
            return new ResolvedSource(CommitSha.Validate(spec.Commit), spec.Branch);
        }

        var branch = spec.Branch ?? await probe.ResolveDefaultBranchAsync(remote, cancellationToken)
            ?? throw new UnknownRevisionException(RevisionKind.Branch, "(default)", remote, "the repository has no branches yet");
        return new ResolvedSource(await probe.ResolveBranchHeadAsync(remote, branch, cancellationToken), branch);
    }

    private async Task<ResolvedSource> ResolveLocalAsync(SourceSpec spec, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(spec.Location))
        {
            throw new InvalidInputException("path", $"'{spec.Location}' does not exist; give the directory of a git work tree");
        }

        var git = options.Value.GitExecutable;
        var timeout = options.Value.LocalCommandTimeout;
        var revision = (spec.Commit ?? spec.Branch ?? "HEAD") + "^{commit}";
        var sha = await runner.RunAsync(new CommandLine(git, ["-C", spec.Location, "rev-parse", "--verify", "--quiet", revision]) { Timeout = timeout }, cancellationToken);
        if (!sha.Succeeded)
        {
            var inside = await runner.RunAsync(new CommandLine(git, ["-C", spec.Location, "rev-parse", "--is-inside-work-tree"]) { Timeout = timeout }, cancellationToken);
            if (!inside.Succeeded)
            {
                throw new InvalidInputException("path", $"'{spec.Location}' is not a git work tree; run 'git init' and commit, or give another --path");
            }

            throw new UnknownRevisionException(spec.Commit is null && spec.Branch is not null ? RevisionKind.Branch : RevisionKind.Commit,
                spec.Commit ?? spec.Branch ?? "HEAD", spec.Location, "no such revision in the local repository (is there a commit yet?)");
        }

        var branch = spec.Branch;
        if (branch is null && spec.Commit is null)
        {
            var head = await runner.RunAsync(new CommandLine(git, ["-C", spec.Location, "symbolic-ref", "--short", "-q", "HEAD"]) { Timeout = timeout }, cancellationToken);
            branch = head.Succeeded && head.StandardOutput.Trim() is { Length: > 0 } name ? name : null;
        }

        return new ResolvedSource(sha.StandardOutput.Trim(), branch);
    }
}
