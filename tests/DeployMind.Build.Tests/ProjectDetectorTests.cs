using DeployMind.Build.Detection;
using DeployMind.Domain;

namespace DeployMind.Build.Tests;

public sealed class ProjectDetectorTests
{
    private readonly ProjectDetector _detector = new();

    public static TheoryData<DetectionCase> Cases => DetectionCases.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Detect_Repository_FindsLanguageFrameworkAndRuntimeSettings(DetectionCase expected)
    {
        using var repository = new TestRepository(expected.Files);

        var report = _detector.Detect(repository.Root);

        Assert.Equal(expected.Language, report.Language);
        Assert.Equal(expected.Framework, report.Framework);
        Assert.Equal(expected.PackageManager, report.PackageManager);
        Assert.Equal(expected.Version, report.LanguageVersion);
        Assert.Equal(expected.Port, report.Port);
        Assert.Equal(expected.StartCommand, report.StartCommand);
        Assert.Equal(expected.HealthPath, report.HealthPath);
        if (expected.EntryPoint is not null)
        {
            Assert.Equal(expected.EntryPoint, report.EntryPoint);
        }

        Assert.InRange(report.Confidence, 0.3, 1.0);
        Assert.NotEmpty(report.Evidence);
    }

    [Fact]
    public void Detect_EmptyDirectory_ThrowsCouldNotDetectListingWhatWasLookedFor()
    {
        using var repository = new TestRepository();

        var error = Assert.Throws<AppNotDetectedException>(() => _detector.Detect(repository.Root));

        Assert.IsAssignableFrom<DeployMindException>(error);
        Assert.StartsWith("could not detect", error.Message, StringComparison.Ordinal);
        foreach (var marker in new[] { "package.json", "requirements.txt", "go.mod", "pom.xml", "Microsoft.NET.Sdk.Web", "Gemfile", "Cargo.toml", "composer.json", "index.html" })
        {
            Assert.Contains(marker, error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("How to configure", error.Message, StringComparison.Ordinal);
        Assert.Equal(9, error.LookedFor.Count);
    }

    [Fact]
    public void Detect_OnlyReadme_ThrowsCouldNotDetect()
    {
        using var repository = new TestRepository(("README.md", "# My project\nSee package.json some day.\n"));

        var error = Assert.Throws<AppNotDetectedException>(() => _detector.Detect(repository.Root));

        Assert.Contains("no manifest or entry file", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_PackageJsonWithoutAnyStart_ThrowsExplainingHowToAddOne()
    {
        using var repository = new TestRepository(("package.json", """{ "name": "x", "dependencies": { "express": "^4" } }"""));

        var error = Assert.Throws<AppNotDetectedException>(() => _detector.Detect(repository.Root));

        Assert.Contains("nodejs", error.Reason, StringComparison.Ordinal);
        Assert.Contains("scripts.start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_PackageJsonWithoutStartButStartConfigured_UsesConfiguredCommand()
    {
        using var repository = new TestRepository(("package.json", """{ "name": "x", "dependencies": { "express": "^4" } }"""));

        var report = _detector.Detect(repository.Root, new DetectionOptions { StartCommand = "node dist/app.js", Port = 4100 });

        Assert.Equal("node dist/app.js", report.StartCommand);
        Assert.Equal(4100, report.Port);
        Assert.Contains(report.Evidence, e => e.File == "configuration");
    }

    [Fact]
    public void Detect_MonorepoWithBuildDirectory_DetectsThatFolder()
    {
        using var repository = new TestRepository(
            ("apps/api/package.json", """{ "scripts": { "start": "node index.js" }, "dependencies": { "express": "^4" } }"""),
            ("apps/api/index.js", "require('express')().listen(3300);\n"),
            ("apps/web/index.html", "<h1>web</h1>"),
            ("README.md", "monorepo"));

        var report = _detector.Detect(repository.Root, new DetectionOptions { BuildDirectory = "apps/api" });

        Assert.Equal(AppLanguage.NodeJs, report.Language);
        Assert.Equal("apps/api", report.BuildDirectory);
        Assert.Equal(3300, report.Port);
    }

    [Fact]
    public void Detect_MonorepoRootWithoutBuildDirectory_PointsAtTheApplications()
    {
        using var repository = new TestRepository(
            ("apps/api/package.json", """{ "scripts": { "start": "node index.js" } }"""),
            ("apps/web/index.html", "<h1>web</h1>"),
            ("README.md", "monorepo"));

        var error = Assert.Throws<AppNotDetectedException>(() => _detector.Detect(repository.Root));

        Assert.Contains("apps/api (nodejs)", error.Reason, StringComparison.Ordinal);
        Assert.Contains("apps/web (static)", error.Reason, StringComparison.Ordinal);
        Assert.Contains("build directory", error.HowToConfigure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../other")]
    [InlineData("/etc")]
    public void Detect_BuildDirectoryOutsideRepository_ThrowsInvalidInput(string buildDirectory)
    {
        using var repository = new TestRepository(("index.html", "x"));

        var error = Assert.Throws<InvalidInputException>(() => _detector.Detect(repository.Root, new DetectionOptions { BuildDirectory = buildDirectory }));

        Assert.Equal("build_directory", error.Field);
    }

    [Fact]
    public void Detect_RailsAppWithAssetPackageJson_PrefersRubyAndListsNodeAsAlternative()
    {
        var rails = DetectionCases.All().Cast<object[]>().Select(c => (DetectionCase)c[0]).Single(c => c.Name.StartsWith("ruby rails", StringComparison.Ordinal));
        using var repository = new TestRepository(rails.Files);

        var report = _detector.Detect(repository.Root);

        Assert.Equal(AppLanguage.Ruby, report.Language);
        Assert.Contains(report.Alternatives, a => a.StartsWith("nodejs", StringComparison.Ordinal));
    }

    [Fact]
    public void Detect_ConfiguredHealthPath_OverridesDetectedRoute()
    {
        using var repository = new TestRepository(
            ("package.json", """{ "scripts": { "start": "node s.js" } }"""),
            ("s.js", "if (url === '/health') {}\n"));

        var report = _detector.Detect(repository.Root, new DetectionOptions { HealthPath = "/ready" });

        Assert.Equal("/ready", report.HealthPath);
    }

    [Fact]
    public void Detect_NoPortAnywhere_UsesFrameworkDefaultAndSaysSo()
    {
        using var repository = new TestRepository(
            ("requirements.txt", "flask\n"),
            ("app.py", "from flask import Flask\napp = Flask(__name__)\n"));

        var report = _detector.Detect(repository.Root);

        Assert.Equal(5000, report.Port);
        Assert.Equal("flask --app app:app run --host 0.0.0.0 --port 5000", report.StartCommand);
        Assert.Contains(report.Evidence, e => e.File == "(default)" && e.Finding.Contains("5000", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_Report_ListsLanguageSettingsAndEvidence()
    {
        using var repository = new TestRepository(
            ("go.mod", "module example.com/x\n\ngo 1.22\n"),
            ("main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8090\", nil) }\n"));

        var text = _detector.Detect(repository.Root).Describe();

        Assert.Contains("Detected go 1.22 / net/http", text, StringComparison.Ordinal);
        Assert.Contains("port:            8090", text, StringComparison.Ordinal);
        Assert.Contains("go.mod: go 1.22", text, StringComparison.Ordinal);
        Assert.Contains("Evidence:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_MainPointingOutsideTheRepository_IsNotUsed()
    {
        using var outside = new TestRepository(("server.js", "require('http').createServer().listen(1234);\n"));
        using var repository = new TestRepository(("package.json", $$"""{ "main": "../{{Path.GetFileName(outside.Root)}}/server.js" }"""));

        var error = Assert.Throws<AppNotDetectedException>(() => _detector.Detect(repository.Root));

        Assert.Contains("no scripts.start, no main", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_ManifestSymlinkedOutOfTheRepository_IsNotRead()
    {
        using var outside = new TestRepository(("secret.json", """{ "scripts": { "start": "node leak.js" } }"""));
        using var repository = new TestRepository(("README.md", "x"));
        File.CreateSymbolicLink(Path.Combine(repository.Root, "package.json"), Path.Combine(outside.Root, "secret.json"));

        Assert.Throws<AppNotDetectedException>(() => _detector.Detect(repository.Root));
    }
}
