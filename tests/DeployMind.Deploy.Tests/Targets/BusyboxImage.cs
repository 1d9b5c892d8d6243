using System.Formats.Tar;
using DeployMind.Build.Docker;

namespace DeployMind.Deploy.Tests.Targets;

/// <summary>
/// A tiny busybox image imported into the engine DOCKER_HOST names (scripts/docker.sh), once per engine. Tests tag it
/// with names of their own so no two tests share an image name.
/// </summary>
public sealed class BusyboxImage : IDisposable
{
    public const string Tag = "deploymind-test/deploy-busybox:1";
    private const string BusyboxPath = "/bin/busybox";

    private static readonly string[] s_applets =
        ["sh", "echo", "test", "sleep", "cat", "ls", "true", "false", "mkdir", "env", "httpd", "printf", "nc", "wget", "kill", "yes", "head"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DockerImageInfo? _image;

    public async Task<DockerImageInfo> EnsureAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _image ??= await ImportAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Tags the image under a unique name (<c>deploymind-test/PREFIX-GUID:TAG</c>) and returns that name.</summary>
    public async Task<string> TagUniqueAsync(string prefix, string tag = "1")
    {
        await EnsureAsync();
        var name = $"deploymind-test/{prefix}-{Guid.NewGuid():N}:{tag}";
        var result = await DeployMind.Testing.ProcessRunner.RunAsync("docker", ["tag", Tag, name], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"docker tag failed: {result.Error}");
        return name;
    }

    public void Dispose() => _gate.Dispose();

    private static async Task<DockerImageInfo> ImportAsync()
    {
        using var engine = new DockerEngine(new DockerEngineOptions());
        try
        {
            await engine.PingAsync(CancellationToken.None);
        }
        catch (DockerUnavailableException e)
        {
            throw new InvalidOperationException(
                $"these tests need a running Docker engine, found through DOCKER_HOST (now '{Environment.GetEnvironmentVariable("DOCKER_HOST")}'): " +
                $"run scripts/docker.sh start and export the DOCKER_HOST it prints. {e.Message}", e);
        }

        if (await engine.TryInspectAsync(Tag, CancellationToken.None) is { } existing)
        {
            return existing;
        }

        Assert.True(File.Exists(BusyboxPath), $"{BusyboxPath} is missing: scripts/docker.sh start installs busybox-static");
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(BusyboxPath, "bin/busybox");
            foreach (var applet in s_applets)
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox" });
            }

            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp"));
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "www"));
        }

        tar.Position = 0;
        return await engine.ImportImageAsync(tar, Tag, CancellationToken.None);
    }
}
