using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Security.Secrets;

/// <summary>
/// Scans a source tree for secrets. Each file is read once, a single case-insensitive keyword pass
/// decides which rules can match, and only those rules' regexes run. Findings carry a redacted
/// match and a fingerprint; the secret itself is never stored.
/// </summary>
public sealed class SecretScanner
{
    public const string Name = "deploymind-secrets";

    public const string Version = "1.0.0";

    /// <summary>The marker of an inline allow comment; optionally followed by rule ids.</summary>
    public const string AllowMarker = "deploymind:allow";

    private readonly TimeProvider _timeProvider;

    public SecretScanner(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>Scans every text file under <paramref name="root"/> (or the single file <paramref name="root"/>), honouring the options and the root's ignore file.</summary>
    public async Task<ScanReport> ScanAsync(string root, SecretScanOptions options, CancellationToken cancellationToken)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidInputException("secrets", "invalid secret scan options: " + string.Join("; ", errors));
        }

        var started = _timeProvider.GetTimestamp();
        var problems = new ConcurrentQueue<ScanProblem>();
        var findings = new ConcurrentQueue<SecurityFinding>();
        var compiled = new CompiledRules(options);

        if (File.Exists(root))
        {
            var info = new FileInfo(root);
            var single = ScanFile(new SourceFile(info.FullName, info.Name, info.Length), options, compiled, problems);
            return Report(single, [.. problems], _timeProvider.GetElapsedTime(started));
        }

        if (!Directory.Exists(root))
        {
            problems.Enqueue(new ScanProblem(root, null, "the path to scan does not exist"));
            return Report([], [.. problems], _timeProvider.GetElapsedTime(started));
        }

        var ignore = ReadIgnoreFile(root, options.IgnoreFileName, problems);
        var today = DateOnly.FromDateTime(_timeProvider.GetUtcNow().UtcDateTime);
        var active = new List<SecretIgnoreEntry>();
        foreach (var entry in ignore.Entries)
        {
            if (entry.IsExpired(today))
            {
                problems.Enqueue(new ScanProblem(options.IgnoreFileName, entry.Line,
                    $"entry '{entry.Kind.ToString().ToLowerInvariant()}:{entry.Value}' expired on {entry.Expires:yyyy-MM-dd} and no longer suppresses findings; fix the finding or extend the date"));
            }
            else
            {
                active.Add(entry);
            }
        }

        var skipGlobs = options.AllowPaths.Concat(active.Where(e => e.Kind == SecretIgnoreKind.Path).Select(e => e.Value))
            .Select(g => new PathGlob(g)).ToList();
        var ignoredRules = active.Where(e => e.Kind == SecretIgnoreKind.Rule).Select(e => e.Value).ToHashSet(StringComparer.Ordinal);
        var ignoredFingerprints = active.Where(e => e.Kind == SecretIgnoreKind.Fingerprint).Select(e => e.Value).ToHashSet(StringComparer.Ordinal);
        bool SkipPath(string path) => skipGlobs.Any(g => g.IsMatch(path));

        var files = SourceTree.Enumerate(root, options.SkipDirectories, skipGlobs.Count == 0 ? null : SkipPath, problems.Enqueue, cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        await Task.Run(() => Parallel.ForEach(files, parallel, file =>
        {
            foreach (var finding in ScanFile(file, options, compiled, problems))
            {
                if (!ignoredRules.Contains(finding.RuleId) && !ignoredFingerprints.Contains(finding.Fingerprint!))
                {
                    findings.Enqueue(finding);
                }
            }
        }), cancellationToken);

        var ordered = findings
            .OrderBy(f => f.FilePath, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ToList();
        var orderedProblems = problems.OrderBy(p => p.FilePath, StringComparer.Ordinal).ThenBy(p => p.Line).ToList();
        return Report(ordered, orderedProblems, _timeProvider.GetElapsedTime(started));
    }

    /// <summary>Scans text as if it were the file <paramref name="relativePath"/> (rules, allow rules and inline allows; no ignore file).</summary>
    /// <param name="problems">Receives partial-scan problems (a rule timing out, too many findings), when given.</param>
    public IReadOnlyList<SecurityFinding> ScanText(string relativePath, string content, SecretScanOptions? options = null, ICollection<ScanProblem>? problems = null)
    {
        options ??= new SecretScanOptions();
        var compiled = new CompiledRules(options);
        return ScanContent(relativePath, content, options, compiled, p => problems?.Add(p));
    }

    private static ScanReport Report(IReadOnlyList<SecurityFinding> findings, IReadOnlyList<ScanProblem> problems, TimeSpan duration) => new()
    {
        ScanType = ScanType.Secrets,
        ScannerName = Name,
        ScannerVersion = Version,
        Findings = findings,
        Problems = problems,
        Duration = duration,
    };

    private static SecretIgnoreFile ReadIgnoreFile(string root, string fileName, ConcurrentQueue<ScanProblem> problems)
    {
        var path = Path.Combine(root, fileName);
        if (!File.Exists(path))
        {
            return SecretIgnoreFile.Empty;
        }

        try
        {
            var bytes = SourceTree.ReadBounded(path, 1024 * 1024);
            if (bytes is null)
            {
                problems.Enqueue(new ScanProblem(fileName, null, "ignore file larger than 1 MB; not read"));
                return SecretIgnoreFile.Empty;
            }

            var ignore = SecretIgnoreFile.Parse(SourceTree.Decode(bytes), fileName);
            foreach (var problem in ignore.Problems)
            {
                problems.Enqueue(problem);
            }

            return ignore;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Enqueue(new ScanProblem(fileName, null, $"ignore file could not be read: {e.Message}"));
            return SecretIgnoreFile.Empty;
        }
    }

    private static List<SecurityFinding> ScanFile(SourceFile file, SecretScanOptions options, CompiledRules compiled, ConcurrentQueue<ScanProblem> problems)
    {
        if (file.Length == 0 || options.SkipExtensions.Contains(Path.GetExtension(file.RelativePath)))
        {
            // Empty entries include FIFOs and devices, which must never be opened.
            return [];
        }

        if (file.Length > options.MaxFileSizeBytes)
        {
            problems.Enqueue(new ScanProblem(file.RelativePath, null, $"larger than {options.MaxFileSizeBytes} bytes; not scanned"));
            return [];
        }

        byte[]? bytes;
        try
        {
            bytes = SourceTree.ReadBounded(file.FullPath, options.MaxFileSizeBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Enqueue(new ScanProblem(file.RelativePath, null, $"could not be read: {e.Message}"));
            return [];
        }

        if (bytes is null)
        {
            problems.Enqueue(new ScanProblem(file.RelativePath, null, $"larger than {options.MaxFileSizeBytes} bytes; not scanned"));
            return [];
        }

        if (SourceTree.LooksBinary(bytes))
        {
            return [];
        }

        try
        {
            return ScanContent(file.RelativePath, SourceTree.Decode(bytes), options, compiled, problems.Enqueue);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One odd file must not abort the scan of the others. The message is the exception's own, never file content.
            problems.Enqueue(new ScanProblem(file.RelativePath, null, $"could not be scanned ({e.GetType().Name})"));
            return [];
        }
    }

    /// <summary>A raw match inside one file; lives only while that file is scanned.</summary>
    private readonly record struct Candidate(int RuleIndex, int MatchStart, int MatchEnd, int SecretStart, int SecretEnd);

    private static List<SecurityFinding> ScanContent(
        string relativePath, string content, SecretScanOptions options, CompiledRules compiled, Action<ScanProblem> report)
    {
        var active = compiled.ActiveRules(content);
        List<Candidate>? candidates = null;
        for (var r = 0; r < compiled.Rules.Length; r++)
        {
            if (!active[r])
            {
                continue;
            }

            var rule = compiled.Rules[r];
            if (!rule.AppliesTo(relativePath))
            {
                continue;
            }

            var group = compiled.SecretGroups[r];
            try
            {
                for (var match = rule.Regex.Match(content); match.Success; match = match.NextMatch())
                {
                    var secret = match.Groups[group];
                    if (!secret.Success || secret.Length == 0)
                    {
                        continue;
                    }

                    candidates ??= [];
                    candidates.Add(new Candidate(r, match.Index, match.Index + match.Length, secret.Index, secret.Index + secret.Length));
                    if (candidates.Count > options.MaxFindingsPerFile * 4)
                    {
                        break;
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                report(new ScanProblem(relativePath, null, $"rule {rule.Id} timed out on this file; the file was only partly scanned"));
            }
        }

        if (candidates is null)
        {
            return [];
        }

        var lines = new LineIndex(content);
        var accepted = new List<Candidate>();
        foreach (var candidate in candidates)
        {
            var rule = compiled.Rules[candidate.RuleIndex];
            var secret = content.AsSpan(candidate.SecretStart, candidate.SecretEnd - candidate.SecretStart);
            var secretText = secret.ToString();
            if (rule.IsAllowed(secretText) || compiled.IsAllowedByOptions(secretText, content.AsSpan(candidate.MatchStart, candidate.MatchEnd - candidate.MatchStart)))
            {
                continue;
            }

            if (accepted.Any(a => a.SecretStart < candidate.SecretEnd && candidate.SecretStart < a.SecretEnd))
            {
                // Rules are ordered specific first: the earlier rule already reported this text.
                continue;
            }

            if (IsAllowedInline(content, lines, candidate.SecretStart, rule.Id, compiled.RuleIds)
                || IsAllowedInline(content, lines, candidate.SecretEnd - 1, rule.Id, compiled.RuleIds))
            {
                continue;
            }

            accepted.Add(candidate);
        }

        if (accepted.Count > options.MaxFindingsPerFile)
        {
            report(new ScanProblem(relativePath, null, $"more than {options.MaxFindingsPerFile} secret findings; only the first {options.MaxFindingsPerFile} are reported"));
            accepted = accepted.OrderBy(c => c.SecretStart).Take(options.MaxFindingsPerFile).ToList();
        }

        var findings = new List<SecurityFinding>(accepted.Count);
        foreach (var candidate in accepted)
        {
            var rule = compiled.Rules[candidate.RuleIndex];
            var secret = content[candidate.SecretStart..candidate.SecretEnd];
            findings.Add(new SecurityFinding
            {
                ScanType = ScanType.Secrets,
                RuleId = rule.Id,
                Title = rule.Title,
                Severity = rule.Severity,
                Description = rule.Description,
                Fix = rule.Fix,
                FilePath = relativePath,
                Line = lines.LineOf(candidate.SecretStart),
                EndLine = lines.LineOf(candidate.SecretEnd - 1),
                RedactedMatch = RedactedContext(content, lines, candidate, candidates),
                Fingerprint = SecretText.Fingerprint(rule.Id, relativePath, secret),
            });
        }

        return findings;
    }

    /// <summary>
    /// Up to 32 characters of the line before the secret, the redacted secret, and up to 16 after;
    /// any other match overlapping that context is masked too, so no secret leaks through a neighbour.
    /// </summary>
    private static string RedactedContext(string content, LineIndex lines, Candidate candidate, List<Candidate> all)
    {
        var prefixStart = Math.Max(lines.LineBounds(candidate.SecretStart).Start, candidate.SecretStart - 32);
        var suffixEnd = Math.Min(lines.LineBounds(candidate.SecretEnd - 1).End, candidate.SecretEnd + 16);
        var secret = content[candidate.SecretStart..candidate.SecretEnd];
        var prefix = MaskEchoes(Masked(content, prefixStart, candidate.SecretStart, all), secret);
        var suffix = MaskEchoes(Masked(content, candidate.SecretEnd, suffixEnd, all), secret);
        return prefix + SecretText.Redact(secret) + suffix;
    }

    /// <summary>Masks any run of 6 or more characters that also occurs in the secret (a second, unmatched copy of it on the line).</summary>
    private static string MaskEchoes(string context, string secret)
    {
        const int MinRun = 6;
        if (context.Length < MinRun || secret.Length < MinRun)
        {
            return context;
        }

        char[]? chars = null;
        for (var i = 0; i <= context.Length - MinRun; i++)
        {
            var longest = 0;
            for (var j = secret.IndexOf(context[i], StringComparison.Ordinal); j >= 0; j = secret.IndexOf(context[i], j + 1))
            {
                var run = 0;
                while (i + run < context.Length && j + run < secret.Length && context[i + run] == secret[j + run])
                {
                    run++;
                }

                longest = Math.Max(longest, run);
            }

            if (longest >= MinRun)
            {
                chars ??= context.ToCharArray();
                chars.AsSpan(i, longest).Fill('*');
            }
        }

        return chars is null ? context : new string(chars);
    }

    private static string Masked(string content, int start, int end, List<Candidate> all)
    {
        if (end <= start)
        {
            return string.Empty;
        }

        var chars = content.ToCharArray(start, end - start);
        foreach (var other in all)
        {
            var from = Math.Max(other.SecretStart, start);
            var to = Math.Min(other.SecretEnd, end);
            for (var i = from; i < to; i++)
            {
                chars[i - start] = '*';
            }
        }

        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is '\n' or '\r' or '\t')
            {
                chars[i] = ' ';
            }
        }

        return new string(chars);
    }

    private static bool IsAllowedInline(string content, LineIndex lines, int position, string ruleId, HashSet<string> knownRules)
    {
        var (start, end) = lines.LineBounds(position);
        var line = content.AsSpan(start, end - start);
        var marker = line.IndexOf(AllowMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            return false;
        }

        var rest = line[(marker + AllowMarker.Length)..].ToString();
        var named = new List<string>();
        foreach (var token in rest.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!knownRules.Contains(token))
            {
                break;
            }

            named.Add(token);
        }

        return named.Count == 0 || named.Contains(ruleId);
    }

    /// <summary>Line numbers of positions, computed once per file and only when a file has matches.</summary>
    private sealed class LineIndex
    {
        private readonly List<int> _starts = [0];
        private readonly int _length;

        public LineIndex(string content)
        {
            _length = content.Length;
            var span = content.AsSpan();
            var offset = 0;
            while (true)
            {
                var newline = span[offset..].IndexOf('\n');
                if (newline < 0)
                {
                    break;
                }

                offset += newline + 1;
                _starts.Add(offset);
            }
        }

        public int LineOf(int position)
        {
            var index = _starts.BinarySearch(position);
            return (index >= 0 ? index : ~index - 1) + 1;
        }

        public (int Start, int End) LineBounds(int position)
        {
            var line = LineOf(position);
            var start = _starts[line - 1];
            var end = line < _starts.Count ? _starts[line] - 1 : _length;
            return (start, end);
        }
    }

    /// <summary>The rules of one scan, their secret groups, the keyword prefilter and the option allow regexes.</summary>
    private sealed class CompiledRules
    {
        private readonly KeywordPrefilter _prefilter;
        private readonly Regex[] _allowRegexes;

        public CompiledRules(SecretScanOptions options)
        {
            Rules = [.. (options.Rules ?? SecretRules.All).Where(r => !options.DisabledRules.Contains(r.Id))];
            RuleIds = Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            SecretGroups = new int[Rules.Length];
            for (var r = 0; r < Rules.Length; r++)
            {
                var group = Rules[r].Regex.GroupNumberFromName("secret");
                SecretGroups[r] = group >= 0 ? group : 1;
            }

            _prefilter = new KeywordPrefilter(Rules.Select(r => r.Keywords).ToList(), Rules.Select(r => r.IsGeneric).ToList());
            _allowRegexes = [.. options.AllowRegexes.Select(p => new Regex(p, RegexOptions.CultureInvariant))];
        }

        public SecretRule[] Rules { get; }

        public HashSet<string> RuleIds { get; }

        public int[] SecretGroups { get; }

        public bool[] ActiveRules(string content) => _prefilter.ActiveRules(content);

        public bool IsAllowedByOptions(string secret, ReadOnlySpan<char> match)
        {
            foreach (var allow in _allowRegexes)
            {
                if (allow.IsMatch(secret) || allow.IsMatch(match))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
