using DeployMind.Deploy.Targets;
using DeployMind.Pipeline.Configuration;
using DeployMind.Testing;

namespace DeployMind.Deploy.Tests.Targets;

/// <summary>
/// The SSH "instances" of scripts/sshd.sh: taken from DEPLOYMIND_SSH_* when scripts/test.sh exported them, otherwise
/// started here (and stopped again at the end). They are this machine, so docker over SSH reaches the shared engine.
/// </summary>
public sealed class SshInstances : IAsyncLifetime
{
    private bool _startedHere;

    public string Host { get; private set; } = "127.0.0.1";

    public string User { get; private set; } = "root";

    public IReadOnlyList<int> Ports { get; private set; } = [];

    public string KeyPath { get; private set; } = "";

    public string KnownHostsPath { get; private set; } = "";

    public string PrivateKey => File.ReadAllText(KeyPath);

    public async Task InitializeAsync()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "HOST", "USER", "PORTS", "KEY", "KNOWN_HOSTS" })
        {
            if (Environment.GetEnvironmentVariable("DEPLOYMIND_SSH_" + name) is { Length: > 0 } value)
            {
                values[name] = value;
            }
        }

        if (values.Count < 5)
        {
            var script = Path.Combine(RepoRoot.Path, "scripts", "sshd.sh");
            var result = await ProcessRunner.RunAsync("bash", [script, "start", "3"], TimeSpan.FromMinutes(5));
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"scripts/sshd.sh start 3 failed ({result.ExitCode}): {result.Error}");
            }

            _startedHere = true;
            values.Clear();
            foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (line.StartsWith("DEPLOYMIND_SSH_", StringComparison.Ordinal) && eq > 0)
                {
                    values[line["DEPLOYMIND_SSH_".Length..eq]] = line[(eq + 1)..];
                }
            }
        }

        Host = values["HOST"];
        User = values["USER"];
        Ports = [.. values["PORTS"].Split(',').Select(int.Parse)];
        KeyPath = values["KEY"];
        KnownHostsPath = values["KNOWN_HOSTS"];
    }

    public async Task DisposeAsync()
    {
        if (_startedHere)
        {
            await ProcessRunner.RunAsync("bash", [Path.Combine(RepoRoot.Path, "scripts", "sshd.sh"), "stop"], TimeSpan.FromMinutes(1));
        }
    }

    public SshTargetSettings Settings(int instance = 0, string? name = null) => new()
    {
        Name = name ?? $"ssh-{instance + 1}",
        Host = Host,
        Port = Ports[instance],
        User = User,
        PrivateKey = new SecretValue(PrivateKey),
        KeySource = $"file:{KeyPath}",
        KnownHostsPath = KnownHostsPath,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    public SshTarget Target(int instance = 0) => new(Settings(instance));

    /// <summary>The known_hosts line of one instance.</summary>
    public string KnownHostsLine(int instance) =>
        File.ReadAllLines(KnownHostsPath).Single(l => l.StartsWith($"[{Host}]:{Ports[instance]} ", StringComparison.Ordinal));
}

[CollectionDefinition(Name)]
public sealed class SshCollection : ICollectionFixture<SshInstances>, ICollectionFixture<BusyboxImage>
{
    public const string Name = "ssh instances";
}

/// <summary>The repository root (the directory holding DeployMind.slnx).</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "DeployMind.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no DeployMind.slnx above {AppContext.BaseDirectory}");
    }
}
