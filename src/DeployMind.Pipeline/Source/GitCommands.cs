using System.Globalization;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Pipeline.Source;

/// <summary>
/// Runs git through the process runner in a sealed-off environment: no system or user config, no
/// credential helpers or prompts, English messages, only well-known transports, and the GitHub
/// token (when there is one) passed as config in the environment.
/// </summary>
internal sealed class GitCommands
{
    // Config applied to every invocation via GIT_CONFIG_COUNT, ahead of the optional auth header.
    private static readonly (string Key, string Value)[] s_config =
    [
        ("advice.detachedHead", "false"),
        ("init.defaultBranch", "main"),
        ("init.templateDir", ""),
        ("credential.helper", ""),
        ("gc.auto", "0"),
        ("maintenance.auto", "false"),
        ("protocol.version", "2"),
        ("core.askPass", ""),
    ];

    // Variables from the caller's environment that would redirect git or make it print secrets.
    private static readonly string[] s_removed =
    [
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS",
        "GIT_ASKPASS", "SSH_ASKPASS", "GIT_TRACE", "GIT_TRACE_CURL", "GIT_TRACE_PACKET", "GIT_TRACE_PACK_ACCESS",
        "GIT_TRACE_SETUP", "GIT_TRACE_PERFORMANCE", "GIT_TRACE2", "GIT_TRACE2_EVENT", "GIT_TRACE2_PERF",
        "GIT_CURL_VERBOSE", "GIT_REDACT_COOKIES", "GIT_TRACE_REDACT", "LANGUAGE",
    ];

    private readonly IProcessRunner _runner;
    private readonly GitOptions _options;
    private readonly string _homeDirectory;

    public GitCommands(IProcessRunner runner, GitOptions options, string homeDirectory)
    {
        _runner = runner;
        _options = options;
        _homeDirectory = homeDirectory;
    }

    /// <summary>Runs a local git command; failures are the caller's to read from the result.</summary>
    public Task<CommandResult> RunLocalAsync(string? workingDirectory, IEnumerable<string> arguments,
        CancellationToken cancellationToken) =>
        _runner.RunAsync(Build(workingDirectory, arguments, remote: null, _options.LocalCommandTimeout), cancellationToken);

    /// <summary>Runs a git command that talks to the remote, with its credentials and the clone timeout.</summary>
    public Task<CommandResult> RunRemoteAsync(GitRemote remote, string? workingDirectory, IEnumerable<string> arguments,
        CancellationToken cancellationToken) =>
        _runner.RunAsync(Build(workingDirectory, arguments, remote, _options.CloneTimeout), cancellationToken);

    /// <summary>The remote's branches and default branch, via <c>git ls-remote --symref</c>.</summary>
    public async Task<RemoteRefs> ListRemoteAsync(GitRemote remote, CancellationToken cancellationToken)
    {
        var result = await RunRemoteAsync(remote, workingDirectory: null,
            ["ls-remote", "--symref", remote.Url, "HEAD", "refs/heads/*"], cancellationToken);
        if (!result.Succeeded)
        {
            throw GitFailure.Unavailable(result, remote, _options);
        }

        return RemoteRefs.Parse(result.StandardOutput);
    }

    private CommandLine Build(string? workingDirectory, IEnumerable<string> arguments, GitRemote? remote, TimeSpan timeout)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = OperatingSystem.IsWindows() ? "NUL" : "/dev/null",
            ["HOME"] = _homeDirectory,
            ["XDG_CONFIG_HOME"] = Path.Combine(_homeDirectory, ".config"),
            ["LC_ALL"] = "C",
            ["LANG"] = "C",
            ["GIT_OPTIONAL_LOCKS"] = "0",
            ["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh",
            // Keys from ~/.ssh still work (ssh reads the account's home, not $HOME); passwords and host prompts do not.
            ["GIT_SSH_COMMAND"] = Environment.GetEnvironmentVariable("GIT_SSH_COMMAND") ?? "ssh -o BatchMode=yes",
        };
        foreach (var name in s_removed)
        {
            environment[name] = null;
        }

        var config = s_config.ToList();
        if (remote?.AuthorizationHeader is { } header)
        {
            config.Add((remote.AuthorizationConfigKey!, header));
        }

        environment["GIT_CONFIG_COUNT"] = config.Count.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < config.Count; i++)
        {
            environment[$"GIT_CONFIG_KEY_{i}"] = config[i].Key;
            environment[$"GIT_CONFIG_VALUE_{i}"] = config[i].Value;
        }

        return new CommandLine(_options.GitExecutable, arguments)
        {
            WorkingDirectory = workingDirectory,
            Environment = environment,
            Timeout = timeout,
            Secrets = remote?.Redactor.Secrets ?? [],
        };
    }
}

/// <summary>What <c>git ls-remote --symref HEAD refs/heads/*</c> said about a remote.</summary>
internal sealed record RemoteRefs(string? DefaultBranch, IReadOnlyDictionary<string, string> Heads)
{
    private const string HeadsPrefix = "refs/heads/";

    public static RemoteRefs Parse(string output)
    {
        string? defaultBranch = null;
        var heads = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            if (parts.Length != 2)
            {
                continue;
            }

            if (parts[0].StartsWith("ref: " + HeadsPrefix, StringComparison.Ordinal) && parts[1] == "HEAD")
            {
                defaultBranch = parts[0]["ref: ".Length..][HeadsPrefix.Length..];
            }
            else if (parts[1].StartsWith(HeadsPrefix, StringComparison.Ordinal))
            {
                heads[parts[1][HeadsPrefix.Length..]] = parts[0];
            }
        }

        return new RemoteRefs(defaultBranch, heads);
    }

    /// <summary>The branch whose head is this commit, preferring the default branch; null when none is.</summary>
    public string? BranchAt(string commitSha) =>
        DefaultBranch is { } d && Heads.TryGetValue(d, out var sha) && sha == commitSha
            ? d
            : Heads.Where(h => h.Value == commitSha).Select(h => h.Key).Order(StringComparer.Ordinal).FirstOrDefault();

    /// <summary>A few branch names for messages.</summary>
    public string DescribeBranches(int max = 10) =>
        Heads.Count == 0
            ? "it has no branches"
            : "its branches are " + string.Join(", ", Heads.Keys.Order(StringComparer.Ordinal).Take(max))
              + (Heads.Count > max ? $" and {Heads.Count - max} more" : string.Empty);
}
