using DeployMind.Deploy.Targets;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Testing;

namespace DeployMind.Deploy.Tests.Targets;

[Collection(SshCollection.Name)]
public sealed class DeployTargetFactoryTests : IDisposable
{
    private readonly SshInstances _ssh;
    private readonly TempDirectory _home = new();

    public DeployTargetFactoryTests(SshInstances ssh)
    {
        _ssh = ssh;
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Create_SshFromConfig_KeyFromFileReference_ConnectsAndRuns()
    {
        var factory = Factory();
        var config = new TargetConfig
        {
            Name = "web-1", Type = TargetType.Ssh, Host = _ssh.Host, Port = _ssh.Ports[0], User = _ssh.User,
            Key = SecretReference.FromFile(_ssh.KeyPath), KnownHosts = _ssh.KnownHostsPath,
        };

        await using var target = factory.Create(config);
        var result = await target.RunAsync(["echo", "via factory"], TargetCommandOptions.Default, CancellationToken.None);

        Assert.IsType<SshTarget>(target);
        Assert.Equal("web-1", target.Name);
        Assert.Equal("via factory\n", result.StandardOutput);
    }

    [Fact]
    public void Create_Ssh_DefaultsKeyFromHomeAndExpandsKnownHosts()
    {
        Directory.CreateDirectory(_home.Combine(".ssh"));
        File.Copy(_ssh.KeyPath, _home.Combine(".ssh", "id_ed25519"));
        var factory = Factory();

        var settings = factory.SshSettings(new TargetConfig { Name = "web-2", Type = TargetType.Ssh, Host = "h", User = "deploy" }, null, null,
            Environment());

        Assert.Equal(_home.Combine(".ssh", "known_hosts"), settings.KnownHostsPath);
        Assert.Equal($"file:{_home.Combine(".ssh", "id_ed25519")}", settings.KeySource);
        Assert.Equal("deploy@h:22", settings.Address);
    }

    [Fact]
    public void Create_Ssh_MissingHostOrKey_IsInvalidInputNamingTheField()
    {
        var factory = Factory();

        var noHost = Assert.Throws<InvalidInputException>(() => factory.Create(new TargetConfig { Name = "a", Type = TargetType.Ssh }));
        var noKey = Assert.Throws<InvalidInputException>(() => factory.Create(new TargetConfig { Name = "b", Type = TargetType.Ssh, Host = "h" }));
        var missingEnv = Assert.Throws<ConfigValidationException>(() => factory.Create(new TargetConfig
        {
            Name = "c", Type = TargetType.Ssh, Host = "h", Key = SecretReference.FromEnv("DEPLOYMIND_TEST_NO_SUCH_KEY"),
        }));

        Assert.Equal("targets.a.host", noHost.Field);
        Assert.Equal("targets.b.key", noKey.Field);
        Assert.Contains("DEPLOYMIND_TEST_NO_SUCH_KEY", missingEnv.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Local_AndEc2WithoutRegion()
    {
        var factory = Factory();

        Assert.IsType<LocalDockerTarget>(factory.Create(new TargetConfig { Name = "here" }));
        var error = Assert.Throws<InvalidInputException>(() => factory.Create(new TargetConfig
        {
            Name = "i-0123456789abcdef0", Type = TargetType.Ec2,
        }));
        Assert.Equal("targets.i-0123456789abcdef0.region", error.Field);
    }

    private Dictionary<string, string?> Environment() => new() { ["HOME"] = _home.Path };

    private DeployTargetFactory Factory() => new(new DeployMind.Pipeline.Processes.ProcessRunner(), new DeployTargetOptions { Environment = Environment() });
}
