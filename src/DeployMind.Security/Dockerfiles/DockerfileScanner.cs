using DeployMind.Domain;
using DeployMind.Security.Secrets;

namespace DeployMind.Security.Dockerfiles;

/// <summary>Options of a Dockerfile scan over a source tree.</summary>
public sealed class DockerfileScanOptions
{
    /// <summary>Larger files are reported as problems and not parsed (Dockerfiles are small; this guards against mistakes).</summary>
    public long MaxFileSizeBytes { get; set; } = 1024 * 1024;

    /// <summary>Directory names never descended into.</summary>
    public HashSet<string> SkipDirectories { get; set; } = new(SecretScanOptions.DefaultSkipDirectories, StringComparer.Ordinal);

    /// <summary>Rule ids (DS-0026, DL3059, ...) that are not evaluated.</summary>
    public HashSet<string> DisabledRules { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Values of <c>--build-arg</c> used to resolve ARGs in FROM.</summary>
    public Dictionary<string, string> BuildArgs { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The findings and problems of one Dockerfile.</summary>
public sealed record DockerfileScanResult(IReadOnlyList<SecurityFinding> Findings, IReadOnlyList<ScanProblem> Problems, DockerfileDocument Document);

/// <summary>Finds Dockerfiles under a root and checks each against <see cref="DockerfileRules.All"/>.</summary>
public sealed class DockerfileScanner
{
    public const string Name = "deploymind-dockerfile";

    public const string Version = "1.0.0";

    private const int MaxProblemsPerFile = 20;

    private readonly DockerfileScanOptions _options;
    private readonly IReadOnlyList<DockerfileRule> _rules;
    private readonly TimeProvider _timeProvider;

    public DockerfileScanner(DockerfileScanOptions? options = null, IReadOnlyList<DockerfileRule>? rules = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new DockerfileScanOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _rules = (rules ?? DockerfileRules.All).Where(r => !_options.DisabledRules.Contains(r.Id, StringComparer.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>True for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.* (but not *.dockerignore).</summary>
    public static bool IsDockerfileName(string fileName)
    {
        if (fileName.EndsWith(".dockerignore", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return fileName.Equals("Dockerfile", StringComparison.OrdinalIgnoreCase)
            || fileName.Equals("Containerfile", StringComparison.OrdinalIgnoreCase)
            || fileName.EndsWith(".Dockerfile", StringComparison.OrdinalIgnoreCase)
            || fileName.StartsWith("Dockerfile.", StringComparison.OrdinalIgnoreCase)
            || fileName.StartsWith("Containerfile.", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Parses and checks Dockerfile text. A file that does not parse yields problems and no findings.</summary>
    public DockerfileScanResult ScanText(string content, string filePath = "Dockerfile")
    {
        var document = DockerfileParser.Parse(content, _options.BuildArgs);
        if (document.Problems.Count > 0)
        {
            var problems = document.Problems.Take(MaxProblemsPerFile).Select(p => new ScanProblem(filePath, p.Line, p.Message)).ToList();
            if (document.Problems.Count > MaxProblemsPerFile)
            {
                problems.Add(new ScanProblem(filePath, null, $"{document.Problems.Count - MaxProblemsPerFile} more problems not listed; is this a Dockerfile?"));
            }

            return new DockerfileScanResult([], problems, document);
        }

        var findings = _rules.SelectMany(r => r.Evaluate(document, filePath))
            .OrderBy(f => f.Line).ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ToList();
        return new DockerfileScanResult(findings, [], document);
    }

    /// <summary>Scans one Dockerfile on disk; read errors become problems.</summary>
    public async Task<DockerfileScanResult> ScanFileAsync(string path, string displayPath, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await SourceTree.ReadBoundedAsync(path, _options.MaxFileSizeBytes, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(displayPath, $"could not be read: {e.Message}");
        }

        if (bytes is null)
        {
            return Failed(displayPath, $"larger than {_options.MaxFileSizeBytes} bytes; not scanned");
        }

        if (SourceTree.LooksBinary(bytes))
        {
            return Failed(displayPath, "binary content; not a Dockerfile");
        }

        try
        {
            return ScanText(SourceTree.Decode(bytes), displayPath);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A checker bug on one odd file must not abort the scan of the others; it is reported, not hidden.
            return Failed(displayPath, $"could not be checked ({e.GetType().Name}: {e.Message}); please report this file's shape");
        }
    }

    /// <summary>Scans every Dockerfile under <paramref name="root"/> (or the single file <paramref name="root"/>).</summary>
    public async Task<ScanReport> ScanAsync(string root, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var findings = new List<SecurityFinding>();
        var problems = new List<ScanProblem>();
        if (File.Exists(root))
        {
            var single = await ScanFileAsync(root, Path.GetFileName(root), cancellationToken);
            findings.AddRange(single.Findings);
            problems.AddRange(single.Problems);
        }
        else if (!Directory.Exists(root))
        {
            problems.Add(new ScanProblem(root, null, "the path to scan does not exist"));
        }
        else
        {
            var files = SourceTree.Enumerate(root, _options.SkipDirectories, null, problems.Add, cancellationToken)
                .Where(f => IsDockerfileName(Path.GetFileName(f.RelativePath)))
                .ToList();
            foreach (var file in files.OrderBy(f => f.RelativePath, StringComparer.Ordinal))
            {
                var result = await ScanFileAsync(file.FullPath, file.RelativePath, cancellationToken);
                findings.AddRange(result.Findings);
                problems.AddRange(result.Problems);
            }
        }

        return new ScanReport
        {
            ScanType = ScanType.Dockerfile,
            ScannerName = Name,
            ScannerVersion = Version,
            Findings = findings,
            Problems = problems,
            Duration = _timeProvider.GetElapsedTime(started),
        };
    }

    private static DockerfileScanResult Failed(string path, string message) =>
        new([], [new ScanProblem(path, null, message)], new DockerfileDocument { Instructions = [], Stages = [], Directives = new Dictionary<string, string>(), Problems = [] });
}
