using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DeployMind.Deploy.Containers;
using DeployMind.Deploy.Health;
using DeployMind.Deploy.Targets;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;
using DeployMind.Proxy.Admin;

namespace DeployMind.Deploy.Strategies;

/// <summary>
/// An application on a Docker target, through the target's <see cref="ContainerHost"/>. Versions run with --network host
/// on their own loopback port (PORT), labelled with the application, target, deployment, version and port, so the
/// containers themselves record what runs where. The edge proxy is a container too (deploymind-proxy listening on the
/// target's app_port, admin API on a loopback port, backend set persisted in a volume); its admin token lives only in that
/// container's environment.
/// </summary>
public sealed class DockerAppHost : IAppHost, IContainerCommandExecutor
{
    public const string LabelTarget = "deploymind.target";
    public const string LabelRole = "deploymind.role";
    public const string LabelAdminPort = "deploymind.admin_port";
    public const string TokenVariable = "DEPLOYMIND_PROXY_ADMIN_TOKEN";
    private const string StateDirectory = "/var/lib/deploymind-proxy";

    private readonly IDeployTarget _target;
    private readonly ContainerHost _containers;
    private readonly TargetConfig _config;
    private readonly string _application;
    private readonly DockerAppHostOptions _options;
    private readonly SecretMask _mask;
    private readonly TimeProvider _clock;
    private readonly bool _ownsTarget;
    private ProxyAdminClient? _admin;

    public DockerAppHost(IDeployTarget target, TargetConfig config, string application, DockerAppHostOptions options, SecretMask mask,
        TimeProvider clock, bool ownsTarget = true)
    {
        _target = target;
        _containers = new ContainerHost(target) { Timeout = options.CommandTimeout, RunTimeout = options.CommandTimeout };
        _config = config;
        _application = application;
        _options = options;
        _mask = mask;
        _clock = clock;
        _ownsTarget = ownsTarget;
        Address = config.Type == TargetType.Ssh && config.Host is { } host ? host : config.Type == TargetType.Ec2 ? config.InstanceId ?? config.Name : "127.0.0.1";
        SharesLoopback = config.Type == TargetType.Local || (IPAddress.TryParse(Address, out var ip) && IPAddress.IsLoopback(ip)) || Address == "localhost";
        ProbeHost = SharesLoopback ? Address : "127.0.0.1";
        ProbeRelay = SharesLoopback ? null : new TargetRelayHandler(target, options.AdminTimeout);
    }

    public string TargetName => _config.Name;

    /// <summary>The registry images are pulled from; the target logs in to it first when it has a username.</summary>
    public RegistryConfig? Registry { get; init; }

    public SecretValue? RegistryPassword { get; init; }

    public string ProbeHost { get; }

    public HttpMessageHandler? ProbeRelay { get; }

    /// <summary>The target's address as users reach it: the SSH host, the EC2 instance, or 127.0.0.1 for the local engine.</summary>
    public string Address { get; }

    public string PublicUrl => $"http://{(Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]" : Address)}:{_config.AppPort}/";

    public IContainerCommandExecutor Executor => this;

    /// <summary>The proxy container's name for this application on this target.</summary>
    public string ProxyContainer => Sanitize($"{_application}-{_config.Name}-proxy");

    /// <summary>True when this machine reaches the target's loopback ports directly (local targets, SSH to 127.x).</summary>
    public bool SharesLoopback { get; }

    public string ContainerFor(string deploymentId) => Sanitize($"{_application}-{_config.Name}-{deploymentId}");

    public async Task<TargetStatus> DescribeTargetAsync(CancellationToken cancellationToken)
    {
        var state = await _target.DescribeAsync(cancellationToken);
        return new TargetStatus(state.Reachable, state.InstanceState, state.InstanceStatus, state.Address, state.Error);
    }

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var state = await _target.DescribeAsync(cancellationToken);
        if (!state.Reachable)
        {
            throw new TargetUnreachableException(TargetName, state.Address ?? TargetName, state.Error ?? "it does not answer");
        }

        _admin = await ConnectProxyAsync(start: true, cancellationToken);
    }

    public async Task DeliverImageAsync(DeployImage image, CancellationToken cancellationToken)
    {
        if (image.FromRegistry && Registry is { Username: { } username } registry && RegistryPassword is { } password)
        {
            await _containers.LoginAsync(registry.Url.Split('/')[0], username, password, cancellationToken);
        }

        await _target.DeliverImageAsync(image.Reference, image.FromRegistry ? ImageDeliveryMode.RegistryPull : ImageDeliveryMode.Stream, cancellationToken);
    }

    public async Task<IReadOnlyList<AppVersion>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        var containers = await _containers.ListAsync(Labels("app"), cancellationToken);
        return containers.Select(c => new AppVersion(c.Name, c.DeploymentId ?? "", c.Version ?? "", c.Image, c.Port ?? 0, c.State)).ToList();
    }

    public async Task<AppVersion> StartVersionAsync(VersionLaunch launch, CancellationToken cancellationToken)
    {
        var name = ContainerFor(launch.DeploymentId);
        var port = await FreePortAsync(_options.AppPortFrom, _options.AppPortTo, ContainerLabels.Port, cancellationToken);
        await _containers.RunAsync(new ContainerSpec
        {
            Name = name,
            Image = launch.Image.Reference,
            App = _application,
            DeploymentId = launch.DeploymentId,
            Version = launch.Version,
            Labels = new Dictionary<string, string> { [LabelTarget] = _config.Name, [LabelRole] = "app" },
            Environment = launch.Environment.Where(e => e.Key != "PORT").ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
            SecretEnvironment = launch.SecretEnvironment.ToDictionary(e => e.Key, e => new SecretValue(e.Value), StringComparer.Ordinal),
            Port = port,
            RestartPolicy = launch.RestartPolicy,
            Cpus = launch.Cpus,
            MemoryBytes = launch.MemoryBytes,
            ReplaceExisting = true,
        }, cancellationToken);
        return new AppVersion(name, launch.DeploymentId, launch.Version, launch.Image.Reference, port, "running");
    }

    public async Task RemoveVersionAsync(AppVersion version, TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        await _containers.StopAsync(version.Container, stopTimeout, cancellationToken);
        await _containers.RemoveAsync(version.Container, force: true, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> LogsTailAsync(AppVersion version, int lines, CancellationToken cancellationToken) =>
        (await _containers.LogsTailAsync(version.Container, lines, cancellationToken)).Select(_mask.Apply).ToList();

    public async Task<InstanceSnapshot?> InspectAsync(AppVersion version, CancellationToken cancellationToken)
    {
        var info = await _containers.InspectAsync(version.Container, cancellationToken);
        if (info is null)
        {
            return new InstanceSnapshot("missing", "the container no longer exists");
        }

        if (info.RestartCount > 0 && info.State is "restarting" or "running")
        {
            // It crashed and Docker restarted it: a version that cannot stay up is not going to pass its checks.
            return new InstanceSnapshot("restarting", $"restarted {info.RestartCount} time(s) after exiting", info.ExitCode);
        }

        return new InstanceSnapshot(info.State, $"{info.State} (exit code {info.ExitCode})", info.State is "exited" or "dead" ? info.ExitCode : null);
    }

    public async Task<VersionStats?> StatsAsync(AppVersion version, CancellationToken cancellationToken) =>
        await _containers.StatsAsync(version.Container, cancellationToken) is { } stats
            ? new VersionStats(stats.CpuPercent, stats.MemoryBytes, stats.MemoryLimitBytes > 0 ? stats.MemoryLimitBytes : null)
            : null;

    public async Task<ContainerCommandResult> ExecAsync(string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await _containers.ExecAsync(container, command, timeout, cancellationToken);
        return new ContainerCommandResult(result.ExitCode, (result.StandardOutput + result.StandardError).Trim(), result.TimedOut);
    }

    public async Task<string> RunHookAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(command, TargetCommandOptions.Default.WithTimeout(timeout), cancellationToken);
        return result.VerifySuccess().StandardOutput + result.StandardError;
    }

    public async Task<IReadOnlyList<BackendTraffic>> GetTrafficAsync(CancellationToken cancellationToken)
    {
        var admin = _admin ??= await ConnectProxyAsync(start: false, cancellationToken);
        if (admin is null)
        {
            return [];
        }

        var state = await admin.GetStateAsync(cancellationToken);
        return state.Backends.Select(b => new BackendTraffic(b.Id, b.Url, b.Weight, b.Weight > 0 ? null : b.DrainStartedAt ?? state.UpdatedAt)).ToList();
    }

    public async Task SetTrafficAsync(IReadOnlyList<ProxyBackend> backends, TimeSpan drainTimeout, CancellationToken cancellationToken) =>
        await Admin.SetBackendsAsync(backends, drainTimeout, cancellationToken);

    public Task<bool> WaitUntilDrainedAsync(string backendId, TimeSpan timeout, CancellationToken cancellationToken) =>
        Admin.WaitUntilDrainedAsync(backendId, timeout, cancellationToken);

    public Task<BackendMetrics> GetMetricsAsync(string backendId, TimeSpan window, CancellationToken cancellationToken) =>
        Admin.GetMetricsAsync(backendId, window, cancellationToken);

    public async Task PruneImagesAsync(int keep, CancellationToken cancellationToken)
    {
        await _containers.RetainImagesAsync(_application, Math.Max(1, keep), cancellationToken);
        await _containers.PruneStoppedContainersAsync(_application, 0, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _admin?.Dispose();
        ProbeRelay?.Dispose();
        if (_ownsTarget)
        {
            await _target.DisposeAsync();
        }
    }

    internal static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray();
        return new string(chars).TrimStart('-', '.', '_');
    }

    private ProxyAdminClient Admin => _admin ?? throw new InvalidOperationException($"the edge proxy of {_application} on {TargetName} has not been prepared");

    private Dictionary<string, string?> Labels(string role) => new()
    {
        [ContainerLabels.App] = _application,
        [LabelTarget] = _config.Name,
        [LabelRole] = role,
    };

    /// <summary>A port in the range no DeployMind container on the engine is labelled with and, where this machine shares the target's loopback, that nothing listens on.</summary>
    private async Task<int> FreePortAsync(int from, int to, string label, CancellationToken cancellationToken)
    {
        var taken = (await _containers.ListAsync(new Dictionary<string, string?> { [label] = null }, cancellationToken))
            .Select(c => int.TryParse(c.Labels.GetValueOrDefault(label), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0)
            .ToHashSet();
        taken.Add(_config.AppPort);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(from, to + 1);
            if (!taken.Contains(port) && (!SharesLoopback || IsFree(port)))
            {
                return port;
            }
        }

        throw new InvalidInputException("ports", $"no free port between {from} and {to} on target {TargetName}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Finds this application's proxy on the target (starting it when asked and it does not answer); null when absent and not started.</summary>
    private async Task<ProxyAdminClient?> ConnectProxyAsync(bool start, CancellationToken cancellationToken)
    {
        var found = await _containers.ListAsync(Labels("proxy"), cancellationToken);
        if (found.FirstOrDefault(c => c.Running) is { } proxy && await TokenOfAsync(proxy.Name, cancellationToken) is { } token
            && int.TryParse(proxy.Labels.GetValueOrDefault(LabelAdminPort), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            var client = CreateClient(port, token);
            if (await AnswersAsync(client, cancellationToken))
            {
                return client;
            }

            client.Dispose();
        }

        return start ? await StartProxyAsync(cancellationToken) : null;
    }

    private async Task<string?> TokenOfAsync(string container, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(["docker", "container", "inspect", "--format", "{{json .Config.Env}}", container],
            TargetCommandOptions.Default.WithTimeout(_options.CommandTimeout), cancellationToken);
        if (!result.Succeeded)
        {
            return null;
        }

        var variables = System.Text.Json.JsonSerializer.Deserialize<string[]>(result.StandardOutput.Trim()) ?? [];
        var token = variables.FirstOrDefault(e => e.StartsWith(TokenVariable + "=", StringComparison.Ordinal))?[(TokenVariable.Length + 1)..];
        _mask.Add(token);
        return token;
    }

    private ProxyAdminClient CreateClient(int port, string token)
    {
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        return SharesLoopback
            ? new ProxyAdminClient(url, token, _options.AdminTimeout)
            : new ProxyAdminClient(url, token, _options.AdminTimeout, new TargetRelayHandler(_target, _options.AdminTimeout));
    }

    private async Task<ProxyAdminClient> StartProxyAsync(CancellationToken cancellationToken)
    {
        await _containers.RemoveAsync(ProxyContainer, force: true, cancellationToken);
        try
        {
            await _target.DeliverImageAsync(_options.ProxyImage, ImageDeliveryMode.Stream, cancellationToken);
        }
        catch (ImageDeliveryException ex)
        {
            throw new EdgeProxyException(TargetName,
                $"the edge proxy image {_options.ProxyImage} is not available for target '{TargetName}': {ex.Reason}; " +
                $"build it with `bash scripts/proxy-image.sh {_options.ProxyImage[(_options.ProxyImage.LastIndexOf(':') + 1)..]}` (or set DEPLOYMIND_PROXY_IMAGE to one that exists)", ex);
        }

        var adminPort = await FreePortAsync(_options.AdminPortFrom, _options.AdminPortTo, LabelAdminPort, cancellationToken);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _mask.Add(token);
        // Run directly rather than through ContainerSpec: the proxy needs a volume, so its backend set survives a new container.
        string[] arguments =
        [
            "docker", "run", "--detach", "--name", ProxyContainer, "--network", "host", "--restart", "unless-stopped",
            "--label", $"{ContainerLabels.Managed}=true", "--label", $"{ContainerLabels.App}={_application}",
            "--label", $"{LabelTarget}={_config.Name}", "--label", $"{LabelRole}=proxy",
            "--label", $"{LabelAdminPort}={adminPort.ToString(CultureInfo.InvariantCulture)}",
            "--volume", $"{ProxyContainer}-state:{StateDirectory}",
            "--env-file", "/dev/stdin",
            _options.ProxyImage,
            "--listen", $"0.0.0.0:{_config.AppPort.ToString(CultureInfo.InvariantCulture)}",
            "--admin", $"127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}",
            "--state-file", $"{StateDirectory}/state.json",
        ];
        var options = TargetCommandOptions.Default.WithTimeout(_options.CommandTimeout).WithInput($"{TokenVariable}={token}\n").WithSecrets(token);
        (await _target.RunAsync(arguments, options, cancellationToken)).VerifySuccess();
        var client = CreateClient(adminPort, token);
        var deadline = _clock.GetUtcNow() + _options.ProxyStartTimeout;
        while (!await AnswersAsync(client, cancellationToken))
        {
            var state = await _containers.InspectAsync(ProxyContainer, cancellationToken);
            if (state is not { Running: true } || _clock.GetUtcNow() > deadline)
            {
                var logs = await _containers.LogsTailAsync(ProxyContainer, 20, cancellationToken, [token]);
                client.Dispose();
                await _containers.RemoveAsync(ProxyContainer, force: true, cancellationToken);
                throw new EdgeProxyException(TargetName,
                    $"the edge proxy of {_application} on target '{TargetName}' did not start (app_port {_config.AppPort}): {string.Join(" | ", logs.TakeLast(5))}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _clock, cancellationToken);
        }

        return client;
    }

    private static async Task<bool> AnswersAsync(ProxyAdminClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetStateAsync(cancellationToken);
            return true;
        }
        catch (ProxyAdminException)
        {
            return false;
        }
    }
}
