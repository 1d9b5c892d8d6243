using DeployMind.Build.Detection;
using DeployMind.Build.Generation;
using DeployMind.Build.Optimization;

namespace DeployMind.Build.Tests;

public sealed class DockerfileAnalyzerTests
{
    private readonly DockerfileAnalyzer _analyzer = new();

    [Fact]
    public void Analyze_UnoptimizedNodeSample_FindsEveryProblem()
    {
        var context = Samples.PathOf("node-hello");

        var analysis = _analyzer.Analyze(File.ReadAllText(Path.Combine(context, "Dockerfile")), context);

        Assert.Equal(1, analysis.StageCount);
        Assert.Equal(["node:20"], analysis.BaseImages);
        var expected = new (SuggestionKind Kind, int? Line)[]
        {
            (SuggestionKind.SingleStageToolchain, 6),
            (SuggestionKind.FatBaseImage, 3),
            (SuggestionKind.MissingDockerIgnore, null),
            (SuggestionKind.PoorLayerOrder, 5),
            (SuggestionKind.PackageCacheNotCleaned, 6),
            (SuggestionKind.PackageCacheNotCleaned, 7),
            (SuggestionKind.PackageCacheNotCleaned, 8),
            (SuggestionKind.InstallsRecommendedPackages, 8),
            (SuggestionKind.DevDependenciesInImage, 6),
            (SuggestionKind.RunsAsRoot, 3),
            (SuggestionKind.ShellFormCommand, 11),
            (SuggestionKind.NoHealthCheck, null),
            (SuggestionKind.ConsecutiveRuns, 6),
        };
        foreach (var (kind, line) in expected)
        {
            Assert.Contains(analysis.Suggestions, s => s.Kind == kind && s.Line == line);
        }

        Assert.Contains("node:20-alpine", analysis.Suggestions.First(s => s.Kind == SuggestionKind.FatBaseImage).Fix, StringComparison.Ordinal);
        Assert.Equal(SuggestionImpact.High, analysis.Suggestions[0].Impact);
        Assert.All(analysis.Suggestions, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason + s.Fix + s.EstimatedGain)));
    }

    [Theory]
    [InlineData("node-hello")]
    [InlineData("python-hello")]
    [InlineData("go-hello")]
    [InlineData("static-site")]
    public void Analyze_GeneratedDockerfile_HasNothingAboveLowImpact(string sample)
    {
        var report = new ProjectDetector().Detect(Samples.PathOf(sample));
        var generated = new DockerfileGenerator().Generate(report);
        using var context = new TestRepository((".dockerignore", generated.DockerIgnore));

        var analysis = _analyzer.Analyze(generated.Dockerfile, context.Root);

        Assert.DoesNotContain(analysis.Suggestions, s => s.Impact > SuggestionImpact.Low);
    }

    [Fact]
    public void Analyze_UntaggedPythonImage_FlagsUnpinnedAndFatBase()
    {
        var analysis = _analyzer.Analyze("FROM python\nCOPY app.py /app/\nUSER nobody\nCMD [\"python\", \"/app/app.py\"]\n");

        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.UnpinnedBaseImage && s.Line == 1);
        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.FatBaseImage && s.Fix.Contains("-slim", StringComparison.Ordinal));
        Assert.DoesNotContain(analysis.Suggestions, s => s.Kind == SuggestionKind.RunsAsRoot);
        Assert.DoesNotContain(analysis.Suggestions, s => s.Kind == SuggestionKind.ShellFormCommand);
    }

    [Fact]
    public void Analyze_MultiStageWithSlimRuntime_DoesNotFlagToolchainOrFatBase()
    {
        const string Dockerfile = """
            FROM golang:1.22 AS build
            WORKDIR /src
            COPY go.mod go.sum ./
            RUN go mod download
            COPY . .
            RUN go build -o /out/app .
            FROM gcr.io/distroless/static:nonroot
            COPY --from=build /out/app /app
            USER 65532
            HEALTHCHECK CMD ["/app", "-healthcheck"]
            CMD ["/app"]
            """;

        var analysis = _analyzer.Analyze(Dockerfile);

        Assert.Equal(2, analysis.StageCount);
        Assert.DoesNotContain(analysis.Suggestions, s => s.Impact > SuggestionImpact.Low);
    }

    [Fact]
    public void Analyze_SlimSingleStageInstallingOnlyRuntimeDependencies_RatesMultiStageLow()
    {
        const string Dockerfile = """
            FROM node:20-alpine
            WORKDIR /app
            COPY package.json package-lock.json ./
            RUN npm ci --omit=dev && npm cache clean --force
            COPY . .
            USER node
            HEALTHCHECK CMD ["node", "-e", "process.exit(0)"]
            CMD ["node", "server.js"]
            """;

        var analysis = _analyzer.Analyze(Dockerfile);

        var single = Assert.Single(analysis.Suggestions);
        Assert.Equal(SuggestionKind.SingleStageToolchain, single.Kind);
        Assert.Equal(SuggestionImpact.Low, single.Impact);
    }

    [Fact]
    public void Analyze_ExplicitRootUser_FlagsRoot()
    {
        var analysis = _analyzer.Analyze("FROM alpine:3.20\nUSER root\nCMD [\"sh\"]\n");

        var root = Assert.Single(analysis.Suggestions, s => s.Kind == SuggestionKind.RunsAsRoot);
        Assert.Equal(2, root.Line);
    }

    [Fact]
    public void Analyze_ApkAndPipWithoutCacheFlags_FlagsBothCaches()
    {
        const string Dockerfile = """
            FROM python:3.12-alpine
            RUN apk add gcc musl-dev && \
                pip install -r requirements.txt
            USER app
            CMD ["python", "app.py"]
            """;

        var analysis = _analyzer.Analyze(Dockerfile);

        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.PackageCacheNotCleaned && s.Title.Contains("apk", StringComparison.Ordinal));
        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.PackageCacheNotCleaned && s.Title.Contains("pip", StringComparison.Ordinal));
        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.SingleStageToolchain && s.Line == 2);
    }

    [Fact]
    public void Analyze_ContextWithDockerIgnore_DoesNotFlagIt()
    {
        using var context = new TestRepository((".dockerignore", "node_modules\n"));

        var analysis = _analyzer.Analyze("FROM node:20-alpine\nUSER node\nCMD [\"node\", \"a.js\"]\n", context.Root);

        Assert.False(analysis.Has(SuggestionKind.MissingDockerIgnore));
    }

    [Fact]
    public void Analyze_ContextWithNodeModulesAndNoDockerIgnore_RatesItHigh()
    {
        using var context = new TestRepository(("node_modules/x/index.js", "x"));

        var analysis = _analyzer.Analyze("FROM node:20-alpine\nUSER node\nCMD [\"node\", \"a.js\"]\n", context.Root);

        var ignore = Assert.Single(analysis.Suggestions, s => s.Kind == SuggestionKind.MissingDockerIgnore);
        Assert.Equal(SuggestionImpact.High, ignore.Impact);
        Assert.Contains("node_modules", ignore.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_EscapeDirectiveContinuationsHeredocAndArgBase_ReadsTheFileLikeDocker()
    {
        const string Dockerfile = """
            # escape=`
            ARG BASE=node:20-alpine
            FROM ${BASE} AS deps
            WORKDIR /app
            FROM deps
            RUN apk add `
                # a comment inside a continuation
                git
            RUN <<EOF
            apt-get update
            apt-get install -y curl
            EOF
            USER node
            CMD ["node", "x.js"]
            """;

        var analysis = _analyzer.Analyze(Dockerfile);

        Assert.Equal(["node:20-alpine", "deps"], analysis.BaseImages);
        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.PackageCacheNotCleaned && s.Line == 6 && s.Title.Contains("apk", StringComparison.Ordinal));
        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.InstallsRecommendedPackages && s.Line == 9);
        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.ConsecutiveRuns && s.Reason.Contains("lines 6, 9 ", StringComparison.Ordinal));
        Assert.DoesNotContain(analysis.Suggestions, s => s.Kind is SuggestionKind.UnpinnedBaseImage or SuggestionKind.ShellFormCommand or SuggestionKind.RunsAsRoot);
    }

    [Fact]
    public void Analyze_ContinuedShellFormCommand_QuotesItOnOneLine()
    {
        var analysis = _analyzer.Analyze("FROM node:20-alpine\nUSER node\nCMD node \\\n    server.js\n");

        var shellForm = Assert.Single(analysis.Suggestions, s => s.Kind == SuggestionKind.ShellFormCommand);
        Assert.Contains("'CMD node server.js'", shellForm.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_CopyWithFlagsInJsonForm_FlagsSourcesCopiedBeforeInstall()
    {
        var analysis = _analyzer.Analyze("FROM node:20-alpine\nWORKDIR /app\nCOPY --chown=node [\".\", \"./\"]\nRUN npm ci\nUSER node\nCMD [\"node\", \"a.js\"]\n");

        Assert.Contains(analysis.Suggestions, s => s.Kind == SuggestionKind.PoorLayerOrder && s.Line == 3);
    }
}
