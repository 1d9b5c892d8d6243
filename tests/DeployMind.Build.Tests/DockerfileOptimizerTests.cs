using DeployMind.Build.Detection;
using DeployMind.Build.Generation;
using DeployMind.Build.Optimization;
using DeployMind.Security.Dockerfiles;

namespace DeployMind.Build.Tests;

public sealed class DockerfileOptimizerTests
{
    private readonly DockerfileOptimizer _optimizer = new();

    [Fact]
    public void Optimize_UnoptimizedNodeSample_RewritesMultiStageKeepingPortEnvAndRunningNodeDirectly()
    {
        var context = Samples.PathOf("node-hello");
        var report = new ProjectDetector().Detect(context);

        var optimized = _optimizer.Optimize(File.ReadAllText(Path.Combine(context, "Dockerfile")), report, BaseImageMap.Official, context);

        Assert.Empty(DockerfileScan.Violations(optimized.Dockerfile));
        Assert.Equal(2, DockerfileParser.Parse(optimized.Dockerfile).Stages.Count);
        Assert.Contains("EXPOSE 3000", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("CMD [\"node\", \"server.js\"]", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER app", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("node_modules", optimized.DockerIgnore, StringComparison.Ordinal);
        Assert.Contains(optimized.Notes, n => n.Contains("PID 1", StringComparison.Ordinal));
        Assert.Contains("FROM node:20-alpine AS build", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Single(optimized.Dockerfile.Split("NODE_ENV=production").Skip(1));
        Assert.Equal(
            ["multi-stage build", "slim base image (node:20-alpine)", "dependency manifests copied before sources", "non-root user", ".dockerignore",
             "package caches not kept", "production dependencies only", "exec-form CMD", "HEALTHCHECK"],
            optimized.OptimizationsApplied);
        Assert.True(optimized.Analysis.Has(SuggestionKind.SingleStageToolchain));
    }

    [Fact]
    public void Optimize_UserExposesAnotherPort_KeepsTheUsersPortEverywhere()
    {
        using var repository = new TestRepository(
            ("package.json", """{ "scripts": { "start": "node app.js" } }"""),
            ("app.js", "require('http').createServer().listen(process.env.PORT || 3000);\n"));
        var report = new ProjectDetector().Detect(repository.Root);

        var optimized = _optimizer.Optimize("FROM node:20\nCOPY . .\nEXPOSE 8081\nCMD [\"node\", \"app.js\"]\n", report);

        Assert.Contains("EXPOSE 8081", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("PORT=8081", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:8081/", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains(optimized.Notes, n => n.Contains("kept EXPOSE 8081", StringComparison.Ordinal));
    }

    [Fact]
    public void Optimize_UserEnvWithSecret_KeepsPlainSettingsAndDropsTheSecret()
    {
        using var repository = new TestRepository(
            ("requirements.txt", "flask\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"));
        var report = new ProjectDetector().Detect(repository.Root);
        const string Original = "FROM python:3.12\nENV LOG_LEVEL=debug API_TOKEN=abc123\nENV FEATURE_X on\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python app.py\n";

        var optimized = _optimizer.Optimize(Original, report);

        Assert.Contains("LOG_LEVEL=debug", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("FEATURE_X=on", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("abc123", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains(optimized.Notes, n => n.Contains("dropped ENV API_TOKEN", StringComparison.Ordinal));
        Assert.Contains("CMD [\"python3\", \"app.py\"]", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Empty(DockerfileScan.Violations(optimized.Dockerfile));
    }

    [Fact]
    public void Optimize_CompiledLanguage_ReplacesTheUsersCommandWithTheBuiltBinary()
    {
        var report = new ProjectDetector().Detect(Samples.PathOf("go-hello"));

        var optimized = _optimizer.Optimize("FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o server ./cmd/server\nCMD [\"./server\"]\n", report);

        Assert.Contains("CMD [\"/app/server\"]", optimized.Dockerfile, StringComparison.Ordinal);
        Assert.Contains(optimized.Notes, n => n.Contains("replaced the original CMD", StringComparison.Ordinal));
        Assert.Contains("FROM gcr.io/distroless/static:nonroot", optimized.Dockerfile, StringComparison.Ordinal);
    }
}
