using System.Globalization;
using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Persistence.Seeding;

/// <summary>
/// Produces a realistic deployment history with the seed's per-deployment volumes
/// (3 scans, 1 build, 5 health checks, 30 logs, 4 agent executions) for demos, tests and benchmarks.
/// The same seed gives the same history.
/// </summary>
public sealed class SampleDataGenerator
{
    public const int ScansPerDeployment = 3;
    public const int BuildsPerDeployment = 1;
    public const int HealthChecksPerDeployment = 5;
    public const int LogsPerDeployment = 30;
    public const int AgentExecutionsPerDeployment = 4;
    public const int RowsPerDeployment = 1 + ScansPerDeployment + BuildsPerDeployment + HealthChecksPerDeployment
        + LogsPerDeployment + AgentExecutionsPerDeployment;

    private static readonly (string Repository, string Language, string Framework)[] s_apps =
    [
        ("acme/storefront", "nodejs", "express"), ("acme/checkout-api", "nodejs", "fastify"),
        ("acme/admin-ui", "nodejs", "next"), ("acme/search", "python", "fastapi"),
        ("acme/recommender", "python", "flask"), ("acme/billing", "python", "django"),
        ("acme/gateway", "go", "gin"), ("acme/inventory", "go", "echo"), ("acme/notifier", "go", "net/http"),
        ("globex/ledger", "java", "spring-boot"), ("globex/portal", "dotnet", "aspnetcore"),
        ("globex/docs", "static", "static"), ("initech/tps-reports", "ruby", "rails"),
        ("initech/metrics", "rust", "axum"), ("initech/wiki", "php", "laravel"),
    ];

    private static readonly string[] s_users = ["alice", "bob", "carol", "dave", "erin", "github-actions", "scheduler"];
    private static readonly string[] s_regions = ["us-east-1", "eu-west-1", "ap-south-1"];
    private static readonly string[] s_agents = ["orchestrator", "security", "build", "deploy"];
    private static readonly string[] s_models = ["llama-3.1-70b-versatile", "rules", "gpt-4o-mini"];

    private readonly Random _random;
    private readonly HashSet<string> _usedIds;

    public SampleDataGenerator(int seed, IEnumerable<string>? existingIds = null)
    {
        _random = new Random(seed);
        _usedIds = new HashSet<string>(existingIds ?? [], StringComparer.Ordinal);
    }

    /// <summary>Generates <paramref name="count"/> deployments created over the <paramref name="days"/> days before <paramref name="end"/>, oldest first.</summary>
    public IEnumerable<Deployment> Generate(int count, DateTime end, int days = 90)
    {
        if (count < 0)
        {
            throw new InvalidInputException("deployments", $"deployment count {count} is negative; use 0 or more");
        }

        if (days < 1)
        {
            throw new InvalidInputException("days", $"day span {days} must be at least 1");
        }

        var start = UtcTimestamp.Normalize(end) - TimeSpan.FromDays(days);
        var step = TimeSpan.FromDays(days).Ticks / Math.Max(count, 1);
        for (var i = 0; i < count; i++)
        {
            var created = start + TimeSpan.FromTicks(step * i + _random.NextInt64(Math.Max(step, 1)));
            yield return Deployment(UtcTimestamp.Normalize(created));
        }
    }

    private Deployment Deployment(DateTime created)
    {
        var (repository, language, framework) = s_apps[_random.Next(s_apps.Length)];
        var sha = Hex(20);
        var status = PickStatus();
        var strategy = (DeploymentStrategy)_random.Next(3);
        var queued = TimeSpan.FromSeconds(_random.Next(1, 20));
        var started = created + queued;
        var durationSeconds = Math.Round(60 + _random.NextDouble() * 420, 3);
        var completed = started + TimeSpan.FromSeconds(durationSeconds);
        var app = repository.Split('/')[1];
        var imageBytes = (long)(40_000_000 + _random.NextDouble() * 400_000_000);
        var trigger = (TriggerType)_random.Next(3);
        var d = new Deployment
        {
            Id = NewId(created),
            Repository = repository,
            CommitSha = sha,
            Branch = _random.Next(10) < 8 ? "main" : "release/" + _random.Next(1, 9).ToString(CultureInfo.InvariantCulture),
            InstanceId = "i-" + Hex(9)[..17],
            Region = s_regions[_random.Next(s_regions.Length)],
            Status = status,
            Environment = (DeploymentEnvironment)_random.Next(3),
            Strategy = strategy,
            ImageTag = $"{app}:{sha[..8]}",
            ImageSizeMb = Math.Round(imageBytes / 1_048_576.0, 1),
            CreatedAt = created,
            StartedAt = started,
            UpdatedAt = completed,
            CompletedAt = completed,
            DurationSeconds = durationSeconds,
            TriggeredBy = trigger == TriggerType.Scheduled ? "scheduler" : s_users[_random.Next(s_users.Length - 1)],
            TriggerType = trigger,
            RollbackReason = status == DeploymentStatus.RolledBack ? "health check failed: /health returned 503 on 3 of 3 attempts" : null,
            Metadata = new JsonObject { ["generated"] = true, ["language"] = language },
        };

        AddScans(d, started, language);
        AddBuild(d, started, language, framework, imageBytes, status);
        AddHealthChecks(d, completed, status);
        AddLogs(d, started, completed, status);
        AddAgentExecutions(d, started);
        return d;
    }

    private DeploymentStatus PickStatus() => _random.Next(100) switch
    {
        < 80 => DeploymentStatus.Deployed,
        < 88 => DeploymentStatus.Failed,
        < 93 => DeploymentStatus.RolledBack,
        < 97 => DeploymentStatus.SecurityFailed,
        _ => DeploymentStatus.BuildFailed,
    };

    private void AddScans(Deployment d, DateTime at, string language)
    {
        foreach (var type in new[] { ScanType.Dockerfile, ScanType.Dependencies, ScanType.Secrets })
        {
            var critical = d.Status == DeploymentStatus.SecurityFailed && type == ScanType.Dependencies ? 1 + _random.Next(3) : 0;
            var high = _random.Next(10) < 2 ? _random.Next(1, 4) : 0;
            var medium = _random.Next(4);
            var low = _random.Next(3);
            var passed = critical == 0;
            var vulns = new JsonArray();
            for (var i = 0; i < Math.Min(critical + high + medium + low, 5); i++)
            {
                vulns.Add(new JsonObject
                {
                    ["package"] = language == "python" ? "urllib3" : "lodash",
                    ["version"] = "1." + _random.Next(30).ToString(CultureInfo.InvariantCulture) + ".0",
                    ["severity"] = i < critical ? "CRITICAL" : i < critical + high ? "HIGH" : "MEDIUM",
                    ["cve"] = $"CVE-2025-{_random.Next(10000, 60000).ToString(CultureInfo.InvariantCulture)}",
                });
            }

            d.SecurityScans.Add(new SecurityScan
            {
                DeploymentId = d.Id,
                ScanType = type,
                ScannerName = type == ScanType.Dependencies ? "deploymind-osv" : "deploymind-" + type.ToWire(),
                ScannerVersion = "0.1.0",
                ScanDurationSeconds = Math.Round(0.5 + _random.NextDouble() * 20, 3),
                Passed = passed,
                TotalVulnerabilities = critical + high + medium + low,
                CriticalCount = critical,
                HighCount = high,
                MediumCount = medium,
                LowCount = low,
                Vulnerabilities = vulns,
                AgentDecision = !passed ? AgentDecision.Reject : high > 0 ? AgentDecision.Warn : AgentDecision.Approve,
                AgentReasoning = !passed ? "Critical vulnerabilities found; policy rejects the deployment."
                    : "Only medium and low severity issues found. No critical vulnerabilities. Safe to deploy.",
                Recommendations = high + critical > 0 ? "Upgrade the affected packages to their fixed versions." : null,
                CreatedAt = at + TimeSpan.FromSeconds(_random.Next(5, 30)),
            });
        }
    }

    private void AddBuild(Deployment d, DateTime at, string language, string framework, long imageBytes, DeploymentStatus status)
    {
        var success = status != DeploymentStatus.BuildFailed;
        var optimized = _random.Next(10) < 4;
        var original = (long)(imageBytes * (1.2 + _random.NextDouble()));
        d.BuildResults.Add(new BuildResult
        {
            DeploymentId = d.Id,
            BuildDurationSeconds = Math.Round(20 + _random.NextDouble() * 200, 3),
            Success = success,
            ExitCode = success ? 0 : 1,
            DockerfilePath = "Dockerfile",
            DockerfileGenerated = _random.Next(2) == 0,
            DetectedLanguage = language,
            DetectedFramework = framework,
            ImageId = success ? "sha256:" + Hex(32) : null,
            ImageTag = d.ImageTag,
            ImageSizeBytes = success ? imageBytes : null,
            LayerCount = success ? _random.Next(4, 16) : null,
            OptimizationsApplied = optimized ? ["multi-stage build", "slim base image"] : [],
            OriginalSizeBytes = optimized ? original : null,
            OptimizedSizeBytes = optimized ? imageBytes : null,
            SizeReductionPercent = optimized ? Math.Round((original - imageBytes) * 100.0 / original, 1) : null,
            BuildLogs = "Step 1/8 : FROM base\n...\nSuccessfully built",
            ErrorMessage = success ? null : "npm ERR! Missing script: \"build\"",
            AiSuggestions = success ? null : "Add a \"build\" script to package.json or remove the build step.",
            CreatedAt = at + TimeSpan.FromSeconds(_random.Next(30, 200)),
        });
    }

    private void AddHealthChecks(Deployment d, DateTime end, DeploymentStatus status)
    {
        var unhealthy = status is DeploymentStatus.RolledBack or DeploymentStatus.Failed;
        for (var attempt = 1; attempt <= HealthChecksPerDeployment; attempt++)
        {
            var healthy = !unhealthy || (attempt == 1 && _random.Next(2) == 0);
            d.HealthChecks.Add(new HealthCheck
            {
                DeploymentId = d.Id,
                CheckTime = end - TimeSpan.FromSeconds((HealthChecksPerDeployment - attempt) * 10),
                CheckType = HealthCheckType.Http,
                CheckUrl = $"http://127.0.0.1:{8080 + _random.Next(20)}/health",
                Healthy = healthy,
                StatusCode = healthy ? 200 : 503,
                ResponseTimeMs = Math.Round(5 + _random.NextDouble() * 200, 1),
                ResponseBody = healthy ? "{\"status\": \"ok\"}" : "{\"status\": \"unavailable\"}",
                InstanceId = d.InstanceId,
                InstanceState = "running",
                InstanceStatus = healthy ? "ok" : "impaired",
                AttemptNumber = attempt,
                MaxAttempts = HealthChecksPerDeployment,
                ErrorMessage = healthy ? null : "HTTP 503 from /health",
            });
        }
    }

    private void AddLogs(Deployment d, DateTime start, DateTime end, DeploymentStatus status)
    {
        var span = (end - start).Ticks / LogsPerDeployment;
        string[] events = ["deployment_started", "scan_started", "scan_completed", "build_started", "build_completed", "deploy_started", "instance_updated", "deployment_completed"];
        for (var i = 0; i < LogsPerDeployment; i++)
        {
            var last = i == LogsPerDeployment - 1;
            var eventType = last
                ? status == DeploymentStatus.Deployed ? "deployment_completed" : "deployment_failed"
                : events[Math.Min(i * events.Length / LogsPerDeployment, events.Length - 2)];
            var agent = eventType.StartsWith("scan", StringComparison.Ordinal) ? "security"
                : eventType.StartsWith("build", StringComparison.Ordinal) ? "build"
                : eventType is "deploy_started" or "instance_updated" ? "deploy" : "orchestrator";
            d.Logs.Add(new DeploymentLog
            {
                DeploymentId = d.Id,
                Timestamp = start + TimeSpan.FromTicks(span * i),
                Level = last && status != DeploymentStatus.Deployed ? Domain.LogLevel.Error : Domain.LogLevel.Info,
                Agent = agent,
                Message = last ? $"Deployment finished: {status.ToWire()}" : $"{eventType.Replace('_', ' ')} for {d.Repository}",
                EventType = eventType,
                EventData = new JsonObject { ["step"] = i },
            });
        }
    }

    private void AddAgentExecutions(Deployment d, DateTime start)
    {
        var at = start;
        foreach (var agent in s_agents)
        {
            var seconds = Math.Round(1 + _random.NextDouble() * 60, 3);
            var model = s_models[_random.Next(s_models.Length)];
            var rules = model == "rules";
            var input = rules ? 0 : _random.Next(200, 2000);
            var output = rules ? 0 : _random.Next(50, 500);
            var cost = model == "gpt-4o-mini" ? Math.Round((input * 0.15m + output * 0.60m) / 1_000_000m, 8) : 0m;
            d.AgentExecutions.Add(new AgentExecution
            {
                DeploymentId = d.Id,
                AgentName = agent,
                AgentVersion = "0.1.0",
                StartedAt = at,
                CompletedAt = at + TimeSpan.FromSeconds(seconds),
                DurationSeconds = seconds,
                Success = true,
                LlmModel = model,
                LlmTokensInput = input,
                LlmTokensOutput = output,
                LlmCostUsd = cost,
                Output = new JsonObject { ["decision"] = "approve", ["recommendation"] = "safe to deploy" },
            });
            at += TimeSpan.FromSeconds(seconds);
        }
    }

    private string NewId(DateTime created)
    {
        while (true)
        {
            var id = $"deploy-{created.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Hex(3)}";
            if (_usedIds.Add(id))
            {
                return id;
            }
        }
    }

    private string Hex(int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        _random.NextBytes(buffer);
        return Convert.ToHexStringLower(buffer);
    }
}
