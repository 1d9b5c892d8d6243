using DeployMind.Testing;

namespace DeployMind.Server.Tests;

/// <summary>A local git work tree with one commit, deployable by path without any network.</summary>
public static class GitRepository
{
    public static async Task<string> CreateAsync(TempDirectory directory, string name = "app")
    {
        var path = directory.Combine(name);
        Directory.CreateDirectory(path);
        await File.WriteAllTextAsync(Path.Combine(path, "index.js"), "console.log('hello');\n");
        foreach (var args in new[]
                 {
                     new[] { "init", "-q", "-b", "main" },
                     ["-c", "user.name=test", "-c", "user.email=test@example.com", "add", "."],
                     ["-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "first"],
                 })
        {
            var result = await ProcessRunner.RunAsync("git", args, TimeSpan.FromSeconds(30), path);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {result.Error}");
            }
        }

        return path;
    }
}
