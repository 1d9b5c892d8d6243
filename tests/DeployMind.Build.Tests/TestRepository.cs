namespace DeployMind.Build.Tests;

/// <summary>A small repository written to a temporary directory, deleted on dispose.</summary>
internal sealed class TestRepository : IDisposable
{
    public TestRepository(params (string Path, string Content)[] files)
    {
        Root = Path.Combine(Path.GetTempPath(), "dm-build-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(Root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
    }

    public string Root { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder does not change any test's outcome.
        }
    }
}

internal static class Samples
{
    /// <summary>The repository's samples/ folder, found by walking up from the test binaries.</summary>
    public static string Directory { get; } = Find();

    public static string PathOf(string sample) => Path.Combine(Directory, sample);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples");
            if (System.IO.Directory.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "DeployMind.slnx")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("samples/ not found above " + AppContext.BaseDirectory);
    }
}
