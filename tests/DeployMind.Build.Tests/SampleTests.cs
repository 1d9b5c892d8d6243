using System.Text.Json;
using DeployMind.Build.Detection;

namespace DeployMind.Build.Tests;

public sealed class SampleTests
{
    public static TheoryData<string, AppLanguage, string?, string?, string?, string, int, string> Expected => new()
    {
        { "node-hello", AppLanguage.NodeJs, null, "npm", "18", "node server.js", 3000, "/health" },
        { "python-hello", AppLanguage.Python, null, "pip", "3.11", "python3 app.py", 8000, "/health" },
        { "go-hello", AppLanguage.Go, "net/http", "go", "1.19", "go run ./cmd/server", 8080, "/health" },
        { "static-site", AppLanguage.Static, null, null, null, "busybox httpd -f -p 8080 -h .", 8080, "/health" },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Detect_Sample_FindsItsLanguagePortAndHealthEndpoint(
        string sample, AppLanguage language, string? framework, string? packageManager, string? version, string start, int port, string health)
    {
        var report = new ProjectDetector().Detect(Samples.PathOf(sample));

        Assert.Equal(language, report.Language);
        Assert.Equal(framework, report.Framework);
        Assert.Equal(packageManager, report.PackageManager);
        Assert.Equal(version, report.LanguageVersion);
        Assert.Equal(start, report.StartCommand);
        Assert.Equal(port, report.Port);
        Assert.Equal(health, report.HealthPath);
        Assert.Empty(report.Alternatives);
        Assert.Equal(sample == "node-hello" ? "Dockerfile" : null, report.ExistingDockerfile);
    }

    [Fact]
    public void Detect_RootWithTrailingSeparator_DetectsTheSame()
    {
        var report = new ProjectDetector().Detect(Samples.PathOf("node-hello") + Path.DirectorySeparatorChar);

        Assert.Equal("node server.js", report.StartCommand);
        Assert.Equal(3000, report.Port);
    }

    [Fact]
    public void Samples_EverySampleFolder_IsCoveredByTheDetectionTable()
    {
        var folders = Directory.GetDirectories(Samples.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(Expected.Select(row => (string)row[0]).Order(StringComparer.Ordinal), folders);
    }

    [Fact]
    public void NodeSample_Lockfile_IsVersion3WithoutDependenciesSoNpmCiWorksOffline()
    {
        using var lockfile = JsonDocument.Parse(File.ReadAllText(Path.Combine(Samples.PathOf("node-hello"), "package-lock.json")));
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(Samples.PathOf("node-hello"), "package.json")));

        Assert.Equal(3, lockfile.RootElement.GetProperty("lockfileVersion").GetInt32());
        var packages = lockfile.RootElement.GetProperty("packages");
        Assert.Equal([""], packages.EnumerateObject().Select(p => p.Name));
        Assert.False(package.RootElement.TryGetProperty("dependencies", out _));
        Assert.Equal("node server.js", package.RootElement.GetProperty("scripts").GetProperty("start").GetString());
        Assert.True(package.RootElement.GetProperty("engines").TryGetProperty("node", out _));
    }

    [Fact]
    public void NodeSample_IsTheUnoptimizedOneWithoutDockerIgnore()
    {
        Assert.True(File.Exists(Path.Combine(Samples.PathOf("node-hello"), "Dockerfile")));
        Assert.False(File.Exists(Path.Combine(Samples.PathOf("node-hello"), ".dockerignore")));
        foreach (var other in new[] { "python-hello", "go-hello", "static-site" })
        {
            Assert.False(File.Exists(Path.Combine(Samples.PathOf(other), "Dockerfile")), $"{other} should get a generated Dockerfile");
        }
    }

    [Fact]
    public void GoSample_Module_HasNoRequirementsAndTargetsGo119()
    {
        var goMod = File.ReadAllText(Path.Combine(Samples.PathOf("go-hello"), "go.mod"));
        var main = File.ReadAllText(Path.Combine(Samples.PathOf("go-hello"), "cmd", "server", "main.go"));

        Assert.DoesNotContain("require", goMod, StringComparison.Ordinal);
        Assert.Contains("go 1.19", goMod, StringComparison.Ordinal);
        foreach (var behaviour in new[] { "FAIL_HEALTH", "CRASH_ON_START", "SLOW_MS", "APP_VERSION", "\"HOST\"", "\"PORT\"" })
        {
            Assert.Contains(behaviour, main, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PythonSample_Requirements_ListNoPackages()
    {
        var lines = File.ReadAllLines(Path.Combine(Samples.PathOf("python-hello"), "requirements.txt"));

        Assert.All(lines, l => Assert.True(l.Length == 0 || l.StartsWith('#')));
    }

    [Fact]
    public void StaticSample_HealthDocument_IsOkJson()
    {
        using var health = JsonDocument.Parse(File.ReadAllText(Path.Combine(Samples.PathOf("static-site"), "health")));

        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
    }
}
