using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Persistence.Tests;

/// <summary>The example rows of the seed's data-architecture document, verbatim where it gives values.</summary>
internal static class SeedExamples
{
    public static DateTime At(string text) =>
        DateTime.SpecifyKind(DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    public static Deployment Deployment() => new()
    {
        Id = "deploy-20260204-abc123",
        Repository = "PrathamModi001/my-app",
        CommitSha = "a1b2c3d4",
        Branch = "main",
        InstanceId = "i-0123456789",
        Region = "ap-south-1",
        Strategy = DeploymentStrategy.Rolling,
        Status = DeploymentStatus.Deployed,
        Environment = DeploymentEnvironment.Production,
        ImageTag = "my-app:a1b2c3d4",
        ImageSizeMb = 156.3,
        CreatedAt = At("2026-02-04 10:00:00"),
        UpdatedAt = At("2026-02-04 10:05:30"),
        // Sub-second precision down to the microsecond must survive both providers.
        StartedAt = At("2026-02-04 10:00:05.123456"),
        CompletedAt = At("2026-02-04 10:05:30"),
        DurationSeconds = 330,
        TriggeredBy = "PrathamModi001",
        TriggerType = TriggerType.Manual,
        Metadata = new JsonObject { ["source"] = "seed", ["labels"] = new JsonArray("web", "canary-ok"), ["attempt"] = 1 },
    };

    public static SecurityScan Scan(string deploymentId) => new()
    {
        DeploymentId = deploymentId,
        ScanType = ScanType.Dockerfile,
        ScannerName = "trivy",
        ScannerVersion = "0.50.1",
        ScanDurationSeconds = 4.25,
        Passed = true,
        TotalVulnerabilities = 3,
        CriticalCount = 0,
        HighCount = 0,
        MediumCount = 2,
        LowCount = 1,
        Vulnerabilities = new JsonArray(new JsonObject
        {
            ["package"] = "nginx",
            ["version"] = "1.21.0",
            ["severity"] = "MEDIUM",
            ["cve"] = "CVE-2023-12345",
        }),
        AgentDecision = AgentDecision.Approve,
        AgentReasoning = "Only medium and low severity issues found. No critical vulnerabilities. Safe to deploy.",
        Recommendations = "Upgrade nginx to 1.25.3",
        RawOutput = "{\"Results\": []}",
        CreatedAt = At("2026-02-04 10:00:30"),
    };

    public static BuildResult Build(string deploymentId) => new()
    {
        DeploymentId = deploymentId,
        Success = true,
        BuildDurationSeconds = 120,
        ExitCode = 0,
        DockerfilePath = "Dockerfile",
        DockerfileGenerated = false,
        DetectedLanguage = "nodejs",
        DetectedFramework = "express",
        ImageId = "sha256:4f2a",
        ImageTag = "my-app:a1b2c3d4",
        ImageSizeBytes = 163840000,
        LayerCount = 8,
        OptimizationsApplied = ["multi-stage build", "alpine base"],
        OriginalSizeBytes = 245760000,
        OptimizedSizeBytes = 163840000,
        SizeReductionPercent = 33.3,
        BuildLogs = "Step 1/8 : FROM node:20-alpine",
        AiSuggestions = "Use npm ci --omit=dev in the runtime stage.",
        CreatedAt = At("2026-02-04 10:02:00"),
    };

    public static HealthCheck Check(string deploymentId) => new()
    {
        DeploymentId = deploymentId,
        CheckTime = At("2026-02-04 10:05:00"),
        CheckType = HealthCheckType.Http,
        CheckUrl = "http://13.127.45.123:8080/health",
        Healthy = true,
        StatusCode = 200,
        ResponseTimeMs = 45,
        ResponseBody = "{\"status\": \"ok\"}",
        InstanceId = "i-0123456789",
        InstanceState = "running",
        InstanceStatus = "ok",
        AttemptNumber = 1,
        MaxAttempts = 5,
    };

    public static DeploymentLog[] Logs(string deploymentId) =>
    [
        new() { DeploymentId = deploymentId, Timestamp = At("2026-02-04 10:00:00"), Level = Domain.LogLevel.Info, Agent = "orchestrator", Message = "Deployment started for PrathamModi001/my-app", EventType = "deployment_started" },
        new() { DeploymentId = deploymentId, Timestamp = At("2026-02-04 10:00:30"), Level = Domain.LogLevel.Info, Agent = "security", Message = "Security scan passed: 0 critical vulnerabilities", EventType = "scan_completed", EventData = new JsonObject { ["critical"] = 0 } },
        new() { DeploymentId = deploymentId, Timestamp = At("2026-02-04 10:02:00"), Level = Domain.LogLevel.Info, Agent = "build", Message = "Docker image built successfully: my-app:a1b2c3d4", EventType = "build_completed" },
        new() { DeploymentId = deploymentId, Timestamp = At("2026-02-04 10:05:30"), Level = Domain.LogLevel.Info, Agent = "deploy", Message = "Deployment completed successfully", EventType = "deployment_completed" },
    ];

    public static AgentExecution Execution(string deploymentId) => new()
    {
        DeploymentId = deploymentId,
        AgentName = "security",
        AgentVersion = "1.0.0",
        StartedAt = At("2026-02-04 10:00:15"),
        CompletedAt = At("2026-02-04 10:00:45"),
        DurationSeconds = 30,
        Success = true,
        LlmModel = "llama-3.1-70b-versatile",
        LlmTokensInput = 450,
        LlmTokensOutput = 120,
        LlmCostUsd = 0.00m,
        Output = new JsonObject { ["decision"] = "approve", ["vulnerabilities_found"] = 3, ["recommendation"] = "safe to deploy" },
    };
}
