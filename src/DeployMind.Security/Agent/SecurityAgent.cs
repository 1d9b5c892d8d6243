using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Llm;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;
using DeployMind.Pipeline.Processes;
using DeployMind.Pipeline.Source;
using DeployMind.Security.Policy;
using Microsoft.Extensions.DependencyInjection;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Security.Agent;

/// <summary>
/// The security stage: scans the checked-out source (Dockerfiles, dependencies, secrets), lets policy decide,
/// has the advisor explain (it may tighten the decision, never loosen it), and records one security_scans row
/// per scan type. A reject stops the deployment before anything is built.
/// </summary>
public sealed class SecurityAgent(SecurityScanOptions options, IDeploymentAdvisor advisor, IProcessRunner processes, TimeProvider clock) : IDeploymentAgent
{
    private const int TopFindings = 15;

    public string Name => "security";

    public string Version => "1.0.0";

    public PipelineStage Stage => PipelineStage.Security;

    public async Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        var source = context.Artifacts.Get(PipelineArtifacts.Source);
        var policy = SecurityPolicyConfig.FromSnapshot(context.Configuration) with { Repository = context.Deployment.Repository };
        await context.LogAsync(Name, DeploymentEvents.ScanStarted,
            $"Scanning {source.ShortSha} for Dockerfile misconfigurations, vulnerable dependencies and secrets ({policy.Preset.ToWire()} policy)",
            cancellationToken: cancellationToken);

        var scanOptions = options;
        if (SecurityPolicyConfig.MaxDatabaseAge(context.Configuration) is { } age)
        {
            scanOptions = new SecurityScanOptions
            {
                VulnerabilityDatabasePath = options.VulnerabilityDatabasePath,
                MaxDatabaseAge = age,
                Secrets = options.Secrets,
                Dockerfiles = options.Dockerfiles,
                IncludeDevDependencies = options.IncludeDevDependencies,
            };
        }

        var reports = (await new SecurityScanRunner(scanOptions, clock).ScanAsync(source.Directory, SecurityScanRunner.AllTypes, cancellationToken)).ToList();
        if (context.Configuration?["security"]?["trivy"]?.GetValue<bool>() == true)
        {
            // Trivy's findings join ours: each scan type is judged over both scanners' findings together.
            var trivy = await TrivyProcess.Runner(processes, clock).ScanFilesystemAsync(source.Directory, cancellationToken);
            reports = reports.Select(r => trivy.FirstOrDefault(t => t.ScanType == r.ScanType) is { } extra
                ? r with { Findings = [.. r.Findings, .. extra.Findings], Problems = [.. r.Problems, .. extra.Problems], ScannerName = $"{r.ScannerName}+trivy" }
                : r).ToList();
        }

        foreach (var problem in reports.SelectMany(r => r.Problems))
        {
            await context.LogAsync(Name, DeploymentEvents.ScanCompleted, $"{problem.FilePath}{(problem.Line is { } l ? $":{l}" : "")}: {problem.Message}",
                level: LogLevel.Warning, cancellationToken: cancellationToken);
        }

        var verdict = policy.Evaluate(reports, clock);
        var advice = await advisor.AdviseSecurityAsync(AdviceRequest(context.Deployment.Repository, reports, verdict), cancellationToken);
        var decision = advice.Value.Decision;
        var now = UtcTimestamp.Now(clock);
        foreach (var report in reports)
        {
            var row = SecurityScanRecord.Build(context.DeploymentId, report, verdict.PerScanType[report.ScanType], now);
            // Policy's own sentences stay first; the advisor's explanation follows. The whole-deployment decision is recorded on
            // the row that carries it, so a stricter advisor is visible where it happened.
            row.AgentReasoning = string.Join('\n', new[] { row.AgentReasoning, advice.Value.Reasoning }.Where(t => !string.IsNullOrWhiteSpace(t)));
            if (report.Problems.Count > 0)
            {
                // What the scanner could not check belongs with its verdict (a missing or stale vulnerability database, unreadable files).
                row.AgentReasoning += "\nNot fully checked: " + string.Join("; ", report.Problems.Take(5).Select(p => p.Message))
                    + (report.Problems.Count > 5 ? $" (and {report.Problems.Count - 5} more)" : "");
            }

            row.Recommendations = string.Join('\n', new[] { row.Recommendations }.Concat(advice.Value.Recommendations).Where(t => !string.IsNullOrWhiteSpace(t)).Distinct());
            var counts = $"{row.CriticalCount} critical, {row.HighCount} high, {row.MediumCount} medium, {row.LowCount} low";
            await context.Journal.RecordAsync(row, new LogEntry(row.Passed ? LogLevel.Info : LogLevel.Warning, Name, DeploymentEvents.ScanCompleted,
                $"{report.ScanType.ToWire()} scan {(row.Passed ? "passed" : "did not pass")}: {counts} ({row.AgentDecision?.ToWire()})",
                new JsonObject { ["scan_type"] = report.ScanType.ToWire(), ["passed"] = row.Passed, ["total"] = row.TotalVulnerabilities }), cancellationToken);
        }

        var output = new JsonObject
        {
            ["decision"] = decision.ToWire(),
            ["policy"] = policy.Preset.ToWire(),
            ["policy_decision"] = verdict.Decision.ToWire(),
            ["vulnerabilities_found"] = verdict.CountedFindings.Count,
            ["waived"] = verdict.WaivedFindings.Count,
            ["reasons"] = new JsonArray(verdict.Reasons.Select(r => (JsonNode)r).ToArray()),
            ["recommendation"] = decision == AgentDecision.Reject ? "do not deploy" : decision == AgentDecision.Warn ? "deploy with caution" : "safe to deploy",
        };
        if (advice.FallbackReason is not null)
        {
            output["advisor_fallback"] = advice.FallbackReason;
        }

        if (decision == AgentDecision.Reject)
        {
            var reason = verdict.Decision == AgentDecision.Reject
                ? $"security policy ({policy.Preset.ToWire()}) rejected the deployment: {string.Join("; ", verdict.Reasons)}"
                : $"the advisor rejected the deployment, stricter than policy: {advice.Value.Reasoning}";
            await context.LogAsync(Name, DeploymentEvents.SecurityRejected, reason, level: LogLevel.Error, cancellationToken: cancellationToken);
            return AgentResult.Rejection(reason, output, advice.Usage);
        }

        return AgentResult.Success(output, advice.Usage);
    }

    private static SecurityAdviceRequest AdviceRequest(string repository, IReadOnlyList<ScanReport> reports, PolicyVerdict verdict) => new()
    {
        Repository = repository,
        PolicyDecision = verdict.Decision,
        PolicyReason = verdict.Reasons.Count == 0 ? null : string.Join("; ", verdict.Reasons),
        Scans = reports.Select(r => new ScanSeverityCounts(r.ScanType, r.Count(Severity.Critical), r.Count(Severity.High),
            r.Count(Severity.Medium) + r.Count(Severity.Unknown), r.Count(Severity.Low))).ToList(),
        TopFindings = verdict.CountedFindings.OrderByDescending(f => f.Severity).Take(TopFindings).Select(f => new FindingSummary
        {
            Id = f.RuleId,
            Title = f.Title,
            Severity = f.Severity,
            ScanType = f.ScanType,
            Package = f.Package,
            Version = f.InstalledVersion,
            FixedVersion = f.FixedVersion,
            File = f.FilePath,
            Line = f.Line,
        }).ToList(),
    };
}

public static class SecurityServiceCollectionExtensions
{
    /// <summary>Registers the security stage; the advisor (AddDeployMindLlm) and the pipeline must be registered too.</summary>
    public static IServiceCollection AddDeployMindSecurityStage(this IServiceCollection services, Action<SecurityScanOptions>? configure = null)
    {
        var options = new SecurityScanOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.AddSingleton<IDeploymentAgent, SecurityAgent>();
        return services;
    }
}
