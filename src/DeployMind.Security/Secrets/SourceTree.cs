using System.Text;
using System.Text.RegularExpressions;

namespace DeployMind.Security.Secrets;

/// <summary>A regular file found under a scanned root.</summary>
internal readonly record struct SourceFile(string FullPath, string RelativePath, long Length);

/// <summary>
/// Walks a source tree without following symbolic links (so link loops cannot trap it), skipping
/// vendored and VCS directories. Unreadable directories become problems, never exceptions.
/// </summary>
internal static class SourceTree
{
    private const int MaxDepth = 128;

    private static readonly EnumerationOptions s_options = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = FileAttributes.None,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    public static IEnumerable<SourceFile> Enumerate(
        string root, IReadOnlySet<string> skipDirectories, Func<string, bool>? skipPath, Action<ScanProblem> report, CancellationToken cancellationToken)
    {
        var rootInfo = new DirectoryInfo(root);
        var pending = new Stack<(DirectoryInfo Directory, string Relative, int Depth)>();
        pending.Push((rootInfo, string.Empty, 0));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (directory, relative, depth) = pending.Pop();
            List<FileSystemInfo> entries;
            try
            {
                entries = [.. directory.EnumerateFileSystemInfos("*", s_options)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                report(new ScanProblem(relative.Length == 0 ? "." : relative, null, $"directory could not be read: {e.Message}"));
                continue;
            }

            entries.Sort((a, b) => string.CompareOrdinal(b.Name, a.Name));
            foreach (var entry in entries)
            {
                var path = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                if ((entry.Attributes & FileAttributes.ReparsePoint) != 0)
                {
                    // Symbolic links are not followed: a link to a parent would loop, a link out of the tree would scan foreign files.
                    continue;
                }

                if (entry is DirectoryInfo sub)
                {
                    if (skipDirectories.Contains(entry.Name) || (skipPath is not null && skipPath(path + "/")))
                    {
                        continue;
                    }

                    if (depth + 1 > MaxDepth)
                    {
                        report(new ScanProblem(path, null, $"directory nesting deeper than {MaxDepth} levels was not scanned"));
                        continue;
                    }

                    pending.Push((sub, path, depth + 1));
                }
                else if (entry is FileInfo file)
                {
                    if (skipPath is not null && skipPath(path))
                    {
                        continue;
                    }

                    long length;
                    try
                    {
                        length = file.Length;
                    }
                    catch (IOException)
                    {
                        continue;
                    }

                    yield return new SourceFile(file.FullName, path, length);
                }
            }
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> bytes; returns null when the file is larger (it is not read further).</summary>
    public static async Task<byte[]?> ReadBoundedAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
            BufferSize = 0,
        });
        var expected = stream.CanSeek ? stream.Length : maxBytes + 1;
        if (expected > maxBytes)
        {
            return null;
        }

        var buffer = new byte[(int)expected];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return buffer[..read];
            }

            read += n;
        }

        // The file may have grown since it was measured; one more byte tells.
        var probe = new byte[1];
        return await stream.ReadAsync(probe, cancellationToken) == 0 ? buffer : null;
    }

    /// <summary>Synchronous twin of <see cref="ReadBoundedAsync"/>, for the parallel file loop.</summary>
    public static byte[]? ReadBounded(string path, long maxBytes)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.SequentialScan,
            BufferSize = 0,
        });
        var expected = stream.CanSeek ? stream.Length : maxBytes + 1;
        if (expected > maxBytes)
        {
            return null;
        }

        var buffer = new byte[(int)expected];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                return buffer[..read];
            }

            read += n;
        }

        Span<byte> probe = stackalloc byte[1];
        return stream.Read(probe) == 0 ? buffer : null;
    }

    /// <summary>True when the first 8 KB contain a NUL byte, the usual sign of a binary file.</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> content) => content[..Math.Min(content.Length, 8192)].Contains((byte)0);

    public static string Decode(byte[] content)
    {
        var span = content.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        return Encoding.UTF8.GetString(span);
    }
}

/// <summary>
/// A gitignore-like path pattern over '/'-separated relative paths: <c>*</c> within a segment,
/// <c>**</c> across segments, <c>?</c> one character. A pattern without '/' matches any path segment
/// (so <c>*.pem</c> matches a file anywhere); a trailing '/' matches a directory and everything under it.
/// </summary>
public sealed class PathGlob
{
    private readonly Regex _regex;
    private readonly bool _anySegment;

    public PathGlob(string pattern)
    {
        Pattern = pattern;
        var p = pattern.Replace('\\', '/').Trim();
        if (p.StartsWith("./", StringComparison.Ordinal))
        {
            p = p[2..];
        }

        p = p.Trim('/');
        _anySegment = !p.Contains('/', StringComparison.Ordinal);
        if (p.EndsWith("/**", StringComparison.Ordinal))
        {
            // "dir/**" is "dir" and everything under it; the suffix below already covers the contents.
            p = p[..^3];
        }

        var regex = new StringBuilder("^");
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (c == '*' && i + 1 < p.Length && p[i + 1] == '*')
            {
                var slashFollows = i + 2 < p.Length && p[i + 2] == '/';
                regex.Append(slashFollows ? "(?:.*/)?" : ".*");
                i += slashFollows ? 2 : 1;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        regex.Append("(?:/.*)?$");
        _regex = new Regex(regex.ToString(), RegexOptions.CultureInvariant);
    }

    public string Pattern { get; }

    public bool IsMatch(string relativePath)
    {
        var path = relativePath.Replace('\\', '/').TrimEnd('/');
        if (_regex.IsMatch(path))
        {
            return true;
        }

        if (!_anySegment)
        {
            return false;
        }

        // "fixtures" or "*.pem" match at any depth.
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        while (slash >= 0)
        {
            if (_regex.IsMatch(path[(slash + 1)..]))
            {
                return true;
            }

            slash = path.IndexOf('/', slash + 1);
        }

        return false;
    }

    public override string ToString() => Pattern;
}
