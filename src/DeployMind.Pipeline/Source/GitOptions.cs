namespace DeployMind.Pipeline.Source;

/// <summary>How the source stage runs git; bound from configuration section <c>Git</c>.</summary>
public sealed class GitOptions
{
    public const string SectionName = "Git";

    /// <summary>The git program: a name on PATH or a full path.</summary>
    public string GitExecutable { get; set; } = "git";

    /// <summary>Limit for each command that talks to a remote (ls-remote, fetch).</summary>
    public TimeSpan CloneTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Limit for each local command (init, rev-parse, checkout, status).</summary>
    public TimeSpan LocalCommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Where <c>owner/repo</c> sources live; change it for GitHub Enterprise.</summary>
    public Uri GitHubBaseUrl { get; set; } = new("https://github.com/");

    /// <summary>Environment variable holding the token sent to <see cref="GitHubBaseUrl"/> over HTTP(S).</summary>
    public string TokenEnvironmentVariable { get; set; } = "GITHUB_TOKEN";

    /// <summary>History depths tried, in order, when looking for an abbreviated commit before fetching all of it.</summary>
    public IList<int> CommitSearchDepths { get; set; } = [50, 1000];

    /// <summary>Every problem with these options, each naming the key and a fix; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(GitExecutable))
        {
            problems.Add($"{SectionName}:{nameof(GitExecutable)} is empty; set it to 'git' or the full path of git");
        }

        if (CloneTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:{nameof(CloneTimeout)} must be positive, e.g. 00:10:00");
        }

        if (LocalCommandTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:{nameof(LocalCommandTimeout)} must be positive, e.g. 00:02:00");
        }

        if (GitHubBaseUrl is null || !GitHubBaseUrl.IsAbsoluteUri)
        {
            problems.Add($"{SectionName}:{nameof(GitHubBaseUrl)} must be an absolute URL, e.g. https://github.com/");
        }

        if (string.IsNullOrWhiteSpace(TokenEnvironmentVariable))
        {
            problems.Add($"{SectionName}:{nameof(TokenEnvironmentVariable)} is empty; the default is GITHUB_TOKEN");
        }

        if (CommitSearchDepths.Any(d => d <= 0))
        {
            problems.Add($"{SectionName}:{nameof(CommitSearchDepths)} must hold positive depths, e.g. [50, 1000]");
        }

        return problems;
    }

    /// <summary>Throws one <see cref="Domain.InvalidInputException"/> listing every problem, when there are any.</summary>
    internal GitOptions ThrowIfInvalid()
    {
        var problems = Validate();
        return problems.Count == 0
            ? this
            : throw new Domain.InvalidInputException(SectionName, "git options are invalid:\n  " + string.Join("\n  ", problems));
    }
}
