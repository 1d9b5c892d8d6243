using System.Globalization;
using DeployMind.Domain;

namespace DeployMind.Llm;

/// <summary>
/// The deterministic advisor: answers every task from fixed rules over the request alone, with no I/O, so the same
/// input always gives the same advice. It answers whenever the model cannot, and its usage is model <c>rules</c>.
/// </summary>
public sealed class RuleBasedAdvisor : IDeploymentAdvisor
{
    private const int MaxRecommendations = 10;
    private const int MaxEvidence = 8;

    public Task<Advice<SecurityAdvice>> AdviseSecurityAsync(SecurityAdviceRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new Advice<SecurityAdvice>(AdviseSecurity(request), LlmUsage.Rules));

    public Task<Advice<BuildFixAdvice>> SuggestBuildFixAsync(BuildFailureRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new Advice<BuildFixAdvice>(SuggestBuildFix(request), LlmUsage.Rules));

    public Task<Advice<RootCauseSummary>> SummarizeRootCauseAsync(RootCauseRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new Advice<RootCauseSummary>(SummarizeRootCause(request), LlmUsage.Rules));

    public Task<Advice<StrategyRecommendation>> RecommendStrategyAsync(StrategyRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new Advice<StrategyRecommendation>(RecommendStrategy(request), LlmUsage.Rules));

    /// <summary>Keeps the policy's decision and explains it from the counts; one fix per top finding.</summary>
    public SecurityAdvice AdviseSecurity(SecurityAdviceRequest request)
    {
        var critical = request.Scans.Sum(s => s.Critical);
        var high = request.Scans.Sum(s => s.High);
        var medium = request.Scans.Sum(s => s.Medium);
        var low = request.Scans.Sum(s => s.Low);
        var perScan = request.Scans.Count == 0
            ? "no scan results were supplied"
            : string.Join(", ", request.Scans.Select(s => $"{s.ScanType.ToWire()}: {s.Total}"));

        var reasoning = $"Policy decided '{request.PolicyDecision.ToWire()}' for {request.Repository}"
            + (string.IsNullOrWhiteSpace(request.PolicyReason) ? "." : $": {request.PolicyReason.Trim()}.")
            + $" The scans found {critical} critical, {high} high, {medium} medium and {low} low findings ({perScan}). "
            + request.PolicyDecision switch
            {
                AgentDecision.Reject => "The deployment is blocked until the findings that exceed the policy are fixed.",
                AgentDecision.Warn => "The deployment may proceed, but the findings below should be fixed soon.",
                _ => "No finding reaches the policy's threshold.",
            };

        var recommendations = request.TopFindings
            .OrderByDescending(f => f.Severity)
            .Select(Recommend)
            .Distinct(StringComparer.Ordinal)
            .Take(MaxRecommendations)
            .ToList();
        return new SecurityAdvice(request.PolicyDecision, reasoning, recommendations);
    }

    public BuildFixAdvice SuggestBuildFix(BuildFailureRequest request)
    {
        var recognised = BuildFailurePatterns.Recognise(request);
        if (recognised.Count == 0)
        {
            var exit = request.ExitCode is { } code ? $" with exit code {code}" : string.Empty;
            var lastError = LastErrorLine(request.BuildOutput);
            List<string> suggestions = lastError is null
                ? []
                : [$"Start from the last error line of the output: {lastError}"];
            suggestions.Add("Reproduce the build locally with `docker build .` from the repository root and fix the first failing step.");
            return new BuildFixAdvice($"The build failed{exit}; no known failure pattern was recognised.", suggestions);
        }

        var summary = string.Join(" ", recognised.Select(r => r.Summary));
        var all = recognised.SelectMany(r => r.Suggestions).Distinct(StringComparer.Ordinal).ToList();
        return new BuildFixAdvice(summary, all);
    }

    /// <summary>
    /// Blames the stage of the first ERROR or CRITICAL entry (or, without one, the stage the final status names),
    /// and reads the failed health checks as refused connections, timeouts or HTTP errors.
    /// </summary>
    public RootCauseSummary SummarizeRootCause(RootCauseRequest request)
    {
        var errors = request.Logs.Where(l => l.Level >= LogLevel.Error).ToList();
        var firstError = errors.FirstOrDefault();
        var stage = firstError is null ? DeploymentStage.Unknown : StageOf(firstError);
        if (stage == DeploymentStage.Unknown)
        {
            stage = request.FinalStatus switch
            {
                DeploymentStatus.SecurityFailed => DeploymentStage.Security,
                DeploymentStatus.BuildFailed => DeploymentStage.Build,
                _ when request.FailedHealthChecks.Count > 0 => DeploymentStage.Verify,
                DeploymentStatus.RolledBack => DeploymentStage.Verify,
                _ => DeploymentStage.Unknown,
            };
        }

        var health = HealthPicture.Of(request.FailedHealthChecks);
        var summary = $"Deployment {request.DeploymentId} ended '{request.FinalStatus.ToWire()}'; the failure is in the {stage.ToWire()} stage";
        summary += firstError is null ? "." : $": {Shorten(firstError.Message, 300)}";
        if (health.Description is { } healthText)
        {
            summary += $" {healthText}";
        }

        if (!string.IsNullOrWhiteSpace(request.RollbackReason))
        {
            summary += $" Rolled back because: {Shorten(request.RollbackReason.Trim(), 300)}";
        }

        var evidence = new List<string>();
        evidence.AddRange(errors.Take(4).Select(Describe));
        evidence.AddRange(request.FailedHealthChecks.Take(3).Select(HealthPicture.Describe));
        if (!string.IsNullOrWhiteSpace(request.RollbackReason))
        {
            evidence.Add($"rollback_reason: {Shorten(request.RollbackReason.Trim(), 300)}");
        }

        if (stage == DeploymentStage.Security && request.Scans.Count > 0)
        {
            evidence.AddRange(request.Scans.Where(s => s.Total > 0).Select(s =>
                $"{s.ScanType.ToWire()} scan: {s.Critical} critical, {s.High} high, {s.Medium} medium, {s.Low} low"));
        }

        var nextSteps = new List<string>();
        nextSteps.AddRange(health.NextSteps);
        nextSteps.AddRange(StageNextSteps(stage));
        nextSteps.Add("Compare with the logs of the last successful deployment of this repository.");
        return new RootCauseSummary(summary, stage, evidence.Take(MaxEvidence).ToList(), nextSteps.Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary>One instance → blue-green; production with several instances and recent rollbacks → canary; else rolling.</summary>
    public StrategyRecommendation RecommendStrategy(StrategyRequest request)
    {
        var history = request.History;
        var rollbacks = history.Count(h => h.RolledBack || h.Status is DeploymentStatus.RolledBack);
        var failures = history.Count(h => h.Status is DeploymentStatus.Failed && !h.RolledBack);
        var durations = history.Where(h => h.DurationSeconds is not null).Select(h => h.DurationSeconds!.Value).Order().ToList();
        var figures = history.Count == 0
            ? "There is no earlier deployment on record."
            : string.Create(CultureInfo.InvariantCulture,
                  $"Of the last {history.Count} deployments, {rollbacks} rolled back ({100.0 * rollbacks / history.Count:0}%) and {failures} failed otherwise")
              + (durations.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"; the median took {Median(durations):0} s.") : ".");
        var environment = request.Environment.ToWire();

        if (request.InstanceCount <= 1)
        {
            return new StrategyRecommendation(DeploymentStrategy.BlueGreen,
                $"{request.Repository} runs a single instance in {environment}: a rolling update would take it down while it restarts, "
                + $"while blue-green starts the new version beside the old one and switches only once it is healthy. {figures}");
        }

        if (request.Environment == DeploymentEnvironment.Production && rollbacks > 0)
        {
            return new StrategyRecommendation(DeploymentStrategy.Canary,
                $"{request.Repository} has {request.InstanceCount} production instances and recent rollbacks: {figures} "
                + $"A canary sends the new version to one of the {request.InstanceCount} instances first, so a bad release reaches a fraction of the traffic before it is rolled back.");
        }

        var why = request.Environment == DeploymentEnvironment.Production
            ? "no recent rollback"
            : $"a {environment} environment";
        return new StrategyRecommendation(DeploymentStrategy.Rolling,
            $"{request.Repository} has {request.InstanceCount} instances and {why}: a rolling update replaces them one by one without extra capacity. {figures}");
    }

    internal static DeploymentStage StageOf(LogEntrySummary entry)
    {
        var byAgent = Classify(entry.Agent);
        return byAgent != DeploymentStage.Unknown ? byAgent : Classify(entry.EventType);
    }

    private static DeploymentStage Classify(string? name)
    {
        var text = name?.ToLowerInvariant() ?? string.Empty;
        return text switch
        {
            _ when text.Contains("rollback", StringComparison.Ordinal) || text.Contains("roll_back", StringComparison.Ordinal) => DeploymentStage.Rollback,
            _ when text.Contains("health", StringComparison.Ordinal) || text.Contains("verif", StringComparison.Ordinal) || text.Contains("monitor", StringComparison.Ordinal) => DeploymentStage.Verify,
            _ when text.Contains("secur", StringComparison.Ordinal) || text.Contains("scan", StringComparison.Ordinal) || text.Contains("policy", StringComparison.Ordinal) => DeploymentStage.Security,
            _ when text.Contains("build", StringComparison.Ordinal) || text.Contains("image", StringComparison.Ordinal) || text.Contains("dockerfile", StringComparison.Ordinal) => DeploymentStage.Build,
            _ when text.Contains("checkout", StringComparison.Ordinal) || text.Contains("clone", StringComparison.Ordinal) || text.Contains("source", StringComparison.Ordinal) || text.Contains("git", StringComparison.Ordinal) => DeploymentStage.Source,
            _ when text.Contains("deploy", StringComparison.Ordinal) || text.Contains("strateg", StringComparison.Ordinal) || text.Contains("push", StringComparison.Ordinal) || text.Contains("container", StringComparison.Ordinal) || text.Contains("target", StringComparison.Ordinal) => DeploymentStage.Deploy,
            _ => DeploymentStage.Unknown,
        };
    }

    private static IEnumerable<string> StageNextSteps(DeploymentStage stage) => stage switch
    {
        DeploymentStage.Source => ["Check that the repository URL and commit exist and that the credentials to clone it are valid."],
        DeploymentStage.Security => ["Fix the findings that exceed the security policy (see the security scans' recommendations), then redeploy."],
        DeploymentStage.Build => ["Read the build's suggestions and reproduce the build locally with `docker build .`."],
        DeploymentStage.Deploy => ["Check that the target is reachable (Docker, SSH or SSM) and that the image was pushed and can be pulled there."],
        DeploymentStage.Rollback => ["The rollback itself failed: check that the previous deployment's image is still available and the target reachable; the target may need manual repair."],
        _ => [],
    };

    private static string Recommend(FindingSummary finding)
    {
        var where = finding.File is null ? string.Empty : finding.Line is { } line ? $" ({finding.File}:{line})" : $" ({finding.File})";
        var label = $"{finding.Id}, {finding.Severity.ToWire()}: {finding.Title}";
        if (finding.ScanType == ScanType.Secrets)
        {
            return $"Remove the secret{where} from the repository and its history, rotate it, and supply it at run time from the environment or a secret store ({label}).";
        }

        if (finding.Package is { } package)
        {
            var version = finding.Version is null ? string.Empty : $" {finding.Version}";
            return finding.FixedVersion is { } fixedVersion
                ? $"Upgrade {package}{version} to {fixedVersion} or later ({label})."
                : $"No fixed version of {package}{version} is known: replace it or mitigate the issue ({label}).";
        }

        return $"Fix{where}: {finding.Title} ({finding.Id}, {finding.Severity.ToWire()}).";
    }

    private static string Describe(LogEntrySummary entry) =>
        $"[{entry.Level.ToWire()}] {entry.Agent}{(entry.EventType is null ? string.Empty : "/" + entry.EventType)}: {Shorten(entry.Message, 300)}";

    private static string? LastErrorLine(string output) => output
        .Split('\n')
        .Select(l => l.Trim())
        .LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("ERR!", StringComparison.Ordinal)
            || l.Contains("fatal", StringComparison.OrdinalIgnoreCase) || l.Contains("failed", StringComparison.OrdinalIgnoreCase)) is { Length: > 0 } line
        ? Shorten(line, 300)
        : null;

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "...";

    /// <summary>What the failed health checks say together: refused, timed out, server errors or client errors.</summary>
    private sealed record HealthPicture(string? Description, IReadOnlyList<string> NextSteps)
    {
        public static HealthPicture Of(IReadOnlyList<HealthCheckFailure> failures)
        {
            if (failures.Count == 0)
            {
                return new HealthPicture(null, []);
            }

            var refused = failures.Count(f => Contains(f.Error, "refused"));
            var timedOut = failures.Count(f => Contains(f.Error, "timed out") || Contains(f.Error, "timeout") || Contains(f.Error, "deadline"));
            var serverErrors = failures.Count(f => f.StatusCode >= 500);
            var clientErrors = failures.Count(f => f.StatusCode is >= 400 and < 500);
            var parts = new List<string>();
            var steps = new List<string>();
            if (refused > 0)
            {
                parts.Add($"{refused} refused the connection");
                steps.Add("Nothing was listening: check that the app binds the address and port the health check uses (PORT, EXPOSE) and read its start-up output for a crash.");
            }

            if (timedOut > 0)
            {
                parts.Add($"{timedOut} timed out");
                steps.Add("The app did not answer in time: compare its start-up time with the health check's delay and timeout, and look for a blocking dependency (database, external call).");
            }

            if (serverErrors > 0)
            {
                parts.Add($"{serverErrors} returned a 5xx status");
                steps.Add("The app started but failed requests: read its error log around the check times and compare its configuration and environment with the previous version.");
            }

            if (clientErrors > 0)
            {
                var codes = string.Join(", ", failures.Where(f => f.StatusCode is >= 400 and < 500).Select(f => f.StatusCode).Distinct());
                parts.Add($"{clientErrors} returned {codes}");
                steps.Add("The health check path answered with a client error: check that its URL matches an endpoint the new version serves.");
            }

            var other = failures.Count - refused - timedOut - serverErrors - clientErrors;
            if (other > 0)
            {
                parts.Add($"{other} failed otherwise");
            }

            return new HealthPicture($"{failures.Count} health checks failed: {string.Join(", ", parts)}.", steps);
        }

        public static string Describe(HealthCheckFailure failure)
        {
            var target = failure.Url ?? failure.CheckType.ToWire();
            var outcome = failure.StatusCode is { } status ? $"HTTP {status}" : failure.Error ?? "failed";
            if (failure.StatusCode is not null && failure.Error is not null)
            {
                outcome += $" ({failure.Error})";
            }

            return $"health check {target}: {Shorten(outcome, 200)}";
        }

        private static bool Contains(string? text, string part) => text?.Contains(part, StringComparison.OrdinalIgnoreCase) == true;
    }
}
