using System.Text.Json.Nodes;
using DeployMind.Build.Agent;
using DeployMind.Domain;

namespace DeployMind.Build.Tests.Agent;

/// <summary>
/// Every sample built for real from a generated Dockerfile on the offline base images (`deploymind images bootstrap`), started with
/// host networking on a free loopback port and answering its health endpoint; and node-hello's optimized variant against its
/// hand-written Dockerfile. Fails, never skips, when the engine or the base images are missing.
/// </summary>
[Trait("Requires", "docker")]
public sealed class SampleImageTests : IDisposable
{
    private readonly AgentHarness _harness = new();

    [Theory]
    [InlineData("node-hello", "nodejs")]
    [InlineData("python-hello", "python")]
    [InlineData("go-hello", "go")]
    [InlineData("static-site", "static")]
    public async Task Build_SampleFromAGeneratedDockerfile_StartsAndAnswersItsHealthEndpoint(string sample, string language)
    {
        var (context, directory) = await _harness.ContextAsync(sample, prepare: d => File.Delete(Path.Combine(d, "Dockerfile")));

        var result = await _harness.Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var row = Assert.Single(_harness.Journal.Rows.OfType<BuildResult>());
        Assert.True(row.Success);
        Assert.True(row.DockerfileGenerated);
        Assert.Equal(language, row.DetectedLanguage);
        Assert.StartsWith("sha256:", row.ImageId);
        Assert.True(row.ImageSizeBytes > 1_000_000 && row.LayerCount > 1, $"size {row.ImageSizeBytes}, layers {row.LayerCount}");
        Assert.Equal(0, row.ExitCode);
        Assert.True(File.Exists(Path.Combine(directory, "Dockerfile.deploymind")) && File.Exists(Path.Combine(directory, ".dockerignore")));
        Assert.Contains(_harness.Journal.Logs, l => l.EventType == "build_output");
        var image = context.Artifacts.Get(BuildArtifacts.Image);
        Assert.Equal(row.ImageTag, image.Tag);
        Assert.Equal("/health", image.HealthPath);

        // Started with the image's own command on a free port given as PORT: every sample, the static site included, honours it.
        var started = await StartCheck.RunAsync(_harness.Processes, _harness.Engine.Host, image.Tag, image.HealthPath, CancellationToken.None);
        Assert.True(started.Started, started.Reason);
    }

    [Fact]
    public async Task Build_NodeHelloOptimized_IsMeasurablySmallerThanItsHandWrittenDockerfileImage()
    {
        // The sample's hand-written Dockerfile, on the offline Node.js image instead of Docker Hub's.
        var (context, _) = await _harness.ContextAsync("node-hello", new JsonObject { ["optimize"] = true }, d =>
            File.WriteAllText(Path.Combine(d, "Dockerfile"), File.ReadAllText(Path.Combine(d, "Dockerfile")).Replace("FROM node:20", "FROM deploymind/node:18", StringComparison.Ordinal)));

        var result = await _harness.Agent().ExecuteAsync(context, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var row = Assert.Single(_harness.Journal.Rows.OfType<BuildResult>());
        Assert.NotEmpty(row.OptimizationsApplied);
        Assert.True(row.OptimizedSizeBytes < row.OriginalSizeBytes, $"optimized {row.OptimizedSizeBytes} vs original {row.OriginalSizeBytes}");
        Assert.True(row.SizeReductionPercent > 0);
        Assert.Equal(row.OptimizedSizeBytes, row.ImageSizeBytes);
        Assert.Contains(_harness.Journal.Logs, l => l.EventType == "optimization_applied");
    }

    public void Dispose() => _harness.Dispose();
}
