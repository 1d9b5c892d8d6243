using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeployMind.Deploy.Targets;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Containers;

/// <summary>
/// Containers on one target through the docker CLI there (every call an argument list run by <see cref="IDeployTarget"/>):
/// run with env, secrets, labels, limits and restart policy; stop, remove, list by label, logs, stats, exec; images and
/// their retention. Failures of docker itself surface as <see cref="TargetCommandFailedException"/>.
/// </summary>
public sealed partial class ContainerHost
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    // One short JSON object per container (a full inspect is ~10 KB each, and SSM returns at most 24,000 characters).
    internal const string InspectFormat =
        "{\"Id\":{{json .Id}},\"Name\":{{json .Name}},\"Image\":{{json .Config.Image}},\"ImageId\":{{json .Image}}," +
        "\"Status\":{{json .State.Status}},\"ExitCode\":{{.State.ExitCode}},\"Error\":{{json .State.Error}}," +
        "\"RestartCount\":{{.RestartCount}},\"Created\":{{json .Created}},\"StartedAt\":{{json .State.StartedAt}}," +
        "\"FinishedAt\":{{json .State.FinishedAt}},\"Health\":{{with index .State \"Health\"}}{{json .Status}}{{else}}null{{end}}," +
        "\"Labels\":{{json .Config.Labels}}}";

    public ContainerHost(IDeployTarget target)
    {
        Target = target ?? throw new ArgumentNullException(nameof(target));
    }

    public IDeployTarget Target { get; }

    /// <summary>Bound on short docker calls (inspect, list, rm, stats, logs).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Bound on <c>docker run -d</c> (creating and starting, not the app's own start-up).</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Starts the container detached and returns its id. Secrets go through standard input only.</summary>
    public async Task<string> RunAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (arguments, envFile, secrets) = BuildRun(spec);
        if (spec.ReplaceExisting)
        {
            await RemoveAsync(spec.Name, force: true, cancellationToken);
        }

        var options = new TargetCommandOptions { Timeout = RunTimeout, Secrets = secrets };
        if (envFile is not null)
        {
            options = options.WithInput(envFile);
        }

        var result = await Target.RunAsync(arguments, options, cancellationToken);
        result.VerifySuccess();
        var id = result.StandardOutput.Trim().Split('\n').LastOrDefault()?.Trim();
        return string.IsNullOrEmpty(id) ? throw new TargetCommandFailedException(result with { ExitCode = -2 }) : id;
    }

    /// <summary>The <c>docker run</c> argument list, the env file fed to its standard input, and the values to mask.</summary>
    internal static (IReadOnlyList<string> Arguments, string? EnvFile, IReadOnlyList<string> Secrets) BuildRun(ContainerSpec spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Image);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.App);
        if (!ContainerName().IsMatch(spec.Name))
        {
            throw new InvalidInputException("container_name",
                $"container name '{spec.Name}' is not valid; use letters, digits, '_', '.' or '-', starting with a letter or digit");
        }

        if (!RestartPolicy().IsMatch(spec.RestartPolicy))
        {
            throw new InvalidInputException("restart_policy",
                $"restart policy '{spec.RestartPolicy}' is not one of no, always, unless-stopped, on-failure[:N]");
        }

        var arguments = new List<string> { "docker", "run", "--detach", "--name", spec.Name };
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ContainerLabels.Managed] = "true",
            [ContainerLabels.App] = spec.App,
        };
        if (spec.DeploymentId is { Length: > 0 } deploymentId)
        {
            labels[ContainerLabels.DeploymentId] = deploymentId;
        }

        if (spec.Version is { Length: > 0 } version)
        {
            labels[ContainerLabels.Version] = version;
        }

        if (spec.Port is { } port)
        {
            labels[ContainerLabels.Port] = port.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in spec.Labels)
        {
            labels[key] = value;
        }

        foreach (var (key, value) in labels)
        {
            arguments.Add("--label");
            arguments.Add($"{key}={value}");
        }

        arguments.Add("--restart");
        arguments.Add(spec.RestartPolicy);
        if (spec.HostNetwork)
        {
            arguments.Add("--network");
            arguments.Add("host");
        }

        if (spec.Cpus is { } cpus)
        {
            if (cpus <= 0)
            {
                throw new InvalidInputException("cpus", $"cpu limit must be positive (was {cpus})");
            }

            arguments.Add("--cpus");
            arguments.Add(cpus.ToString("0.###", CultureInfo.InvariantCulture));
        }

        if (spec.MemoryBytes is { } memory)
        {
            if (memory < 6 * 1024 * 1024)
            {
                throw new InvalidInputException("memory", $"memory limit must be at least 6 MiB, docker's minimum (was {memory} bytes)");
            }

            arguments.Add("--memory");
            arguments.Add(memory.ToString(CultureInfo.InvariantCulture));
        }

        if (spec.StopTimeoutSeconds is { } stopTimeout)
        {
            arguments.Add("--stop-timeout");
            arguments.Add(stopTimeout.ToString(CultureInfo.InvariantCulture));
        }

        // Every variable goes through the env file, so none (secret or not) is on the command line.
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in spec.Environment)
        {
            environment[key] = value;
        }

        if (spec.Port is { } portValue)
        {
            environment["PORT"] = portValue.ToString(CultureInfo.InvariantCulture);
        }

        var secrets = new List<string>();
        foreach (var (key, value) in spec.SecretEnvironment)
        {
            environment[key] = value.Reveal();
            secrets.Add(value.Reveal());
        }

        string? envFile = null;
        if (environment.Count > 0)
        {
            var text = new StringBuilder();
            foreach (var (key, value) in environment)
            {
                if (!EnvName().IsMatch(key))
                {
                    throw new InvalidInputException("env", $"environment variable name '{key}' is not valid; use letters, digits and '_', not starting with a digit");
                }

                if (value.Contains('\n') || value.Contains('\r') || value.Contains('\0'))
                {
                    throw new InvalidInputException("env",
                        $"environment variable {key} has a line break in its value, which docker's env file cannot carry; encode it (e.g. base64)");
                }

                text.Append(key).Append('=').Append(value).Append('\n');
            }

            envFile = text.ToString();
            arguments.Add("--env-file");
            arguments.Add("/dev/stdin");
        }

        if (spec.Entrypoint is { } entrypoint)
        {
            arguments.Add("--entrypoint");
            arguments.Add(entrypoint);
        }

        arguments.Add(spec.Image);
        arguments.AddRange(spec.Command);
        return (arguments, envFile, secrets);
    }

    /// <summary>Stops the container, waiting up to <paramref name="timeout"/> before it is killed; false when there is no such container.</summary>
    public async Task<bool> StopAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seconds = (int)Math.Ceiling(Math.Max(0, timeout.TotalSeconds));
        var result = await RunAsync(["docker", "stop", "--time", seconds.ToString(CultureInfo.InvariantCulture), name],
            Timeout + TimeSpan.FromSeconds(seconds), cancellationToken);
        return NotFoundOrSuccess(result);
    }

    /// <summary>Removes the container (<paramref name="force"/> stops a running one first); false when there is no such container.</summary>
    public async Task<bool> RemoveAsync(string name, bool force, CancellationToken cancellationToken)
    {
        List<string> arguments = force ? ["docker", "rm", "--force", name] : ["docker", "rm", name];
        var result = await RunAsync(arguments, Timeout, cancellationToken);
        return NotFoundOrSuccess(result);
    }

    /// <summary>One container by name or id; null when there is none.</summary>
    public async Task<ContainerInfo?> InspectAsync(string nameOrId, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["docker", "container", "inspect", "--format", InspectFormat, nameOrId], Timeout, cancellationToken);
        if (!result.Succeeded && IsNoSuch(result))
        {
            return null;
        }

        result.VerifySuccess();
        return ParseInspect(result.StandardOutput).SingleOrDefault();
    }

    /// <summary>
    /// Containers (running or not) carrying every given label; a null value matches the label with any value.
    /// With no filter, every container DeployMind manages.
    /// </summary>
    public async Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string?>? labels, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "docker", "ps", "--all", "--quiet", "--no-trunc" };
        var filters = labels is { Count: > 0 } ? labels : new Dictionary<string, string?> { [ContainerLabels.Managed] = "true" };
        foreach (var (key, value) in filters)
        {
            arguments.Add("--filter");
            arguments.Add(value is null ? $"label={key}" : $"label={key}={value}");
        }

        var ids = (await RunAsync(arguments, Timeout, cancellationToken)).VerifySuccess().StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0)
        {
            return [];
        }

        var inspect = await RunAsync(["docker", "container", "inspect", "--format", InspectFormat, .. ids], Timeout, cancellationToken);
        // A container removed between the two calls makes inspect fail for it only; the others are still printed.
        if (!inspect.Succeeded && !IsNoSuch(inspect))
        {
            inspect.VerifySuccess();
        }

        return [.. ParseInspect(inspect.StandardOutput).OrderBy(c => c.CreatedAt).ThenBy(c => c.Name, StringComparer.Ordinal)];
    }

    /// <summary>Containers of one app (optionally of one deployment).</summary>
    public Task<IReadOnlyList<ContainerInfo>> ListAppAsync(string app, string? deploymentId, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string?> { [ContainerLabels.App] = app };
        if (deploymentId is not null)
        {
            labels[ContainerLabels.DeploymentId] = deploymentId;
        }

        return ListAsync(labels, cancellationToken);
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines the container wrote (standard output and error merged in time order),
    /// with <paramref name="secrets"/> masked. Empty when there is no such container.
    /// </summary>
    public async Task<IReadOnlyList<string>> LogsTailAsync(string name, int lines, CancellationToken cancellationToken,
        IReadOnlyList<string>? secrets = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lines);
        var result = await Target.RunAsync(
            ["docker", "logs", "--timestamps", "--tail", lines.ToString(CultureInfo.InvariantCulture), name],
            new TargetCommandOptions { Timeout = Timeout, Secrets = secrets ?? [] }, cancellationToken);
        if (!result.Succeeded && IsNoSuch(result))
        {
            return [];
        }

        result.VerifySuccess();
        var merged = Timestamped(result.StandardOutput).Concat(Timestamped(result.StandardError))
            .OrderBy(l => l.At, StringComparer.Ordinal)
            .Select(l => l.Text)
            .ToList();
        return merged.Count > lines ? merged[^lines..] : merged;
    }

    /// <summary>One sample of the container's CPU and memory use; null when it does not run.</summary>
    public async Task<ContainerStats?> StatsAsync(string name, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["docker", "stats", "--no-stream", "--no-trunc", "--format", "{{json .}}", name],
            Timeout, cancellationToken);
        if (!result.Succeeded && IsNoSuch(result))
        {
            return null;
        }

        result.VerifySuccess();
        var line = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return line is null ? null : ParseStats(line);
    }

    /// <summary>Runs a program inside the running container (command health checks, hooks).</summary>
    public Task<TargetCommandResult> ExecAsync(string name, IReadOnlyList<string> command, TimeSpan timeout,
        CancellationToken cancellationToken, IReadOnlyList<string>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0)
        {
            throw new ArgumentException("exec needs a program", nameof(command));
        }

        return Target.RunAsync(["docker", "exec", name, .. command],
            new TargetCommandOptions { Timeout = timeout, Secrets = secrets ?? [] }, cancellationToken);
    }

    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["docker", "image", "inspect", "--format", "{{.Id}}", image], Timeout, cancellationToken);
        if (result.Succeeded)
        {
            return true;
        }

        return IsNoSuch(result) ? false : throw new TargetCommandFailedException(result);
    }

    /// <summary>Removes one image reference (a tag, or an id when no container uses it).</summary>
    public async Task<ImageRemoval> RemoveImageAsync(string image, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["docker", "rmi", image], Timeout, cancellationToken);
        if (result.Succeeded)
        {
            return ImageRemoval.Removed;
        }

        if (result.StandardError.Contains("is being used", StringComparison.OrdinalIgnoreCase)
            || result.StandardError.Contains("is using its referenced image", StringComparison.OrdinalIgnoreCase)
            || result.StandardError.Contains("image is referenced in multiple repositories", StringComparison.OrdinalIgnoreCase))
        {
            return ImageRemoval.InUse;
        }

        return IsNoSuch(result) ? ImageRemoval.NotFound : throw new TargetCommandFailedException(result);
    }

    /// <summary>
    /// The app's images: tags of repository <paramref name="repository"/> (the app name by default, with or without a
    /// registry prefix) and images labelled <see cref="ContainerLabels.App"/>, newest first.
    /// </summary>
    public async Task<IReadOnlyList<AppImage>> ListAppImagesAsync(string app, string? repository, CancellationToken cancellationToken)
    {
        var repo = repository ?? app;
        var all = await ListImagesAsync([], cancellationToken);
        var labelled = (await ListImagesAsync(["--filter", $"label={ContainerLabels.App}={app}"], cancellationToken))
            .Select(i => i.Reference).ToHashSet(StringComparer.Ordinal);
        var mine = all.Where(i => labelled.Contains(i.Reference) || RepositoryOf(i.Reference) == repo
                                  || RepositoryOf(i.Reference).EndsWith("/" + repo, StringComparison.Ordinal)).ToList();
        if (mine.Count == 0)
        {
            return [];
        }

        // `docker image ls` prints creation times to the second; inspect has them to the nanosecond.
        var ids = mine.Select(i => i.Id).Distinct(StringComparer.Ordinal).ToList();
        var inspect = (await RunAsync(["docker", "image", "inspect", "--format", "{{.Id}} {{.Created}}", .. ids], Timeout,
            cancellationToken)).VerifySuccess();
        var created = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var line in inspect.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && ParseIso(parts[1]) is { } at)
            {
                created[parts[0]] = at;
            }
        }

        return
        [
            .. mine.Select(i => created.TryGetValue(i.Id, out var at) ? i with { CreatedAt = at } : i)
                .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Reference, StringComparer.Ordinal),
        ];
    }

    /// <summary>
    /// Keeps the newest <paramref name="keep"/> images of the app (counted by image id) and every image a container
    /// still uses, so a rollback never needs a rebuild or a registry; removes the other tags.
    /// </summary>
    public async Task<ImageRetentionResult> RetainImagesAsync(string app, int keep, CancellationToken cancellationToken,
        string? repository = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keep);
        var images = await ListAppImagesAsync(app, repository, cancellationToken);
        var used = await ImagesInUseAsync(cancellationToken);
        var keptIds = images.Select(i => i.Id).Distinct(StringComparer.Ordinal).Take(keep).ToHashSet(StringComparer.Ordinal);
        var kept = new List<AppImage>();
        var removed = new List<AppImage>();
        var inUse = new List<AppImage>();
        foreach (var image in images)
        {
            if (keptIds.Contains(image.Id))
            {
                kept.Add(image);
            }
            else if (used.Contains(image.Id) || used.Contains(image.Reference))
            {
                inUse.Add(image);
            }
            else
            {
                switch (await RemoveImageAsync(image.Reference, cancellationToken))
                {
                    case ImageRemoval.Removed:
                    case ImageRemoval.NotFound:
                        removed.Add(image);
                        break;
                    case ImageRemoval.InUse:
                        inUse.Add(image);
                        break;
                }
            }
        }

        return new ImageRetentionResult(kept, removed, inUse);
    }

    /// <summary>Removes the app's stopped containers beyond the newest <paramref name="keep"/>; returns the removed names.</summary>
    public async Task<IReadOnlyList<string>> PruneStoppedContainersAsync(string app, int keep, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        var stopped = (await ListAppAsync(app, null, cancellationToken))
            .Where(c => c.State is "exited" or "created" or "dead")
            .OrderByDescending(c => c.CreatedAt)
            .Skip(keep)
            .ToList();
        var removed = new List<string>();
        foreach (var container in stopped)
        {
            if (await RemoveAsync(container.Id, force: false, cancellationToken))
            {
                removed.Add(container.Name);
            }
        }

        return removed;
    }

    /// <summary><c>docker login</c> on the target with the password on standard input (never on the command line).</summary>
    public async Task LoginAsync(string registry, string username, SecretValue password, CancellationToken cancellationToken)
    {
        var result = await Target.RunAsync(["docker", "login", "--username", username, "--password-stdin", registry],
            new TargetCommandOptions { Timeout = Timeout, Secrets = [password.Reveal()] }.WithInput(password.Reveal()),
            cancellationToken);
        result.VerifySuccess();
    }

    private async Task<HashSet<string>> ImagesInUseAsync(CancellationToken cancellationToken)
    {
        var result = (await RunAsync(["docker", "ps", "--all", "--no-trunc", "--format", "{{.Image}}"], Timeout, cancellationToken))
            .VerifySuccess();
        var references = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.Ordinal);
        var ids = (await RunAsync(["docker", "ps", "--all", "--quiet", "--no-trunc"], Timeout, cancellationToken)).VerifySuccess()
            .StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 0)
        {
            var images = await RunAsync(["docker", "container", "inspect", "--format", "{{.Image}}", .. ids], Timeout, cancellationToken);
            foreach (var id in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                references.Add(id);
            }
        }

        return references;
    }

    private async Task<IReadOnlyList<AppImage>> ListImagesAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        var result = (await RunAsync(["docker", "image", "ls", "--no-trunc", .. filters, "--format", "{{json .}}"], Timeout,
            cancellationToken)).VerifySuccess();
        var images = new List<AppImage>();
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var repository = Text(root, "Repository");
            var tag = Text(root, "Tag");
            if (repository is null or "<none>" || tag is null or "<none>")
            {
                continue;
            }

            images.Add(new AppImage($"{repository}:{tag}", Text(root, "ID") ?? "", ParseDockerTime(Text(root, "CreatedAt")) ?? DateTimeOffset.MinValue));
        }

        return images;
    }

    private Task<TargetCommandResult> RunAsync(IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        Target.RunAsync(arguments, TargetCommandOptions.Default.WithTimeout(timeout), cancellationToken);

    private static bool NotFoundOrSuccess(TargetCommandResult result)
    {
        if (result.Succeeded)
        {
            return true;
        }

        return IsNoSuch(result) ? false : throw new TargetCommandFailedException(result);
    }

    private static bool IsNoSuch(TargetCommandResult result) =>
        !result.TimedOut && (result.StandardError.Contains("No such container", StringComparison.OrdinalIgnoreCase)
                             || result.StandardError.Contains("No such image", StringComparison.OrdinalIgnoreCase)
                             || result.StandardError.Contains("No such object", StringComparison.OrdinalIgnoreCase)
                             || result.StandardError.Contains("is not running", StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses the lines <see cref="InspectFormat"/> prints, one container per line.</summary>
    internal static IReadOnlyList<ContainerInfo> ParseInspect(string output)
    {
        var containers = new List<ContainerInfo>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var item = document.RootElement;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item.TryGetProperty("Labels", out var labelObject) && labelObject.ValueKind == JsonValueKind.Object)
            {
                foreach (var label in labelObject.EnumerateObject())
                {
                    labels[label.Name] = label.Value.GetString() ?? "";
                }
            }

            containers.Add(new ContainerInfo
            {
                Id = Text(item, "Id") ?? "",
                Name = (Text(item, "Name") ?? "").TrimStart('/'),
                Image = Text(item, "Image") ?? "",
                ImageId = Text(item, "ImageId") ?? "",
                State = Text(item, "Status") ?? "unknown",
                ExitCode = int.TryParse(Text(item, "ExitCode"), out var exit) ? exit : 0,
                Error = Text(item, "Error") is { Length: > 0 } error ? error : null,
                RestartCount = int.TryParse(Text(item, "RestartCount"), out var restarts) ? restarts : 0,
                CreatedAt = ParseIso(Text(item, "Created")),
                StartedAt = ParseIso(Text(item, "StartedAt")),
                FinishedAt = ParseIso(Text(item, "FinishedAt")),
                Health = Text(item, "Health"),
                Labels = labels,
            });
        }

        return containers;
    }

    internal static ContainerStats ParseStats(string jsonLine)
    {
        using var document = JsonDocument.Parse(jsonLine);
        var root = document.RootElement;
        var usage = (Text(root, "MemUsage") ?? "").Split('/', StringSplitOptions.TrimEntries);
        return new ContainerStats(
            Text(root, "Name") ?? "",
            ParsePercent(Text(root, "CPUPerc")),
            usage.Length > 0 ? ParseSize(usage[0]) : 0,
            usage.Length > 1 ? ParseSize(usage[1]) : 0,
            ParsePercent(Text(root, "MemPerc")),
            int.TryParse(Text(root, "PIDs"), out var pids) ? pids : null);
    }

    /// <summary>Sizes as docker prints them: <c>1.5MiB</c>, <c>512KiB</c>, <c>2GB</c>, <c>100kB</c>, <c>0B</c>.</summary>
    internal static long ParseSize(string text)
    {
        var match = Size().Match(text.Trim());
        if (!match.Success)
        {
            return 0;
        }

        var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var factor = match.Groups["u"].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1d,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "KIB" => 1024d,
            "MIB" => 1024d * 1024,
            "GIB" => 1024d * 1024 * 1024,
            "TIB" => 1024d * 1024 * 1024 * 1024,
            _ => 1d,
        };
        return (long)Math.Round(number * factor);
    }

    private static double ParsePercent(string? text) =>
        double.TryParse((text ?? "").TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static IEnumerable<(string At, string Text)> Timestamped(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            yield return space > 0 && line[0] is >= '0' and <= '9' ? (SortableTimestamp(line[..space]), line[(space + 1)..]) : ("", line);
        }
    }

    // RFC 3339 with nanoseconds, trailing zeros trimmed (…:05.12Z): padded to 9 digits so text order is time order.
    private static string SortableTimestamp(string stamp)
    {
        var dot = stamp.IndexOf('.', StringComparison.Ordinal);
        var end = stamp.IndexOfAny(['Z', '+', '-'], Math.Max(dot, stamp.IndexOf('T', StringComparison.Ordinal)));
        if (end < 0)
        {
            end = stamp.Length;
        }

        var seconds = dot < 0 ? stamp[..end] : stamp[..dot];
        var fraction = dot < 0 ? "" : stamp[(dot + 1)..end];
        return seconds + "." + fraction.PadRight(9, '0') + stamp[end..];
    }

    private static string RepositoryOf(string reference)
    {
        var lastColon = reference.LastIndexOf(':');
        return lastColon > reference.LastIndexOf('/') ? reference[..lastColon] : reference;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static DateTimeOffset? ParseIso(string? text) =>
        text is null || text.StartsWith("0001-01-01", StringComparison.Ordinal)
            ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;

    // `docker image ls` prints "2024-03-01 10:20:30 +0000 UTC".
    private static DateTimeOffset? ParseDockerTime(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var trimmed = text.EndsWith(" UTC", StringComparison.Ordinal) ? text[..^4] : text;
        var zone = trimmed.LastIndexOf(' ');
        if (zone > 0 && trimmed.Length - zone - 1 == 5 && trimmed[zone + 1] is '+' or '-')
        {
            trimmed = trimmed[..(zone + 4)] + ":" + trimmed[(zone + 4)..];
        }

        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();

    [GeneratedRegex("^(no|always|unless-stopped|on-failure(:[0-9]+)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex RestartPolicy();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();

    [GeneratedRegex(@"^(?<n>[0-9]+(?:\.[0-9]+)?)\s*(?<u>[A-Za-z]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Size();
}
