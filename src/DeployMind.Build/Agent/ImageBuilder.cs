using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Build.Docker;
using DeployMind.Domain;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Build.Agent;

/// <summary>One image build: context, Dockerfile, tag, arguments, secrets (values, by id) and a time limit.</summary>
public sealed record ImageBuildRequest
{
    public required string ContextDirectory { get; init; }

    /// <summary>The Dockerfile path relative to <see cref="ContextDirectory"/>.</summary>
    public string Dockerfile { get; init; } = "Dockerfile";

    public required string Tag { get; init; }

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>BuildKit secrets by id (<c>RUN --mount=type=secret,id=ID</c>); never in a layer, an argument or a log.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);
}

/// <summary>How a build ended; on failure <see cref="Error"/> and <see cref="OutputTail"/> say why.</summary>
public sealed record ImageBuildOutcome
{
    public required bool Succeeded { get; init; }

    public required int ExitCode { get; init; }

    public required TimeSpan Duration { get; init; }

    public required IReadOnlyList<string> OutputTail { get; init; }

    public DockerImageInfo? Image { get; init; }

    public string? Error { get; init; }

    public bool TimedOut { get; init; }

    /// <summary>Which builder ran: the engine API, or BuildKit through the docker CLI (needed for secrets).</summary>
    public required string Builder { get; init; }
}

/// <summary>
/// Builds images on the Docker engine: through the Engine API, or, when build secrets are given, through BuildKit
/// (the Engine API can only pass secrets to BuildKit over a session). A build past its time limit is stopped and
/// the layers it left are removed.
/// </summary>
public sealed partial class ImageBuilder(DockerEngine engine, IProcessRunner processes, TimeProvider? timeProvider = null)
{
    private const int TailLines = 40;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public string EngineHost => engine.Host;

    public Task TagAsync(string image, string tag, CancellationToken cancellationToken) => engine.TagImageAsync(image, tag, cancellationToken);

    public Task<bool> RemoveAsync(string tag, CancellationToken cancellationToken) => engine.RemoveImageAsync(tag, force: false, cancellationToken);

    public async Task<ImageBuildOutcome> BuildAsync(ImageBuildRequest request, Action<string>? output, CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(request.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var tail = new Queue<string>();
        var layers = new List<string>();
        void Line(string line)
        {
            lock (tail)
            {
                if (CommittedLayer().Match(line) is { Success: true } layer)
                {
                    layers.Add(layer.Groups[1].Value);
                }

                tail.Enqueue(line);
                if (tail.Count > TailLines)
                {
                    tail.Dequeue();
                }
            }

            output?.Invoke(line);
        }

        IReadOnlyList<string> Layers()
        {
            lock (tail)
            {
                return [.. layers];
            }
        }

        IReadOnlyList<string> Tail()
        {
            lock (tail)
            {
                return [.. tail];
            }
        }

        var builder = request.Secrets.Count > 0 ? "buildkit" : "engine";
        DockerImageInfo? built = null;
        try
        {
            if (request.Secrets.Count > 0)
            {
                var exitCode = await BuildWithBuildKitAsync(request, Line, linked.Token);
                if (exitCode != 0)
                {
                    return Failure(exitCode, $"docker build exited with code {exitCode}", Tail());
                }
            }
            else
            {
                built = (await engine.BuildImageAsync(new DockerBuildRequest(request.ContextDirectory, request.Tag)
                {
                    Dockerfile = request.Dockerfile,
                    BuildArgs = request.BuildArgs,
                }, Line, linked.Token)).Image;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await CleanUpAsync(request.Tag, startedAt, Layers());
            return Failure(124, $"the build did not finish within its time limit of {Pipeline.Configuration.Duration.Format(request.Timeout)} (build.timeout); it was stopped and its partial image removed",
                Tail(), timedOut: true);
        }
        catch (OperationCanceledException)
        {
            await CleanUpAsync(request.Tag, startedAt, Layers());
            throw;
        }
        catch (DockerBuildFailedException e)
        {
            var code = NonZeroCode().Match(e.Reason) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 1;
            var lines = Tail().Count > 0 ? Tail() : e.OutputTail;
            return Failure(code, e.Reason, lines);
        }

        var image = built ?? await engine.InspectImageAsync(request.Tag, cancellationToken);
        return new ImageBuildOutcome
        {
            Succeeded = true,
            ExitCode = 0,
            Duration = _time.GetElapsedTime(started),
            OutputTail = Tail(),
            Image = image,
            Builder = builder,
        };

        ImageBuildOutcome Failure(int exitCode, string error, IReadOnlyList<string> lines, bool timedOut = false) => new()
        {
            Succeeded = false,
            ExitCode = exitCode,
            Duration = _time.GetElapsedTime(started),
            OutputTail = lines,
            Error = error,
            TimedOut = timedOut,
            Builder = builder,
        };
    }

    private async Task<int> BuildWithBuildKitAsync(ImageBuildRequest request, Action<string> output, CancellationToken cancellationToken)
    {
        // Secret files live beside the context, never inside it, readable by this user only, and are deleted right after.
        var secretDirectory = Directory.CreateTempSubdirectory("deploymind-build-secrets-");
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(secretDirectory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var arguments = new List<string> { "build", "--network", "host", "--progress", "plain", "-t", request.Tag, "-f", Path.Combine(request.ContextDirectory, request.Dockerfile) };
            foreach (var (name, value) in request.BuildArgs)
            {
                arguments.Add("--build-arg");
                arguments.Add($"{name}={value}");
            }

            foreach (var (id, value) in request.Secrets)
            {
                if (!SecretId().IsMatch(id))
                {
                    throw new InvalidInputException("build.secrets", $"build secret id '{id}' must be letters, digits, '-', '_' or '.'");
                }

                var file = Path.Combine(secretDirectory.FullName, id);
                await File.WriteAllTextAsync(file, value, cancellationToken);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                arguments.Add("--secret");
                arguments.Add($"id={id},src={file}");
            }

            arguments.Add(request.ContextDirectory);
            var result = await processes.RunAsync(new CommandLine(DockerCli(), arguments)
            {
                Environment = new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "1", ["DOCKER_HOST"] = engine.Host },
                Timeout = request.Timeout + TimeSpan.FromSeconds(5),
                Secrets = [.. request.Secrets.Values],
                OnOutputLine = line => output(line.Text),
            }, cancellationToken);
            return result.TimedOut ? throw new OperationCanceledException("build timed out", cancellationToken) : result.ExitCode;
        }
        finally
        {
            secretDirectory.Delete(recursive: true);
        }
    }

    /// <summary>Debian's docker CLI builds with BuildKit without the buildx plugin; a newer CLI on PATH may lack buildx.</summary>
    private static string DockerCli() => File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

    /// <summary>
    /// Removes what a stopped build left: its tag, the layers the engine reported committing, and untagged images made
    /// since it started. The engine may still be committing the step it was in when the stream closed, so the last
    /// sweep runs again after a short wait.
    /// </summary>
    private async Task CleanUpAsync(string tag, DateTimeOffset startedAt, IReadOnlyList<string> layers)
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30), _time);
        try
        {
            await engine.RemoveImageAsync(tag, force: true, cleanup.Token);
            await engine.RemoveUntaggedImagesAsync(layers, cleanup.Token);
            await engine.RemoveDanglingImagesSinceAsync(startedAt, cleanup.Token);
            await Task.Delay(TimeSpan.FromSeconds(1), _time, cleanup.Token);
            await engine.RemoveDanglingImagesSinceAsync(startedAt, cleanup.Token);
        }
        catch (OperationCanceledException)
        {
            // The clean-up has its own 30 s limit; the build's failure is still reported.
        }
        catch (DeployMindException)
        {
            // The build's own failure is what the user needs to see; a leftover layer is reported by `docker images -f dangling=true`.
        }
    }

    /// <summary>The classic builder's line naming the image a step committed: <c> ---&gt; 3f2a9c1b7d4e</c>.</summary>
    [GeneratedRegex(@"^\s*---> ([0-9a-f]{12,64})\s*$")]
    private static partial Regex CommittedLayer();

    [GeneratedRegex(@"returned a non-zero code: (\d+)")]
    private static partial Regex NonZeroCode();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+$")]
    private static partial Regex SecretId();
}
