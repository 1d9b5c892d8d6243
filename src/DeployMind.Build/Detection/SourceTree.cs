using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

/// <summary>Read-only view of a source directory: bounded file reads and a walk that skips dependency and build folders.</summary>
internal sealed class SourceTree
{
    private const long MaxReadBytes = 1024 * 1024;
    private const int MaxWalkedFiles = 20_000;

    private static readonly HashSet<string> s_skippedDirectories = new(StringComparer.OrdinalIgnoreCase)
    {
        ".git", ".hg", ".svn", "node_modules", "vendor", "target", "bin", "obj", ".venv", "venv", "env",
        "__pycache__", ".tox", ".mypy_cache", ".pytest_cache", ".next", ".nuxt", ".gradle", ".idea", ".vs",
        "coverage", ".terraform", ".cache", "tmp", "log",
    };

    private readonly Dictionary<string, string?> _contents = new(StringComparer.Ordinal);
    private IReadOnlyList<string>? _files;

    public SourceTree(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
    }

    public string Root { get; }

    public bool Exists(string relativePath) => Full(relativePath) is { } path && File.Exists(path);

    public bool DirectoryExists(string relativePath) => Full(relativePath) is { } path && Directory.Exists(path);

    /// <summary>The file's text, or null when it is missing or too large to be a manifest or source file.</summary>
    public string? Read(string relativePath)
    {
        if (_contents.TryGetValue(relativePath, out var cached))
        {
            return cached;
        }

        string? text = null;
        var path = Full(relativePath);
        var info = path is null ? null : new FileInfo(path);

        // A symlink could point anywhere on the machine running DeployMind; repository files are read only when they are real files.
        if (info is { Exists: true, LinkTarget: null } && info.Length <= MaxReadBytes)
        {
            text = File.ReadAllText(info.FullName);
        }

        _contents[relativePath] = text;
        return text;
    }

    /// <summary>Every file under the root (relative, '/'-separated, sorted), without dependency or build folders.</summary>
    public IReadOnlyList<string> Files => _files ??= Walk();

    /// <summary>Files whose name ends with one of the extensions, shallowest first, up to maxDepth folders deep.</summary>
    public IEnumerable<string> FilesWithExtension(int maxDepth, params string[] extensions) =>
        Files.Where(f => Depth(f) <= maxDepth && extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(Depth).ThenBy(f => f, StringComparer.Ordinal);

    /// <summary>The first source file (shallowest first) whose text matches, with the match.</summary>
    public (string File, Match Match)? FindInFiles(IEnumerable<string> files, Regex pattern)
    {
        foreach (var file in files)
        {
            var text = Read(file);
            if (text is null)
            {
                continue;
            }

            var match = pattern.Match(text);
            if (match.Success)
            {
                return (file, match);
            }
        }

        return null;
    }

    public static int Depth(string relativePath) => relativePath.Count(c => c == '/');

    /// <summary>The absolute path, or null when the relative path (e.g. a package.json "main") points outside the tree.</summary>
    private string? Full(string relativePath)
    {
        var full = Path.GetFullPath(Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        return full == Root || full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    private List<string> Walk()
    {
        var result = new List<string>();
        var pending = new Stack<string>();
        pending.Push(Root);
        while (pending.Count > 0 && result.Count < MaxWalkedFiles)
        {
            var directory = pending.Pop();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(directory);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var name = Path.GetFileName(entry);
                if (Directory.Exists(entry))
                {
                    var attributes = File.GetAttributes(entry);
                    if (!s_skippedDirectories.Contains(name) && !attributes.HasFlag(FileAttributes.ReparsePoint))
                    {
                        pending.Push(entry);
                    }
                }
                else
                {
                    result.Add(Path.GetRelativePath(Root, entry).Replace(Path.DirectorySeparatorChar, '/'));
                }
            }
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }
}
