namespace DeployMind.Security.Dependencies.Lockfiles;

/// <summary>A lockfile found in a source tree and the parser for it.</summary>
public sealed record DetectedLockfile(string FullPath, string RelativePath, ILockfileParser Parser);

/// <summary>Finds lockfiles and manifests in a source tree by their canonical file names.</summary>
public sealed class LockfileDetector
{
    private static readonly HashSet<string> s_skippedDirectories = new(StringComparer.Ordinal)
    {
        "node_modules", ".git", "vendor", ".venv", "__pycache__", ".hg", ".svn",
    };

    public LockfileDetector(IReadOnlyList<ILockfileParser>? parsers = null) => Parsers = parsers ?? DefaultParsers();

    public IReadOnlyList<ILockfileParser> Parsers { get; }

    public static IReadOnlyList<ILockfileParser> DefaultParsers() =>
    [
        new NpmLockfileParser(), new YarnLockParser(), new PnpmLockParser(),
        new RequirementsParser(), new PoetryLockParser(), new PipfileLockParser(), new UvLockParser(),
        new GoModParser(), new CargoLockParser(), new GemfileLockParser(), new ComposerLockParser(),
        new NuGetLockParser(), new MavenPomParser(),
    ];

    /// <summary>The parser for a file name, or null when it is no known lockfile.</summary>
    public ILockfileParser? ParserFor(string fileName) => Parsers.FirstOrDefault(p => p.Matches(fileName));

    /// <summary>Every lockfile under <paramref name="root"/> (or <paramref name="root"/> itself when it is a file), in path order.</summary>
    public IReadOnlyList<DetectedLockfile> Detect(string root, CancellationToken cancellationToken = default)
    {
        if (File.Exists(root))
        {
            var parser = ParserFor(Path.GetFileName(root));
            return parser is null ? [] : [new DetectedLockfile(root, Path.GetFileName(root), parser)];
        }

        var found = new List<DetectedLockfile>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var directory = pending.Pop();
            string[] files;
            string[] subdirectories;
            try
            {
                files = Directory.GetFiles(directory);
                subdirectories = Directory.GetDirectories(directory);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                continue;
            }

            var names = files.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var name = Path.GetFileName(file);
                if (name == "go.sum" && names.Contains("go.mod"))
                {
                    continue; // go.mod is the authoritative list; go.sum also holds versions the build does not select
                }

                if (ParserFor(name) is { } parser)
                {
                    found.Add(new DetectedLockfile(file, Path.GetRelativePath(root, file).Replace('\\', '/'), parser));
                }
            }

            foreach (var subdirectory in subdirectories)
            {
                var name = Path.GetFileName(subdirectory);
                if (!s_skippedDirectories.Contains(name) && (File.GetAttributes(subdirectory) & FileAttributes.ReparsePoint) == 0)
                {
                    pending.Push(subdirectory);
                }
            }
        }

        return found.OrderBy(f => f.RelativePath, StringComparer.Ordinal).ToList();
    }
}
