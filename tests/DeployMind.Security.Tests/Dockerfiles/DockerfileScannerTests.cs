using DeployMind.Domain;
using DeployMind.Security.Dockerfiles;
using DeployMind.Security.Tests.Secrets;

namespace DeployMind.Security.Tests.Dockerfiles;

public sealed class DockerfileScannerTests
{
    private const string Good = """
        FROM node:22.11-bookworm-slim AS build
        WORKDIR /src
        COPY package.json package-lock.json ./
        RUN npm ci
        COPY . .
        RUN npm run build

        FROM node:22.11-bookworm-slim
        WORKDIR /app
        COPY --from=build /src/dist /app/dist
        USER node
        HEALTHCHECK CMD ["node", "/app/dist/health.js"]
        CMD ["node", "/app/dist/server.js"]
        """;

    [Fact]
    public void ScanText_WellWrittenMultiStageDockerfile_HasNoFindings()
    {
        var result = new DockerfileScanner().ScanText(Good);

        Assert.Empty(result.Problems);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void ScanText_TypicalBadDockerfile_ReportsEachRuleWithLineWhyAndFix()
    {
        var result = new DockerfileScanner().ScanText("""
            FROM ubuntu
            MAINTAINER me@example.com
            RUN apt-get update
            RUN apt-get install curl
            ENV API_KEY=abc123
            EXPOSE 22
            CMD python app.py
            """, "services/api/Dockerfile");

        var ids = result.Findings.Select(f => f.RuleId).ToHashSet();
        Assert.Superset(new HashSet<string> { "DS-0001", "DS-0002", "DS-0004", "DS-0017", "DS-0021", "DS-0022", "DS-0026", "DS-0029", "DS-0031", "DL3006", "DL3008", "DL3009", "DL3025", "DL3059" }, ids);
        var maintainer = Assert.Single(result.Findings, f => f.RuleId == "DS-0022");
        Assert.Equal(2, maintainer.Line);
        Assert.Equal("services/api/Dockerfile", maintainer.FilePath);
        Assert.Equal("HIGH", maintainer.ToJson()["severity"]!.GetValue<string>());
        Assert.NotNull(maintainer.Fix);
    }

    [Fact]
    public void ScanText_DisabledRule_IsNotEvaluated()
    {
        var scanner = new DockerfileScanner(new DockerfileScanOptions { DisabledRules = ["DS-0026", "ds-0002"] });

        var result = scanner.ScanText("FROM alpine:3.20\n");

        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData("Dockerfile", true)]
    [InlineData("dockerfile", true)]
    [InlineData("Containerfile", true)]
    [InlineData("api.Dockerfile", true)]
    [InlineData("Dockerfile.prod", true)]
    [InlineData("Dockerfile.dockerignore", false)]
    [InlineData(".dockerignore", false)]
    [InlineData("docker-compose.yml", false)]
    public void IsDockerfileName_Names_AreRecognised(string name, bool expected)
    {
        Assert.Equal(expected, DockerfileScanner.IsDockerfileName(name));
    }

    [Fact]
    public async Task ScanAsync_Directory_FindsDockerfilesSkipsVendoredAndReportsMalformedWithoutAborting()
    {
        using var tree = new TempTree();
        tree.Write("Dockerfile", Good);
        tree.Write("services/worker/worker.Dockerfile", "FROM python:3.12-slim\nRUN pip install celery\nUSER nobody\nHEALTHCHECK NONE\n");
        tree.Write("services/broken/Dockerfile", "FROM alpine:3.20\nRUNN echo typo\n");
        tree.Write("node_modules/pkg/Dockerfile", "FROM ubuntu\n");

        var report = await new DockerfileScanner().ScanAsync(tree.Root, CancellationToken.None);

        Assert.Equal(ScanType.Dockerfile, report.ScanType);
        Assert.Equal("deploymind-dockerfile", report.ScannerName);
        Assert.All(report.Findings, f => Assert.Equal("services/worker/worker.Dockerfile", f.FilePath));
        Assert.Contains(report.Findings, f => f.RuleId == "DL3013");
        Assert.Contains(report.Findings, f => f.RuleId == "DL3042");
        var problem = Assert.Single(report.Problems);
        Assert.Equal("services/broken/Dockerfile", problem.FilePath);
        Assert.Equal(2, problem.Line);
    }

    [Fact]
    public async Task ScanAsync_SingleFileRoot_IsScanned()
    {
        using var tree = new TempTree();
        var path = tree.Write("Containerfile", "FROM ubuntu:latest\nUSER app\nHEALTHCHECK NONE\n");

        var report = await new DockerfileScanner().ScanAsync(path, CancellationToken.None);

        Assert.Equal(["DS-0001", "DL3007"], report.Findings.Select(f => f.RuleId).Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task ScanAsync_HugeOrBinaryDockerfile_IsReportedAndSkipped()
    {
        using var tree = new TempTree();
        tree.Write("Dockerfile", "FROM alpine:3.20\n" + new string('#', 4096));
        tree.WriteBytes("bin/Dockerfile", [0x46, 0x52, 0x00, 0x4f]);

        var report = await new DockerfileScanner(new DockerfileScanOptions { MaxFileSizeBytes = 1024 }).ScanAsync(tree.Root, CancellationToken.None);

        Assert.Empty(report.Findings);
        Assert.Equal(["Dockerfile", "bin/Dockerfile"], report.Problems.Select(p => p.FilePath).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ScanText_PathologicalDockerfileWithThousandsOfStages_FinishesQuickly()
    {
        var text = string.Concat(Enumerable.Range(0, 30000).Select(i => $"FROM s{i / 2} AS s{i}\nRUN echo {i} | tee /x\n"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var result = new DockerfileScanner().ScanText("FROM alpine:3.20 AS s0\n" + text);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
        Assert.Contains(result.Findings, f => f.RuleId == "DS-0012");
    }

    [Fact]
    public void ScanText_GarbageFile_ReportsABoundedNumberOfProblems()
    {
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"garbage line {i}\n"));

        var result = new DockerfileScanner().ScanText(text, "Dockerfile.bad");

        Assert.Empty(result.Findings);
        Assert.Equal(21, result.Problems.Count);
        Assert.All(result.Problems, p => Assert.Equal("Dockerfile.bad", p.FilePath));
    }

    [Fact]
    public async Task ScanAsync_SymlinkLoop_Terminates()
    {
        using var tree = new TempTree();
        tree.Write("app/Dockerfile", Good);
        Directory.CreateSymbolicLink(Path.Combine(tree.Root, "app", "loop"), tree.Root);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var report = await new DockerfileScanner().ScanAsync(tree.Root, timeout.Token);

        Assert.Empty(report.Findings);
        Assert.Empty(report.Problems);
    }
}
