using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DeployMind.Deploy.Health;
using DeployMind.Deploy.Targets;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;
using DeployMind.Proxy.Admin;

namespace DeployMind.Deploy.Strategies;

/// <summary>
/// An application on a Docker target, driven with the docker CLI through <see cref="IDeployTarget"/> (argument lists, secrets
/// through standard input). Versions run with --network host on their own loopback port (PORT), labelled with the
/// application, target, deployment, version and port, so the containers themselves are the record of what runs where. The
/// edge proxy is a container too (deploymind-proxy, listening on the target's app_port, admin API on a loopback port, backend
/// set persisted in a volume); its admin token lives only in that container's environment.
/// </summary>
public sealed class DockerAppHost : IAppHost, IContainerCommandExecutor
{
    public const string LabelApp = "deploymind.app";
    public const string LabelTarget = "deploymind.target";
    public const string LabelRole = "deploymind.role";
    public const string LabelDeployment = "deploymind.deployment";
    public const string LabelVersion = "deploymind.version";
    public const string LabelPort = "deploymind.port";
    public const string LabelAdminPort = "deploymind.admin_port";
    public const string TokenVariable = "DEPLOYMIND_PROXY_ADMIN_TOKEN";
    private const string StateDirectory = "/var/lib/deploymind-proxy";

    private readonly IDeployTarget _target;
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
        _config = config;
        _application = application;
        _options = options;
        _mask = mask;
        _clock = clock;
        _ownsTarget = ownsTarget;
        ProbeHost = config.Type == TargetType.Ssh && config.Host is { } host ? host : "127.0.0.1";
    }

    public string TargetName => _config.Name;

    public string ProbeHost { get; }

    public string PublicUrl => $"http://{(ProbeHost.Contains(':', StringComparison.Ordinal) ? $"[{ProbeHost}]" : ProbeHost)}:{_config.AppPort}/";

    public IContainerCommandExecutor Executor => this;

    /// <summary>The proxy container's name for this application on this target.</summary>
    public string ProxyContainer => Sanitize($"{_application}-{_config.Name}-proxy");

    /// <summary>True when this machine reaches the target's loopback ports directly (local targets, SSH to 127.x).</summary>
    public bool SharesLoopback => _config.Type == TargetType.Local || (IPAddress.TryParse(ProbeHost, out var ip) && IPAddress.IsLoopback(ip)) || ProbeHost == "localhost";

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

    public Task DeliverImageAsync(AppImage image, CancellationToken cancellationToken) =>
        _target.DeliverImageAsync(image.Reference, image.FromRegistry ? ImageDeliveryMode.RegistryPull : ImageDeliveryMode.Stream, cancellationToken);

    public async Task<IReadOnlyList<AppVersion>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        var containers = await InspectByLabelsAsync(cancellationToken, $"{LabelApp}={_application}", $"{LabelTarget}={_config.Name}", $"{LabelRole}=app");
        return containers.Select(ToVersion).ToList();
    }

    public async Task<AppVersion> StartVersionAsync(VersionLaunch launch, CancellationToken cancellationToken)
    {
        var name = ContainerFor(launch.DeploymentId);
        var port = await FreePortAsync(_options.AppPortFrom, _options.AppPortTo, LabelPort, cancellationToken);
        var arguments = new List<string>
        {
            "docker", "run", "--detach", "--name", name, "--network", "host", "--restart", launch.RestartPolicy,
            "--label", $"{LabelApp}={_application}", "--label", $"{LabelTarget}={_config.Name}", "--label", $"{LabelRole}=app",
            "--label", $"{LabelDeployment}={launch.DeploymentId}", "--label", $"{LabelVersion}={launch.Version}",
            "--label", $"{LabelPort}={port.ToString(CultureInfo.InvariantCulture)}",
            "--env", $"PORT={port.ToString(CultureInfo.InvariantCulture)}",
        };
        foreach (var (key, value) in launch.Environment.Where(e => e.Key != "PORT"))
        {
            arguments.AddRange(["--env", $"{key}={value}"]);
        }

        if (launch.Cpus is { } cpus)
        {
            arguments.AddRange(["--cpus", cpus.ToString("0.###", CultureInfo.InvariantCulture)]);
        }

        if (launch.MemoryBytes is { } memory)
        {
            arguments.AddRange(["--memory", memory.ToString(CultureInfo.InvariantCulture)]);
        }

        var options = CommandOptions;
        if (launch.SecretEnvironment.Count > 0)
        {
            // Secret values go through standard input as an env file: never on a command line, in `ps` or in a log.
            arguments.AddRange(["--env-file", "/dev/stdin"]);
            options = options.WithInput(EnvFile(launch.SecretEnvironment)).WithSecrets(launch.SecretEnvironment.Values);
        }

        arguments.Add(launch.Image.Reference);
        await RemoveIfPresentAsync(name, cancellationToken);
        var result = await _target.RunAsync(arguments, options, cancellationToken);
        if (!result.Succeeded)
        {
            await RemoveIfPresentAsync(name, cancellationToken);
            throw new TargetCommandFailedException(result);
        }

        return new AppVersion(name, launch.DeploymentId, launch.Version, launch.Image.Reference, port, "running");
    }

    public async Task RemoveVersionAsync(AppVersion version, TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(stopTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await _target.RunAsync(["docker", "stop", "--time", seconds, version.Container], CommandOptions, cancellationToken);
        await RemoveIfPresentAsync(version.Container, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> LogsTailAsync(AppVersion version, int lines, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(["docker", "logs", "--tail", lines.ToString(CultureInfo.InvariantCulture), version.Container],
            CommandOptions, cancellationToken);
        var text = (result.StandardOutput + "\n" + result.StandardError).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return text.TakeLast(lines).Select(_mask.Apply).ToList();
    }

    public async Task<InstanceSnapshot?> InspectAsync(AppVersion version, CancellationToken cancellationToken)
    {
        var found = await InspectAsync([version.Container], cancellationToken);
        if (found.Count == 0)
        {
            return new InstanceSnapshot("missing", "the container no longer exists");
        }

        var state = found[0].GetProperty("State");
        var status = state.GetProperty("Status").GetString();
        var exitCode = state.GetProperty("ExitCode").GetInt32();
        var restarts = found[0].TryGetProperty("RestartCount", out var r) ? r.GetInt32() : 0;
        if (restarts > 0 && status is "restarting" or "running")
        {
            // It crashed and Docker restarted it: a version that cannot stay up is not going to pass its checks.
            return new InstanceSnapshot("restarting", $"restarted {restarts} time(s) after exiting", exitCode);
        }

        return new InstanceSnapshot(status, $"{status} (exit code {exitCode})", status is "exited" or "dead" ? exitCode : null);
    }

    public async Task<VersionStats?> StatsAsync(AppVersion version, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(["docker", "stats", "--no-stream", "--no-trunc", "--format", "{{json .}}", version.Container],
            CommandOptions, cancellationToken);
        if (!result.Succeeded || string.IsNullOrWhiteSpace(result.StandardOutput))
        {
            return null;
        }

        using var json = JsonDocument.Parse(result.StandardOutput.Trim().Split('\n')[0]);
        var cpu = Percent(json.RootElement.GetProperty("CPUPerc").GetString());
        var usage = (json.RootElement.GetProperty("MemUsage").GetString() ?? "").Split('/', StringSplitOptions.TrimEntries);
        return new VersionStats(cpu, Bytes(usage.ElementAtOrDefault(0)) ?? 0, Bytes(usage.ElementAtOrDefault(1)));
    }

    public async Task<ContainerCommandResult> ExecAsync(string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(["docker", "exec", container, .. command], CommandOptions.WithTimeout(timeout), cancellationToken);
        return new ContainerCommandResult(result.ExitCode, (result.StandardOutput + result.StandardError).Trim(), result.TimedOut);
    }

    public async Task<string> RunHookAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(command, CommandOptions.WithTimeout(timeout), cancellationToken);
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
        var result = await _target.RunAsync(["docker", "images", "--no-trunc", "--format", "{{json .}}", _application], CommandOptions, cancellationToken);
        if (!result.Succeeded)
        {
            return;
        }

        var images = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (Reference: $"{e.GetProperty("Repository").GetString()}:{e.GetProperty("Tag").GetString()}", Created: e.GetProperty("CreatedAt").GetString() ?? ""))
            .Where(i => !i.Reference.EndsWith(":<none>", StringComparison.Ordinal))
            .OrderByDescending(i => i.Created, StringComparer.Ordinal).ToList();
        var used = (await ListVersionsAsync(cancellationToken)).Select(v => v.Image).ToHashSet(StringComparer.Ordinal);
        foreach (var image in images.Skip(keep).Where(i => !used.Contains(i.Reference)))
        {
            // An image a stopped container still uses is refused by docker; it goes with that container later.
            await _target.RunAsync(["docker", "rmi", image.Reference], CommandOptions, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _admin?.Dispose();
        if (_ownsTarget)
        {
            await _target.DisposeAsync();
        }
    }

    internal static string EnvFile(IReadOnlyDictionary<string, string> variables)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in variables)
        {
            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                throw new InvalidInputException(key, $"the value of {key} spans several lines, which a container environment cannot hold; store it on one line (e.g. base64)");
            }

            text.Append(key).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    internal static double Percent(string? text) =>
        double.TryParse(text?.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    internal static long? Bytes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var units = new (string Suffix, double Factor)[]
        {
            ("KiB", 1024), ("MiB", 1024 * 1024), ("GiB", 1024.0 * 1024 * 1024), ("TiB", 1024.0 * 1024 * 1024 * 1024),
            ("kB", 1000), ("KB", 1000), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
        };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return (long)(number * factor);
            }
        }

        return null;
    }

    internal static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray();
        return new string(chars).TrimStart('-', '.', '_');
    }

    private TargetCommandOptions CommandOptions => TargetCommandOptions.Default.WithTimeout(_options.CommandTimeout);

    private ProxyAdminClient Admin => _admin ?? throw new InvalidOperationException($"the edge proxy of {_application} on {TargetName} has not been prepared");

    private AppVersion ToVersion(JsonElement container)
    {
        var labels = container.GetProperty("Config").GetProperty("Labels");
        string Label(string key) => labels.TryGetProperty(key, out var value) ? value.GetString() ?? "" : "";
        var port = int.TryParse(Label(LabelPort), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
        return new AppVersion(container.GetProperty("Name").GetString()!.TrimStart('/'), Label(LabelDeployment), Label(LabelVersion),
            container.GetProperty("Config").GetProperty("Image").GetString() ?? "", port, container.GetProperty("State").GetProperty("Status").GetString() ?? "unknown");
    }

    private async Task<IReadOnlyList<JsonElement>> InspectByLabelsAsync(CancellationToken cancellationToken, params string[] labels)
    {
        var arguments = new List<string> { "docker", "ps", "--all", "--quiet", "--no-trunc" };
        foreach (var label in labels)
        {
            arguments.AddRange(["--filter", $"label={label}"]);
        }

        var ids = (await _target.RunAsync(arguments, CommandOptions, cancellationToken)).VerifySuccess().StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return ids.Length == 0 ? [] : await InspectAsync(ids, cancellationToken);
    }

    private async Task<IReadOnlyList<JsonElement>> InspectAsync(IReadOnlyList<string> containers, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(["docker", "inspect", .. containers], CommandOptions, cancellationToken);
        if (!result.Succeeded && result.StandardError.Contains("No such", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(result.StandardOutput.Trim('[', ']', ' ', '\n')))
        {
            return [];
        }

        // A container removed between `ps` and `inspect` is simply left out (docker prints the others and exits 1).
        var text = result.StandardOutput.Trim();
        if (text.Length == 0)
        {
            result.VerifySuccess();
            return [];
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private async Task RemoveIfPresentAsync(string container, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(["docker", "rm", "--force", container], CommandOptions, cancellationToken);
        if (!result.Succeeded && !result.StandardError.Contains("No such container", StringComparison.OrdinalIgnoreCase))
        {
            result.VerifySuccess();
        }
    }

    /// <summary>A port in the range no DeployMind container on the engine is labelled with and, where this machine shares the target's loopback, that nothing listens on.</summary>
    private async Task<int> FreePortAsync(int from, int to, string label, CancellationToken cancellationToken)
    {
        var taken = (await _target.RunAsync(["docker", "ps", "--all", "--filter", $"label={label}", "--format", $"{{{{.Label \"{label}\"}}}}"],
                CommandOptions, cancellationToken)).VerifySuccess().StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0).ToHashSet();
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

    /// <summary>Finds this application's proxy on the target (and starts it when asked and it is not running); null when absent and not started.</summary>
    private async Task<ProxyAdminClient?> ConnectProxyAsync(bool start, CancellationToken cancellationToken)
    {
        var found = await InspectByLabelsAsync(cancellationToken, $"{LabelApp}={_application}", $"{LabelTarget}={_config.Name}", $"{LabelRole}=proxy");
        var proxy = found.Count == 0 ? default : found[0];
        if (proxy.ValueKind == JsonValueKind.Object && proxy.GetProperty("State").GetProperty("Running").GetBoolean())
        {
            var client = ClientFor(proxy);
            if (await AnswersAsync(client, cancellationToken))
            {
                return client;
            }

            client.Dispose();
        }

        if (!start)
        {
            return null;
        }

        return await StartProxyAsync(cancellationToken);
    }

    private ProxyAdminClient ClientFor(JsonElement proxy)
    {
        var labels = proxy.GetProperty("Config").GetProperty("Labels");
        var port = int.Parse(labels.GetProperty(LabelAdminPort).GetString()!, NumberStyles.None, CultureInfo.InvariantCulture);
        var token = proxy.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString() ?? "")
            .FirstOrDefault(e => e.StartsWith(TokenVariable + "=", StringComparison.Ordinal))?[(TokenVariable.Length + 1)..]
            ?? throw new InvalidOperationException($"the edge proxy container {ProxyContainer} on {TargetName} has no admin token");
        _mask.Add(token);
        return CreateClient(port, token);
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
        await RemoveIfPresentAsync(ProxyContainer, cancellationToken);
        await _target.DeliverImageAsync(_options.ProxyImage, ImageDeliveryMode.Stream, cancellationToken);
        var adminPort = await FreePortAsync(_options.AdminPortFrom, _options.AdminPortTo, LabelAdminPort, cancellationToken);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _mask.Add(token);
        string[] arguments =
        [
            "docker", "run", "--detach", "--name", ProxyContainer, "--network", "host", "--restart", "unless-stopped",
            "--label", $"{LabelApp}={_application}", "--label", $"{LabelTarget}={_config.Name}", "--label", $"{LabelRole}=proxy",
            "--label", $"{LabelAdminPort}={adminPort.ToString(CultureInfo.InvariantCulture)}",
            "--volume", $"{ProxyContainer}-state:{StateDirectory}",
            "--env-file", "/dev/stdin",
            _options.ProxyImage,
            "--listen", $"0.0.0.0:{_config.AppPort.ToString(CultureInfo.InvariantCulture)}",
            "--admin", $"127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}",
            "--state-file", $"{StateDirectory}/state.json",
        ];
        var result = await _target.RunAsync(arguments, CommandOptions.WithInput($"{TokenVariable}={token}\n").WithSecrets(token), cancellationToken);
        result.VerifySuccess();
        var client = CreateClient(adminPort, token);
        var deadline = _clock.GetUtcNow() + _options.ProxyStartTimeout;
        while (!await AnswersAsync(client, cancellationToken))
        {
            var state = await InspectAsync([ProxyContainer], cancellationToken);
            var running = state.Count > 0 && state[0].GetProperty("State").GetProperty("Running").GetBoolean();
            if (!running || _clock.GetUtcNow() > deadline)
            {
                var logs = await LogsTailAsync(new AppVersion(ProxyContainer, "", "", _options.ProxyImage, 0, "exited"), 20, cancellationToken);
                client.Dispose();
                await RemoveIfPresentAsync(ProxyContainer, cancellationToken);
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
