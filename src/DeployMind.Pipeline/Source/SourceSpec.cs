using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Pipeline.Source;

/// <summary>Where a source comes from.</summary>
public enum SourceKind
{
    /// <summary>A GitHub <c>owner/repo</c>, fetched from the configured GitHub base URL.</summary>
    Repository,

    /// <summary>Any git URL: https, http, ssh, git, file, or scp-like <c>git@host:owner/repo.git</c>.</summary>
    Url,

    /// <summary>A directory on this machine that is a git work tree; its committed HEAD is used.</summary>
    LocalPath,
}

/// <summary>
/// What the source stage checks out: a repository, URL or local path, at a commit and/or branch
/// (neither: the remote's default branch, or the local work tree's HEAD). Values are validated on creation.
/// </summary>
public sealed partial class SourceSpec
{
    public const string UrlForm = "https://host/owner/repo.git, ssh://git@host/owner/repo.git, git@host:owner/repo.git or file:///path/to/repo";

    private static readonly string[] s_schemes = ["https", "http", "ssh", "git", "file", "git+ssh", "ssh+git"];

    private SourceSpec(SourceKind kind, string location, string? commit, string? branch)
    {
        Kind = kind;
        Location = location;
        Commit = commit is null ? null : CommitSha.Validate(commit, "commit");
        Branch = branch is null ? null : BranchName.Validate(branch, "branch");
    }

    public SourceKind Kind { get; }

    /// <summary><c>owner/repo</c>, the URL, or the full local path, depending on <see cref="Kind"/>.</summary>
    public string Location { get; }

    /// <summary>A full or abbreviated (7+ hex digits) commit id, lower case.</summary>
    public string? Commit { get; }

    public string? Branch { get; }

    /// <summary>True when <see cref="Commit"/> is a full id (40 hex digits, or 64 for SHA-256).</summary>
    public bool HasFullCommit => Commit is { Length: 40 or 64 };

    public static SourceSpec ForRepository(string repository, string? commit = null, string? branch = null) =>
        new(SourceKind.Repository, RepositoryName.Validate(repository), commit, branch);

    public static SourceSpec ForUrl(string url, string? commit = null, string? branch = null) =>
        new(SourceKind.Url, ValidateUrl(url), commit, branch);

    public static SourceSpec ForLocalPath(string path, string? commit = null, string? branch = null)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Any(char.IsControl))
        {
            throw new InvalidInputException("path", $"path '{path}' is empty or has control characters; expected a directory holding a git work tree");
        }

        return new(SourceKind.LocalPath, Path.GetFullPath(path.Trim()), commit, branch);
    }

    /// <summary>Accepts the git URL forms listed in <see cref="UrlForm"/>; rejects anything git could read as an option or a command.</summary>
    public static string ValidateUrl(string? url, string field = "url")
    {
        var trimmed = url?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.StartsWith('-') || trimmed.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw Invalid();
        }

        if (trimmed.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
                || !s_schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase)
                || (uri.Scheme != Uri.UriSchemeFile && string.IsNullOrEmpty(uri.Host))
                || uri.AbsolutePath is "" or "/")
            {
                throw Invalid();
            }

            return trimmed;
        }

        // "transport::address" would select a git remote helper; only the forms above are accepted.
        return ScpLike().IsMatch(trimmed) && !trimmed.Contains("::", StringComparison.Ordinal) ? trimmed : throw Invalid();

        InvalidInputException Invalid() =>
            new(field, $"{field} '{url}' is not a git URL; expected {UrlForm}");
    }

    public override string ToString()
    {
        var revision = (Branch, Commit) switch
        {
            (null, null) => "default branch",
            ({ } b, null) => b,
            (null, { } c) => c,
            ({ } b, { } c) => $"{b} ({c})",
        };
        return $"{Location}@{revision}";
    }

    // [user@]host:path, as git reads it when there is no scheme; the host cannot contain '/'.
    [GeneratedRegex(@"^(?:[A-Za-z0-9._~+-]+@)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?:[^\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ScpLike();
}
