using DeployMind.Build.Docker;
using DeployMind.Deploy.Tests.Targets;
using DeployMind.Testing;

namespace DeployMind.Deploy.Tests.Strategies.Docker;

/// <summary>
/// Tiny application images built FROM the test busybox image, each behaving one way: healthy (v1, v2), exits at start,
/// never healthy (no /health), healthy but answering 500 to traffic, healthy but slow, and healthy for a few seconds then
/// gone. They serve with busybox httpd on $PORT: /health, /version, and /cgi-bin/app (the "traffic" path). Names are unique
/// per run; the images are removed at the end.
/// </summary>
public sealed class AppImages : IAsyncLifetime
{
    private readonly BusyboxImage _busybox = new();
    private readonly string _prefix = $"deploymind-test/dc-{Guid.NewGuid():N}"[..40];
    private readonly List<string> _built = [];

    public string V1 => $"{_prefix}-app:v1";

    public string V2 => $"{_prefix}-app:v2";

    public string V3 => $"{_prefix}-app:v3";

    public string Crash => $"{_prefix}-app:crash";

    public string Unhealthy => $"{_prefix}-app:unhealthy";

    public string Erroring => $"{_prefix}-app:erroring";

    public string Slow => $"{_prefix}-app:slow";

    public string DiesLater => $"{_prefix}-app:dies";

    public async Task InitializeAsync()
    {
        await _busybox.EnsureAsync();
        await EnsureProxyImageAsync();
        using var engine = new DockerEngine(new DockerEngineOptions());
        await BuildAsync(engine, V1, Serving("v1", App(200, "v1")));
        await BuildAsync(engine, V2, Serving("v2", App(200, "v2")));
        await BuildAsync(engine, V3, Serving("v3", App(200, "v3")));
        await BuildAsync(engine, Crash, """CMD ["sh", "-c", "echo 'Error: cannot find module express' >&2; exit 3"]""");
        await BuildAsync(engine, Unhealthy, Serving("unhealthy", App(200, "unhealthy"), health: false));
        await BuildAsync(engine, Erroring, Serving("erroring", App(500, "erroring")));
        await BuildAsync(engine, Slow, Serving("slow", "sleep 1\n" + App(200, "slow")));
        await BuildAsync(engine, DiesLater, Serving("dies", App(200, "dies"), command: "httpd -p $PORT -h /www; sleep 4; echo 'fatal: out of memory' >&2; exit 137"));
    }

    public async Task DisposeAsync()
    {
        foreach (var image in _built)
        {
            await ProcessRunner.RunAsync("docker", ["rmi", "--force", image], TimeSpan.FromSeconds(60));
        }

        _busybox.Dispose();
    }

    /// <summary>The edge proxy image the app hosts run (scripts/proxy-image.sh builds it, once per engine).</summary>
    public static async Task EnsureProxyImageAsync()
    {
        var image = new DeployMind.Deploy.Strategies.DockerAppHostOptions().ProxyImage;
        if ((await ProcessRunner.RunAsync("docker", ["image", "inspect", image], TimeSpan.FromSeconds(30))).ExitCode == 0)
        {
            return;
        }

        var tag = image[(image.LastIndexOf(':') + 1)..];
        var built = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoRoot.Path, "scripts", "proxy-image.sh"), tag], TimeSpan.FromMinutes(10));
        Assert.True(built.ExitCode == 0, $"scripts/proxy-image.sh {tag} failed: {built.Error}");
    }

    private static string App(int status, string body) =>
        $"printf 'Status: {status} X\\r\\nContent-Type: text/plain\\r\\n\\r\\n{body}\\n'";

    /// <summary>The Dockerfile lines after FROM, and the files, of an httpd app.</summary>
    private static (string Dockerfile, Dictionary<string, string> Files) Serving(string version, string cgi, bool health = true, string? command = null)
    {
        var files = new Dictionary<string, string>
        {
            ["www/version"] = version + "\n",
            ["www/cgi-bin/app"] = "#!/bin/sh\n" + cgi + "\n",
        };
        if (health)
        {
            files["www/health"] = $"ok {version}\n";
        }

        var start = command ?? "exec httpd -f -p $PORT -h /www";
        return ($"COPY www /www\nRUN chmod +x /www/cgi-bin/app\nCMD [\"sh\", \"-c\", \"{start.Replace("\"", "\\\"", StringComparison.Ordinal)}\"]", files);
    }

    private Task BuildAsync(DockerEngine engine, string tag, string dockerfile) => BuildAsync(engine, tag, (dockerfile, new Dictionary<string, string>()));

    private async Task BuildAsync(DockerEngine engine, string tag, (string Dockerfile, Dictionary<string, string> Files) spec)
    {
        using var context = new TempDirectory("deploymind-app-image");
        await File.WriteAllTextAsync(context.Combine("Dockerfile"), $"FROM {BusyboxImage.Tag}\n{spec.Dockerfile}\n");
        foreach (var (path, text) in spec.Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(context.Combine(path))!);
            await File.WriteAllTextAsync(context.Combine(path), text);
        }

        await engine.BuildImageAsync(new DockerBuildRequest(context.Path, tag), null, CancellationToken.None);
        _built.Add(tag);
    }
}
