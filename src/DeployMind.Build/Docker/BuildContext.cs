using System.Formats.Tar;

namespace DeployMind.Build.Docker;

/// <summary>Packs a directory into the tar stream the engine builds from, leaving out what .dockerignore excludes.</summary>
public static class BuildContext
{
    /// <summary>
    /// Writes the context as a tar into a temporary file (deleted when the stream is disposed) and rewinds it.
    /// The Dockerfile and .dockerignore are always sent, as the docker CLI does, since the engine needs them.
    /// </summary>
    public static async Task<Stream> CreateTarAsync(string contextDirectory, string dockerfile, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(contextDirectory);
        var ignore = DockerIgnore.Load(root);
        var keep = new HashSet<string>(StringComparer.Ordinal) { ToEntryName(dockerfile), ".dockerignore" };

        var tarPath = Path.Combine(Path.GetTempPath(), $"deploymind-context-{Guid.NewGuid():N}.tar");
        var stream = new FileStream(tarPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var (fullPath, entryName) in Walk(root, "", ignore, keep))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await writer.WriteEntryAsync(fullPath, entryName, cancellationToken);
                }
            }

            stream.Position = 0;
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>The entry names the context would contain, in the order they are written.</summary>
    public static IReadOnlyList<string> ListEntries(string contextDirectory, string dockerfile = "Dockerfile")
    {
        var root = Path.GetFullPath(contextDirectory);
        var keep = new HashSet<string>(StringComparer.Ordinal) { ToEntryName(dockerfile), ".dockerignore" };
        return Walk(root, "", DockerIgnore.Load(root), keep).Select(e => e.EntryName).ToList();
    }

    private static IEnumerable<(string FullPath, string EntryName)> Walk(string directory, string prefix, DockerIgnore ignore, HashSet<string> keep)
    {
        var entries = new DirectoryInfo(directory).EnumerateFileSystemInfos()
            .OrderBy(e => e.Name, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var name = prefix.Length == 0 ? entry.Name : $"{prefix}/{entry.Name}";
            var excluded = ignore.IsExcluded(name) && !keep.Contains(name);
            var isRealDirectory = entry is DirectoryInfo && entry.LinkTarget is null;
            if (isRealDirectory)
            {
                // An excluded directory is still walked when a later '!' rule could bring back something inside it.
                if (excluded && !ignore.HasNegations && !keep.Any(k => k.StartsWith(name + "/", StringComparison.Ordinal)))
                {
                    continue;
                }

                if (!excluded)
                {
                    yield return (entry.FullName, name);
                }

                foreach (var child in Walk(entry.FullName, name, ignore, keep))
                {
                    yield return child;
                }
            }
            else if (!excluded)
            {
                yield return (entry.FullName, name);
            }
        }
    }

    private static string ToEntryName(string relativePath) =>
        string.Join('/', relativePath.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."));
}
