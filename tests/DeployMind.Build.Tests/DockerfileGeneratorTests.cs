using DeployMind.Build.Detection;
using DeployMind.Build.Generation;
using DeployMind.Build.Optimization;
using DeployMind.Security.Dockerfiles;

namespace DeployMind.Build.Tests;

public sealed class DockerfileGeneratorTests
{
    private readonly DockerfileGenerator _generator = new();

    public static TheoryData<DetectionCase> Cases => DetectionCases.All();

    public static TheoryData<string> MapPresets => ["official", "offline"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_EveryDetectedRepository_PassesTheScannerRulesWithBothMaps(DetectionCase repositoryCase)
    {
        var report = Detect(repositoryCase);

        foreach (var map in new[] { BaseImageMap.Official, BaseImageMap.Offline() })
        {
            var generated = _generator.Generate(report, map);

            Assert.Empty(DockerfileScan.Violations(generated.Dockerfile));
            var document = DockerfileParser.Parse(generated.Dockerfile);
            var final = document.FinalStage!;
            var user = final.Instructions.Last(i => i.Keyword == "USER");
            Assert.NotEqual("root", user.Arguments);
            Assert.Equal($"{report.Port}", final.Instructions.Single(i => i.Keyword == "EXPOSE").Arguments);
            Assert.NotNull(final.Instructions.Single(i => i.Keyword == "CMD").JsonArguments);
            Assert.True(user.Line < final.Instructions.Single(i => i.Keyword == "CMD").Line);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_RepositoryWithManifests_CopiesManifestsBeforeSources(DetectionCase repositoryCase)
    {
        var report = Detect(repositoryCase);
        var lines = _generator.Generate(report).Dockerfile.Split('\n').ToList();

        var sourcesCopy = lines.FindIndex(l => l.StartsWith("COPY . ", StringComparison.Ordinal));
        var lastManifestCopy = -1;
        foreach (var manifest in report.Manifests)
        {
            var manifestCopy = lines.FindIndex(l => l.StartsWith("COPY ", StringComparison.Ordinal) && l.Split(' ').Contains(manifest));
            Assert.True(manifestCopy >= 0, $"{manifest} is not copied on its own");
            Assert.True(manifestCopy < sourcesCopy, $"{manifest} (line {manifestCopy}) must be copied before the sources (line {sourcesCopy})");
            lastManifestCopy = Math.Max(lastManifestCopy, manifestCopy);
        }

        if (lastManifestCopy >= 0)
        {
            Assert.Contains(lines.Skip(lastManifestCopy + 1).Take(sourcesCopy - lastManifestCopy - 1), l => l.StartsWith("RUN ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("node-hello", "FROM node:18-alpine AS build", "FROM node:18-alpine")]
    [InlineData("python-hello", "FROM python:3.11-slim AS build", "FROM python:3.11-slim")]
    [InlineData("go-hello", "FROM golang:1.19 AS build", "FROM gcr.io/distroless/static:nonroot")]
    [InlineData("static-site", null, "FROM busybox:1.36")]
    public void Generate_Sample_UsesPinnedImagesOfTheMapForTheDetectedVersion(string sample, string? buildFrom, string runtimeFrom)
    {
        var report = new ProjectDetector().Detect(Samples.PathOf(sample));

        var froms = _generator.Generate(report).Dockerfile.Split('\n').Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        Assert.Equal(buildFrom is null ? [runtimeFrom] : new[] { buildFrom, runtimeFrom }, froms);
    }

    [Theory]
    [InlineData("node-hello", "deploymind/node:18", "deploymind/node:18-slim")]
    [InlineData("python-hello", "deploymind/python:3.11", "deploymind/python:3.11-slim")]
    [InlineData("go-hello", "deploymind/golang:1.19", "deploymind/base:bookworm")]
    [InlineData("static-site", null, "deploymind/static:bookworm")]
    public void Generate_OfflineMap_SwapsEveryImageAndUsesDebianUserCommands(string sample, string? buildImage, string runtimeImage)
    {
        var report = new ProjectDetector().Detect(Samples.PathOf(sample));

        var generated = _generator.Generate(report, BaseImageMap.Offline());

        var froms = generated.Dockerfile.Split('\n').Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(buildImage is null ? [runtimeImage] : new[] { buildImage, runtimeImage }, froms);
        Assert.Contains("useradd --system", generated.Dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("adduser -S", generated.Dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("apk ", generated.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK", generated.Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_CustomPrefixOffline_UsesThatRegistry()
    {
        var report = new ProjectDetector().Detect(Samples.PathOf("node-hello"));

        var generated = _generator.Generate(report, BaseImageMap.Offline("127.0.0.1:5000/dm"));

        Assert.Contains("FROM 127.0.0.1:5000/dm/node:18 AS build", generated.Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_NodeSample_ProducesTheExpectedDockerfile()
    {
        var report = new ProjectDetector().Detect(Samples.PathOf("node-hello"));

        var generated = _generator.Generate(report);

        Assert.Equal(
            """
            # Generated by DeployMind for nodejs; build context: .
            FROM node:18-alpine AS build
            WORKDIR /app
            COPY package.json package-lock.json ./
            RUN npm ci --omit=dev
            COPY . .

            FROM node:18-alpine
            WORKDIR /app
            ENV NODE_ENV=production \
                PORT=3000 \
                PATH=/app/node_modules/.bin:$PATH
            RUN addgroup -S app && adduser -S -D -H -G app -s /sbin/nologin app
            COPY --from=build /app /app
            USER app
            EXPOSE 3000
            HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["node", "-e", "require('http').get('http://127.0.0.1:3000/health', r => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))"]
            CMD ["node", "server.js"]

            """.ReplaceLineEndings("\n"),
            generated.Dockerfile);
    }

    [Fact]
    public void Generate_NodeWithBuildScript_BuildsThenPrunesDevDependencies()
    {
        var report = Detect("node nestjs, port from main.ts");

        var dockerfile = _generator.Generate(report).Dockerfile;

        AssertInOrder(dockerfile, "RUN npm ci\n", "COPY . .", "RUN npm run build", "RUN npm prune --omit=dev", "CMD [\"node\", \"dist/main.js\"]");
    }

    [Fact]
    public void Generate_StartCommandWithVariable_MovesItToEnvAndKeepsExecForm()
    {
        var report = Detect("node koa pnpm, port from start script");

        var dockerfile = _generator.Generate(report).Dockerfile;

        Assert.Contains("ENV PORT=5000", dockerfile, StringComparison.Ordinal);
        Assert.Contains("CMD [\"node\", \"app.js\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains("pnpm install --frozen-lockfile", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_PythonFramework_RunsServerAsModuleOfTheRuntimePython()
    {
        var report = Detect("python fastapi pip");

        var generated = _generator.Generate(report);

        Assert.Contains("RUN mkdir -p /opt/deps && python3 -m pip install --no-cache-dir --target /opt/deps -r requirements.txt", generated.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("CMD [\"python3\", \"-m\", \"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]", generated.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("urllib.request.urlopen('http://127.0.0.1:8000/health'", generated.Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_PythonSampleWithoutPackages_SkipsPipSoPiplessImagesWork()
    {
        var report = new ProjectDetector().Detect(Samples.PathOf("python-hello"));

        var dockerfile = _generator.Generate(report, BaseImageMap.Offline()).Dockerfile;

        Assert.True(report.HasNoDependencies);
        Assert.DoesNotContain("pip install", dockerfile, StringComparison.Ordinal);
        Assert.Contains("CMD [\"python3\", \"app.py\"]", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_GoWithSelfHealthCheck_ProbesWithTheBinaryOnDistroless()
    {
        var report = new ProjectDetector().Detect(Samples.PathOf("go-hello"));

        var generated = _generator.Generate(report);

        Assert.True(report.SupportsSelfHealthCheck);
        Assert.Contains("RUN go build -trimpath -ldflags=\"-s -w\" -o /out/server ./cmd/server", generated.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD [\"/app/server\", \"-healthcheck\"]", generated.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER 65532:65532", generated.Dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("RUN ", generated.Dockerfile.Split("FROM gcr.io")[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_GoWithoutSelfHealthCheckOnDistroless_OmitsHealthCheckWithANote()
    {
        var report = Detect("go gin at the root");

        var generated = _generator.Generate(report);

        Assert.DoesNotContain("HEALTHCHECK", generated.Dockerfile, StringComparison.Ordinal);
        Assert.Contains(generated.Notes, n => n.Contains("no HEALTHCHECK", StringComparison.Ordinal) && n.Contains("DS-0026", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_DotNetProject_RestoresProjectFileBeforeSourcesAndSetsPort()
    {
        var report = Detect("dotnet aspnetcore in src/Api, test project ignored");

        var dockerfile = _generator.Generate(report).Dockerfile;

        AssertInOrder(dockerfile, "COPY src/Api/Api.csproj src/Api/", "RUN dotnet restore src/Api/Api.csproj", "COPY . .", "RUN dotnet publish src/Api/Api.csproj");
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", dockerfile, StringComparison.Ordinal);
        Assert.Contains("CMD [\"dotnet\", \"Api.dll\"]", dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("adduser", dockerfile, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD [\"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/healthz\"]", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_DebianBuildImageWithNativeGems_InstallsBuildToolsTheAptWay()
    {
        var report = Detect("ruby rails with up route");

        var dockerfile = _generator.Generate(report).Dockerfile;

        Assert.Contains("RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM ruby:3.2-slim AS build", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_AlpineBuildImageWithNativeGems_InstallsBuildToolsTheApkWay()
    {
        var report = Detect("ruby sinatra");
        var map = BaseImageMap.Official.With("ruby.build", new BaseImage { Image = "ruby:3.3-alpine", Family = PackageFamily.Apk });

        var dockerfile = _generator.Generate(report, map).Dockerfile;

        Assert.Contains("RUN apk add --no-cache build-base", dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get", dockerfile.Split("FROM ruby:3.3-slim")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_MonorepoBuildDirectory_NotesTheBuildContext()
    {
        using var repository = new TestRepository(("svc/api/package.json", """{ "scripts": { "start": "node a.js" } }"""));
        var report = new ProjectDetector().Detect(repository.Root, new DetectionOptions { BuildDirectory = "svc/api" });

        var generated = _generator.Generate(report);

        Assert.Contains(generated.Notes, n => n.Contains("'svc/api' as the context", StringComparison.Ordinal));
        Assert.Contains("build context: svc/api", generated.Dockerfile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node-hello", "node_modules")]
    [InlineData("python-hello", "__pycache__")]
    [InlineData("go-hello", "bin")]
    public void Generate_Sample_DockerIgnoreExcludesVcsSecretsAndLocalDependencies(string sample, string languageEntry)
    {
        var report = new ProjectDetector().Detect(Samples.PathOf(sample));

        var entries = _generator.Generate(report).DockerIgnore.Split('\n');

        Assert.Contains(".git", entries);
        Assert.Contains(".env", entries);
        Assert.Contains(languageEntry, entries);
    }

    [Fact]
    public void Generate_PrivilegedPort_WarnsThatANonRootUserCannotBindIt()
    {
        var report = new ProjectDetector().Detect(Samples.PathOf("static-site"), new DetectionOptions { Port = 80 });

        var generated = _generator.Generate(report);

        Assert.Contains("EXPOSE 80\n", generated.Dockerfile, StringComparison.Ordinal);
        Assert.Contains(generated.Notes, n => n.Contains("below 1024", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_BuiltStaticSite_BuildsWithNodeAndServesOnlyTheOutput()
    {
        var report = Detect("static site built by vite with pnpm");

        var generated = _generator.Generate(report);

        AssertInOrder(generated.Dockerfile,
            "FROM node:20-alpine AS build", "COPY package.json pnpm-lock.yaml ./", "RUN corepack enable && pnpm install --frozen-lockfile", "COPY . .",
            "RUN pnpm run build", "FROM busybox:1.36", "COPY --from=build /app/dist/ /srv/www/", "USER app",
            "CMD [\"busybox\", \"sh\", \"-c\", \"exec busybox httpd -f -v -p \\\"${HOST:+$HOST:}${PORT:-8080}\\\" -h /srv/www\"]");
        Assert.DoesNotContain("prune", generated.Dockerfile, StringComparison.Ordinal);
        Assert.Contains("node_modules", generated.DockerIgnore.Split('\n'));
    }

    private static DetectionReport Detect(string caseName) =>
        Detect(DetectionCases.All().Cast<object[]>().Select(c => (DetectionCase)c[0]).Single(c => c.Name == caseName));

    private static DetectionReport Detect(DetectionCase repositoryCase)
    {
        using var repository = new TestRepository(repositoryCase.Files);
        return new ProjectDetector().Detect(repository.Root);
    }

    private static void AssertInOrder(string text, params string[] parts)
    {
        var position = -1;
        foreach (var part in parts)
        {
            var next = text.IndexOf(part, position + 1, StringComparison.Ordinal);
            Assert.True(next > position, $"'{part}' should come after the previous part in:\n{text}");
            position = next;
        }
    }
}
