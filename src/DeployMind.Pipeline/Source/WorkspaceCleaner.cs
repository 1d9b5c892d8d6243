using Microsoft.Extensions.Logging;

namespace DeployMind.Pipeline.Source;

/// <summary>Deletes checkout workspaces, including git's read-only object files and directories made read-only.</summary>
internal static partial class WorkspaceCleaner
{
    private const int Attempts = 3;

    public static void Delete(string path, ILogger logger)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt == Attempts)
                {
                    // Disposal must not hide the error that caused it; a leftover directory is reported instead.
                    LogDeleteFailed(logger, ex, path);
                    return;
                }

                MakeWritable(path);
                Thread.Sleep(100 * attempt);
            }
        }
    }

    private static void MakeWritable(string path)
    {
        if (Directory.Exists(path))
        {
            MakeWritable(new DirectoryInfo(path));
        }
    }

    private static void MakeWritable(DirectoryInfo directory)
    {
        try
        {
            // A directory needs write and execute permission for its entries to be removed.
            if (!OperatingSystem.IsWindows())
            {
                directory.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            }

            foreach (var entry in directory.EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo child && child.LinkTarget is null)
                {
                    MakeWritable(child);
                }
                else if (entry.LinkTarget is null)
                {
                    entry.Attributes &= ~FileAttributes.ReadOnly;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next delete attempt to report.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete checkout workspace {Path}")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string path);
}
