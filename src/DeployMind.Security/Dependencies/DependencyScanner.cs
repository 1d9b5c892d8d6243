using System.Diagnostics;
using System.Text.Json;
using System.Xml;
using DeployMind.Domain;
using DeployMind.Security.Dependencies.Lockfiles;
using DeployMind.Security.Dependencies.Osv;
using YamlDotNet.Core;

namespace DeployMind.Security.Dependencies;

/// <summary>Options of one dependency scan.</summary>
public sealed record DependencyScanOptions
{
    /// <summary>Include development/test dependencies (npm dev, Pipfile develop, Maven test scope, ...).</summary>
    public bool IncludeDev { get; init; } = true;

    /// <summary>Include informational advisories (RustSec unmaintained/unsound notices).</summary>
    public bool IncludeInformational { get; init; } = true;

    /// <summary>A database whose last import is older than this is reported as stale.</summary>
    public TimeSpan MaxDatabaseAge { get; init; } = TimeSpan.FromDays(7);
}

/// <summary>
/// Scans a source tree's lockfiles and manifests for dependencies with known vulnerabilities (OSV records).
/// A malformed lockfile is reported with its position and skipped; the rest of the tree is still scanned.
/// </summary>
public sealed class DependencyScanner(IAdvisorySource advisories, TimeProvider? timeProvider = null, LockfileDetector? detector = null)
{
    public const string ScannerName = "deploymind-osv";
    public const string ScannerVersion = "1.0.0";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly LockfileDetector _detector = detector ?? new LockfileDetector();

    public Task<ScanReport> ScanAsync(string root, DependencyScanOptions options, CancellationToken cancellationToken) =>
        Task.Run(() => Scan(root, options, cancellationToken), cancellationToken);

    private ScanReport Scan(string root, DependencyScanOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var problems = new List<ScanProblem>();
        CheckDatabase(options, problems);
        if (!Directory.Exists(root) && !File.Exists(root))
        {
            problems.Add(new ScanProblem(root, null, "the path to scan does not exist"));
        }

        var parsed = new List<(DetectedLockfile Lockfile, LockfileParseResult Result)>();
        foreach (var lockfile in _detector.Detect(root, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Read(lockfile, problems) is { } result)
            {
                problems.AddRange(result.Problems);
                parsed.Add((lockfile, result));
            }
        }

        // One query for every package instead of one per package.
        (advisories as VulnerabilityDatabase)?.Preload(parsed.SelectMany(p => p.Result.Dependencies).Select(d => (d.Ecosystem, d.Name)));
        var matcher = new OsvMatcher(advisories);
        var findings = new List<SecurityFinding>();
        foreach (var (lockfile, result) in parsed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seen = new HashSet<(string, string, string, string)>();
            foreach (var dependency in result.Dependencies)
            {
                if ((dependency.IsDev && !options.IncludeDev)
                    || !seen.Add((dependency.FilePath, dependency.Ecosystem, Ecosystems.NormalizeName(dependency.Ecosystem, dependency.Name), dependency.Version)))
                {
                    continue;
                }

                foreach (var match in matcher.Match(dependency))
                {
                    if (match.Informational is null || options.IncludeInformational)
                    {
                        findings.Add(ToFinding(dependency, match, lockfile.Parser.Format));
                    }
                }
            }
        }

        return new ScanReport
        {
            ScanType = ScanType.Dependencies,
            ScannerName = ScannerName,
            ScannerVersion = ScannerVersion,
            Findings = findings,
            Problems = problems,
            Duration = Stopwatch.GetElapsedTime(started),
        };
    }

    /// <summary>Parses one lockfile; a malformed one becomes a problem with its file and position.</summary>
    public static LockfileParseResult? Read(DetectedLockfile lockfile, List<ScanProblem> problems)
    {
        try
        {
            return lockfile.Parser.Parse(lockfile.FullPath, lockfile.RelativePath);
        }
        catch (LockfileFormatException e)
        {
            problems.Add(new ScanProblem(lockfile.RelativePath, e.Line, $"malformed {lockfile.Parser.Format}, skipped: {e.Message}"));
        }
        catch (JsonException e)
        {
            problems.Add(new ScanProblem(lockfile.RelativePath, (int?)e.LineNumber + 1,
                $"malformed {lockfile.Parser.Format}, skipped: invalid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}"));
        }
        catch (YamlException e)
        {
            problems.Add(new ScanProblem(lockfile.RelativePath, (int)e.Start.Line,
                $"malformed {lockfile.Parser.Format}, skipped: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}"));
        }
        catch (XmlException e)
        {
            problems.Add(new ScanProblem(lockfile.RelativePath, e.LineNumber,
                $"malformed {lockfile.Parser.Format}, skipped: invalid XML at line {e.LineNumber}, position {e.LinePosition}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ScanProblem(lockfile.RelativePath, null, $"could not read {lockfile.Parser.Format}: {e.Message}"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A lockfile shaped in a way no parser rule expected must not abort the scan of the others.
            problems.Add(new ScanProblem(lockfile.RelativePath, null, $"malformed {lockfile.Parser.Format}, skipped: {e.GetType().Name}: {e.Message}"));
        }

        return null;
    }

    private void CheckDatabase(DependencyScanOptions options, List<ScanProblem> problems)
    {
        if (advisories is not VulnerabilityDatabase database)
        {
            return;
        }

        var (isEmpty, lastImportedAt) = database.Freshness();
        if (isEmpty)
        {
            problems.Add(new ScanProblem(database.Path, null,
                "the vulnerability database is missing or empty: no dependency can be checked; run 'deploymind vulndb import <ECOSYSTEM>/all.zip'"));
        }
        else if (lastImportedAt is { } last && _time.GetUtcNow() - last > options.MaxDatabaseAge)
        {
            problems.Add(new ScanProblem(database.Path, null,
                $"the vulnerability database is stale: last import {last:yyyy-MM-dd HH:mm} UTC, older than {options.MaxDatabaseAge.TotalDays:0.#} days; import fresh OSV dumps"));
        }
    }

    private static SecurityFinding ToFinding(Dependency dependency, VulnerabilityMatch match, string format)
    {
        var description = match.Records.Select(r => r.Details).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));
        if (match.Informational is not null)
        {
            description = $"Informational advisory ({match.Informational}). {description}".TrimEnd();
        }

        return new SecurityFinding
        {
            ScanType = ScanType.Dependencies,
            RuleId = match.Id,
            Title = match.Title,
            Severity = match.Severity,
            Description = description,
            Fix = FixCommands.For(dependency, match.FixedVersion, format),
            FilePath = dependency.FilePath,
            Line = dependency.Line,
            Package = dependency.Name,
            InstalledVersion = dependency.Version,
            FixedVersion = match.FixedVersion,
            Ecosystem = dependency.Ecosystem,
            Aliases = match.Aliases,
            DependencyPath = dependency.DependencyPath,
            Fingerprint = $"{match.Id}:{dependency.FilePath}:{dependency.Ecosystem}:{dependency.Name}@{dependency.Version}",
        };
    }
}

/// <summary>The concrete upgrade command for a vulnerable dependency, in the tool its lockfile belongs to.</summary>
public static class FixCommands
{
    public static string For(Dependency dependency, string? fixedVersion, string format)
    {
        var name = dependency.Name;
        if (fixedVersion is null)
        {
            return $"No fixed version of {name} is published; remove or replace it, or accept the risk explicitly.";
        }

        return dependency.Ecosystem switch
        {
            Ecosystems.Npm => format switch
            {
                "yarn.lock" => $"yarn add {name}@{fixedVersion}",
                "pnpm-lock.yaml" => $"pnpm add {name}@{fixedVersion}",
                _ => $"npm install {name}@{fixedVersion}",
            },
            Ecosystems.PyPI => format switch
            {
                "poetry.lock" => $"poetry add '{name}>={fixedVersion}'",
                "uv.lock" => $"uv add '{name}>={fixedVersion}'",
                "Pipfile.lock" => $"pipenv install '{name}>={fixedVersion}'",
                _ => $"pip install '{name}>={fixedVersion}'",
            },
            Ecosystems.Go => $"go get {name}@v{fixedVersion.TrimStart('v')}",
            Ecosystems.CratesIo => $"cargo update -p {name} --precise {fixedVersion}",
            Ecosystems.RubyGems => $"bundle update {name} (to {fixedVersion} or later)",
            Ecosystems.Packagist => $"composer require {name}:^{fixedVersion}",
            Ecosystems.NuGet => $"dotnet add package {name} --version {fixedVersion}",
            Ecosystems.Maven => $"set <version>{fixedVersion}</version> for {name} in pom.xml",
            _ => $"upgrade {name} to {fixedVersion}",
        };
    }
}
