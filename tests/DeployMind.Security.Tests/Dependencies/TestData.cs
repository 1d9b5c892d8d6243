using DeployMind.Security.Dependencies.Osv;

namespace DeployMind.Security.Tests.Dependencies;

/// <summary>The shared, real test data: <c>../shared/testdata</c> beside the repository root.</summary>
internal static class TestData
{
    private static readonly Lazy<string> s_root = new(Locate);
    private static readonly Lazy<AdvisoryIndex> s_advisories = new(() =>
    {
        var index = AdvisoryIndex.LoadDirectory(OsvDirectory, out var problems);
        return problems.Count == 0 ? index : throw new InvalidOperationException(string.Join("; ", problems));
    });

    public static string Root => s_root.Value;

    public static string OsvDirectory => Path.Combine(Root, "osv");

    public static string Lockfiles => Path.Combine(Root, "lockfiles");

    /// <summary>All 76 records of <c>testdata/osv</c>, indexed.</summary>
    public static AdvisoryIndex Advisories => s_advisories.Value;

    public static string Lockfile(string relative) => Path.Combine(Lockfiles, relative);

    public static OsvRecord Record(string id) => OsvRecord.Parse(File.ReadAllText(Path.Combine(OsvDirectory, id + ".json")));

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeployMind.slnx")))
            {
                var testdata = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata"));
                return Directory.Exists(testdata)
                    ? testdata
                    : throw new DirectoryNotFoundException($"shared test data not found at {testdata}");
            }
        }

        throw new DirectoryNotFoundException($"no DeployMind.slnx above {AppContext.BaseDirectory}");
    }
}

/// <summary>A temporary directory removed after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dm-deps-" + Guid.NewGuid().ToString("N"));

    public string File(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
