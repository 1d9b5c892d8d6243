using TestProcess = DeployMind.Testing.ProcessRunner;

namespace DeployMind.Pipeline.Tests.Source;

/// <summary>A real git repository in a temp directory, with commits made by a fixed author.</summary>
internal sealed class TestRepository : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly DeployMind.Testing.TempDirectory _directory;
    private int _commits;

    private TestRepository(DeployMind.Testing.TempDirectory directory, string path)
    {
        _directory = directory;
        Path = path;
    }

    public string Path { get; }

    public string FileUrl => new Uri(Path).AbsoluteUri;

    public static async Task<TestRepository> CreateAsync(string defaultBranch = "main", bool bare = false)
    {
        var directory = new DeployMind.Testing.TempDirectory("dm-git-source");
        var repository = new TestRepository(directory, directory.Combine("repo"));
        Directory.CreateDirectory(repository.Path);
        await repository.GitAsync(bare ? ["init", "-q", "--bare", "-b", defaultBranch] : ["init", "-q", "-b", defaultBranch]);
        return repository;
    }

    /// <summary>Writes a file and commits it; returns the new commit's full id.</summary>
    public async Task<string> CommitAsync(string message, string file = "app.txt", string? content = null)
    {
        _commits++;
        await File.WriteAllTextAsync(System.IO.Path.Combine(Path, file), content ?? $"version {_commits}\n");
        await GitAsync("add", "--all");
        await GitAsync("commit", "-q", "-m", message);
        return await HeadAsync();
    }

    public async Task<string> HeadAsync() => (await GitAsync("rev-parse", "HEAD")).Trim();

    public async Task<string> RevParseAsync(string revision) => (await GitAsync("rev-parse", revision)).Trim();

    public async Task<string> GitAsync(params string[] arguments)
    {
        var environment = new Dictionary<string, string?>
        {
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_AUTHOR_NAME"] = "Ada Tester",
            ["GIT_AUTHOR_EMAIL"] = "ada@example.test",
            ["GIT_COMMITTER_NAME"] = "Ada Tester",
            ["GIT_COMMITTER_EMAIL"] = "ada@example.test",
            ["GIT_AUTHOR_DATE"] = $"2026-01-0{Math.Clamp(_commits, 1, 9)}T10:00:00+02:00",
            ["GIT_COMMITTER_DATE"] = $"2026-01-0{Math.Clamp(_commits, 1, 9)}T10:00:00+02:00",
        };
        var result = await TestProcess.RunAsync("git", arguments, s_timeout, Path, environment);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {result.Error}");
    }

    public void Dispose() => _directory.Dispose();
}
