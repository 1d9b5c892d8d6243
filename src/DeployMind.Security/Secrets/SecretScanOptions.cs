using System.Globalization;

namespace DeployMind.Security.Secrets;

/// <summary>How a secret scan walks the tree and which findings it keeps.</summary>
public sealed class SecretScanOptions
{
    /// <summary>VCS metadata, dependency and tool caches: vendored code is not the project's to fix.</summary>
    public static readonly IReadOnlyList<string> DefaultSkipDirectories =
    [
        ".git", ".hg", ".svn", "node_modules", "vendor", "bower_components", "jspm_packages", ".venv", "venv",
        "__pycache__", ".tox", ".mypy_cache", ".pytest_cache", ".terraform", ".gradle", ".yarn", ".pnpm-store",
    ];

    /// <summary>Extensions of files that are binary or generated; skipped without being read.</summary>
    public static readonly IReadOnlyList<string> DefaultSkipExtensions =
    [
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tif", ".tiff", ".psd", ".mp3", ".mp4", ".mov", ".avi",
        ".wav", ".ogg", ".webm", ".flac", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".zip", ".gz", ".tgz", ".bz2", ".xz",
        ".zst", ".7z", ".rar", ".tar", ".jar", ".war", ".ear", ".class", ".dll", ".exe", ".so", ".dylib", ".a", ".o",
        ".obj", ".pdb", ".pyc", ".pyo", ".wasm", ".pdf", ".iso", ".dmg", ".deb", ".rpm", ".bin", ".dat", ".db",
        ".sqlite", ".nupkg", ".snupkg",
    ];

    public long MaxFileSizeBytes { get; set; } = 10 * 1024 * 1024;

    public int MaxDegreeOfParallelism { get; set; } = Math.Max(1, Environment.ProcessorCount);

    public HashSet<string> SkipDirectories { get; set; } = new(DefaultSkipDirectories, StringComparer.Ordinal);

    public HashSet<string> SkipExtensions { get; set; } = new(DefaultSkipExtensions, StringComparer.OrdinalIgnoreCase);

    /// <summary>Path globs (<c>tests/fixtures/**</c>, <c>*.snap</c>) whose files are not scanned.</summary>
    public List<string> AllowPaths { get; set; } = [];

    /// <summary>Regexes over the secret (or the whole match); a match is allowed, e.g. a known test token.</summary>
    public List<string> AllowRegexes { get; set; } = [];

    /// <summary>Rule ids not evaluated.</summary>
    public HashSet<string> DisabledRules { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The rules to use; null means <see cref="SecretRules.All"/>.</summary>
    public IReadOnlyList<SecretRule>? Rules { get; set; }

    /// <summary>Name of the ignore file read from the scanned root.</summary>
    public string IgnoreFileName { get; set; } = ".deploymindignore";

    /// <summary>A file with more findings than this is reported once as a problem beyond the limit (minified bundles, dumps).</summary>
    public int MaxFindingsPerFile { get; set; } = 200;

    /// <summary>Every problem of the options at once, each naming the key and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxFileSizeBytes <= 0)
        {
            errors.Add($"{nameof(MaxFileSizeBytes)} must be positive (e.g. 10485760 for 10 MB)");
        }

        if (MaxDegreeOfParallelism <= 0)
        {
            errors.Add($"{nameof(MaxDegreeOfParallelism)} must be at least 1");
        }

        if (MaxFindingsPerFile <= 0)
        {
            errors.Add($"{nameof(MaxFindingsPerFile)} must be at least 1");
        }

        foreach (var pattern in AllowRegexes)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(pattern);
            }
            catch (ArgumentException e)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(AllowRegexes)}: '{pattern}' is not a valid regex ({e.Message})"));
            }
        }

        var known = (Rules ?? SecretRules.All).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in DisabledRules.Where(id => !known.Contains(id)))
        {
            errors.Add($"{nameof(DisabledRules)}: unknown rule id '{id}'");
        }

        return errors;
    }
}
