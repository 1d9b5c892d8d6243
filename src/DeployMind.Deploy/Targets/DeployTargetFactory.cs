using Amazon.Runtime;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.Deploy.Targets;

/// <summary>Machine-wide settings for building targets (not per application).</summary>
public sealed record DeployTargetOptions
{
    /// <summary>The local engine (local targets, and the source of streamed images); DOCKER_HOST when null.</summary>
    public string? LocalDockerHost { get; init; }

    public TimeSpan SshConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>SSM endpoint override; else <c>DEPLOYMIND_SSM_SERVICE_URL</c>; else the region's endpoint.</summary>
    public string? SsmServiceUrl { get; init; }

    /// <summary>EC2 endpoint override; else <c>DEPLOYMIND_EC2_SERVICE_URL</c>; else the region's endpoint.</summary>
    public string? Ec2ServiceUrl { get; init; }

    /// <summary>Explicit AWS credentials; null uses the standard AWS chain.</summary>
    public AWSCredentials? AwsCredentials { get; init; }

    public TimeSpan SsmPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The environment secrets, HOME and endpoint overrides are read from; this process's when null.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
}

/// <summary>Builds the <see cref="IDeployTarget"/> a <see cref="TargetConfig"/> describes.</summary>
public interface IDeployTargetFactory
{
    /// <summary>
    /// One target. SSH keys come from <paramref name="privateKey"/> when given (e.g. <see cref="ResolvedSecrets.TargetKeys"/>),
    /// else from the config's <c>key</c> reference, else from ~/.ssh/id_ed25519, id_ecdsa or id_rsa. Relative paths
    /// start at <paramref name="baseDirectory"/>. Invalid settings throw <see cref="InvalidInputException"/> before any connection.
    /// </summary>
    IDeployTarget Create(TargetConfig target, SecretValue? privateKey = null, string? baseDirectory = null);
}

public sealed class DeployTargetFactory : IDeployTargetFactory
{
    private static readonly string[] s_defaultKeys = ["id_ed25519", "id_ecdsa", "id_rsa"];

    private readonly IProcessRunner _runner;
    private readonly DeployTargetOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;

    public DeployTargetFactory(IProcessRunner runner, DeployTargetOptions? options = null, ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        _runner = runner;
        _options = options ?? new DeployTargetOptions();
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Every target of an application, with SSH keys from <paramref name="secrets"/> when resolved there.</summary>
    public IReadOnlyList<IDeployTarget> CreateAll(AppConfig app, ResolvedSecrets? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [.. app.Targets.Select(t => Create(t, secrets?.TargetKeys.GetValueOrDefault(t.Name), app.BaseDirectory))];
    }

    public IDeployTarget Create(TargetConfig target, SecretValue? privateKey = null, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var environment = _options.Environment ?? SecretReference.ProcessEnvironment();
        return target.Type switch
        {
            TargetType.Local => new LocalDockerTarget(target.Name, _runner, _options.LocalDockerHost, _time),
            TargetType.Ssh => new SshTarget(SshSettings(target, privateKey, baseDirectory, environment), _loggers.CreateLogger<SshTarget>(), _time),
            TargetType.Ec2 => new Ec2SsmTarget(Ec2Settings(target, environment), _loggers.CreateLogger<Ec2SsmTarget>(), _time),
            _ => throw new InvalidInputException("targets.type", $"target '{target.Name}' has an unknown type {target.Type}"),
        };
    }

    internal SshTargetSettings SshSettings(TargetConfig target, SecretValue? privateKey, string? baseDirectory,
        IReadOnlyDictionary<string, string?> environment)
    {
        var field = $"targets.{target.Name}";
        if (string.IsNullOrWhiteSpace(target.Host))
        {
            throw new InvalidInputException($"{field}.host", $"ssh target '{target.Name}' needs a host (a name or address)");
        }

        if (target.Port is < 1 or > 65535)
        {
            throw new InvalidInputException($"{field}.port", $"ssh target '{target.Name}' has port {target.Port}; expected 1 to 65535");
        }

        var home = Home(environment);
        string keySource;
        if (privateKey is not null)
        {
            keySource = target.Key?.ToString() ?? "the resolved key";
        }
        else if (target.Key is { } reference)
        {
            privateKey = reference.Resolve(environment, baseDirectory);
            keySource = reference.ToString();
        }
        else
        {
            var found = s_defaultKeys.Select(k => Path.Combine(home, ".ssh", k)).FirstOrDefault(File.Exists)
                ?? throw new InvalidInputException($"{field}.key",
                    $"ssh target '{target.Name}' has no key and none of ~/.ssh/{string.Join(", ~/.ssh/", s_defaultKeys)} exists; " +
                    "set key: { file: PATH } (or { env: NAME }) to the private key");
            privateKey = new SecretValue(File.ReadAllText(found));
            keySource = $"file:{found}";
        }

        return new SshTargetSettings
        {
            Name = target.Name,
            Host = target.Host.Trim(),
            Port = target.Port,
            User = string.IsNullOrWhiteSpace(target.User) ? System.Environment.UserName : target.User.Trim(),
            PrivateKey = privateKey,
            KeySource = keySource,
            KnownHostsPath = ExpandPath(target.KnownHosts, home, baseDirectory),
            ConnectTimeout = _options.SshConnectTimeout,
            LocalDockerHost = _options.LocalDockerHost,
        };
    }

    internal Ec2TargetSettings Ec2Settings(TargetConfig target, IReadOnlyDictionary<string, string?> environment)
    {
        var region = target.Region
            ?? (environment.TryGetValue("AWS_REGION", out var r) && !string.IsNullOrWhiteSpace(r) ? r
                : environment.TryGetValue("AWS_DEFAULT_REGION", out var d) && !string.IsNullOrWhiteSpace(d) ? d
                : throw new InvalidInputException($"targets.{target.Name}.region",
                    $"ec2 target '{target.Name}' needs a region (region: eu-west-1, or AWS_REGION)"));
        return new Ec2TargetSettings
        {
            Name = target.Name,
            InstanceId = target.InstanceId ?? target.Name,
            Region = region,
            SsmServiceUrl = _options.SsmServiceUrl,
            Ec2ServiceUrl = _options.Ec2ServiceUrl,
            Credentials = _options.AwsCredentials,
            PollInterval = _options.SsmPollInterval,
        }.WithEnvironmentOverrides(environment);
    }

    private static string Home(IReadOnlyDictionary<string, string?> environment) =>
        environment.TryGetValue("HOME", out var home) && !string.IsNullOrEmpty(home)
            ? home
            : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);

    private static string ExpandPath(string path, string home, string? baseDirectory)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Path.Join(home, path.Length > 2 ? path[2..] : "");
        }

        return Path.GetFullPath(path, baseDirectory ?? Directory.GetCurrentDirectory());
    }
}
