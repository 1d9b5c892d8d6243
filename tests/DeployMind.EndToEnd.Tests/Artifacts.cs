namespace DeployMind.EndToEnd.Tests;

/// <summary>Where the browser tests leave their screenshots: artifacts/screenshots/ at the repository root.</summary>
public static class Artifacts
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Screenshots
    {
        get
        {
            var dir = Path.Combine(RepositoryRoot, "artifacts", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static string Screenshot(string name) => Path.Combine(Screenshots, name + ".png");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeployMind.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"DeployMind.slnx not found above {AppContext.BaseDirectory}");
    }
}
