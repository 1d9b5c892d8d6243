using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using DeployMind.Domain;

namespace DeployMind.Build.Docker;

/// <summary>
/// A thin client over the Docker engine API. Every call is bounded by a timeout; an engine that is absent or
/// does not answer surfaces as <see cref="DockerUnavailableException"/>, a refusal as <see cref="DockerOperationException"/>.
/// </summary>
public sealed partial class DockerEngine : IDisposable
{
    private const int OutputTailLines = 30;

    private readonly DockerEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;

    public DockerEngine(DockerEngineOptions options, TimeProvider? timeProvider = null)
    {
        options.EnsureValid();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        // Timeouts are ours (linked tokens below), so the client's own is off.
        _configuration = new DockerClientConfiguration(new Uri(options.Host), null, Timeout.InfiniteTimeSpan);
        _client = _configuration.CreateClient();
    }

    public string Host => _options.Host;

    public Task<DockerEngineVersion> PingAsync(CancellationToken cancellationToken) =>
        CallAsync("ping", async ct =>
        {
            await _client.System.PingAsync(ct);
            var version = await _client.System.GetVersionAsync(ct);
            return new DockerEngineVersion(version.Version, version.APIVersion, version.Os, version.Arch);
        }, cancellationToken);

    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) =>
        await TryInspectAsync(image, cancellationToken) is not null;

    /// <summary>The image's id, size, layer count and tags; null when there is no such image.</summary>
    public Task<DockerImageInfo?> TryInspectAsync(string image, CancellationToken cancellationToken) =>
        CallAsync("inspect image", async ct =>
        {
            try
            {
                var inspect = await _client.Images.InspectImageAsync(image, ct);
                return (DockerImageInfo?)new DockerImageInfo(
                    inspect.ID, inspect.Size, inspect.RootFS?.Layers?.Count ?? 0, inspect.RepoTags?.ToList() ?? []);
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    public async Task<DockerImageInfo> InspectImageAsync(string image, CancellationToken cancellationToken) =>
        await TryInspectAsync(image, cancellationToken)
        ?? throw new DockerOperationException("inspect image", HttpStatusCode.NotFound, $"no such image: {image}");

    /// <summary>Removes an image; false when it did not exist.</summary>
    public Task<bool> RemoveImageAsync(string image, bool force, CancellationToken cancellationToken) =>
        CallAsync("remove image", async ct =>
        {
            try
            {
                await _client.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = force }, ct);
                return true;
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    /// <summary>Creates an image from a root filesystem tarball (<c>docker import</c>), e.g. a debootstrap or busybox tree.</summary>
    public Task<DockerImageInfo> ImportImageAsync(Stream rootFilesystemTar, string tag, CancellationToken cancellationToken) =>
        CallAsync("import image", async ct =>
        {
            var (repository, version) = SplitTag(tag);
            string? error = null;
            var progress = new InlineProgress<JSONMessage>(m => error ??= m.Error?.Message ?? NullIfEmpty(m.ErrorMessage));
            await _client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromSrc = "-", Repo = repository, Tag = version }, rootFilesystemTar, null, progress, ct);
            if (error is not null)
            {
                throw new DockerOperationException("import image", HttpStatusCode.InternalServerError, error);
            }

            var inspect = await _client.Images.InspectImageAsync(tag, ct);
            return new DockerImageInfo(inspect.ID, inspect.Size, inspect.RootFS?.Layers?.Count ?? 0, inspect.RepoTags?.ToList() ?? []);
        }, cancellationToken);

    /// <summary>
    /// Builds an image from a context directory with host networking (there is no bridge on DeployMind's engines).
    /// Output lines are streamed to <paramref name="output"/> with the request's secrets redacted. A failed build
    /// throws <see cref="DockerBuildFailedException"/> carrying the engine's error and the last output lines;
    /// a cancelled one throws <see cref="OperationCanceledException"/>, and the engine removes its intermediate containers.
    /// </summary>
    public async Task<DockerBuildResult> BuildImageAsync(DockerBuildRequest request, Action<string>? output, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(request.ContextDirectory))
        {
            throw new InvalidInputException("context", $"build context directory '{request.ContextDirectory}' does not exist");
        }

        if (!File.Exists(Path.Combine(request.ContextDirectory, request.Dockerfile)))
        {
            throw new InvalidInputException("dockerfile", $"no Dockerfile at '{request.Dockerfile}' inside the build context '{request.ContextDirectory}'");
        }

        ThrowIfSocketMissing();
        var redactor = new SecretRedactor(request.Secrets);
        var lines = new BuildOutput(redactor, output, OutputTailLines);
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(_options.BuildTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);

        await using var context = await BuildContext.CreateTarAsync(request.ContextDirectory, request.Dockerfile, cancellationToken);
        var parameters = new ImageBuildParameters
        {
            Tags = [request.Tag],
            Dockerfile = request.Dockerfile.Replace('\\', '/'),
            BuildArgs = request.BuildArgs.ToDictionary(kv => kv.Key, kv => kv.Value),
            NetworkMode = "host",
            NoCache = request.NoCache,
            Remove = true,
            ForceRemove = true,
        };

        string? error = null;
        var progress = new InlineProgress<JSONMessage>(message =>
        {
            if (message.Stream is { Length: > 0 } text)
            {
                lines.Append(text);
            }
            else if (message.Status is { Length: > 0 } status)
            {
                lines.Append(status + "\n");
            }

            error ??= message.Error?.Message ?? NullIfEmpty(message.ErrorMessage);
        });

        try
        {
            await _client.Images.BuildImageFromDockerfileAsync(parameters, context, null, null, progress, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            lines.Flush();
            throw new DockerBuildFailedException(request.Tag, $"timed out after {_options.BuildTimeout}", lines.Tail);
        }
        catch (DockerApiException e)
        {
            lines.Flush();
            throw new DockerBuildFailedException(request.Tag, redactor.Redact(EngineMessage(e)), lines.Tail, e);
        }
        catch (Exception e) when (IsUnreachable(e, out var reason))
        {
            throw new DockerUnavailableException(_options.Host, reason, e);
        }

        lines.Flush();
        if (error is not null)
        {
            throw new DockerBuildFailedException(request.Tag, redactor.Redact(error.Trim()), lines.Tail);
        }

        var image = await InspectImageAsync(request.Tag, cancellationToken);
        return new DockerBuildResult(image.Id, request.Tag, _time.GetElapsedTime(started), lines.Tail);
    }

    public void Dispose()
    {
        _client.Dispose();
        _configuration.Dispose();
    }

    private async Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ThrowIfSocketMissing();
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await call(linked.Token);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DockerUnavailableException(_options.Host, $"no answer to {operation} within {_options.RequestTimeout.TotalSeconds:0.#} s", e);
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(operation, e.StatusCode, EngineMessage(e), e);
        }
        catch (Exception e) when (IsUnreachable(e, out var reason))
        {
            throw new DockerUnavailableException(_options.Host, reason, e);
        }
    }

    // A missing socket file is the common case (engine not started); say so before any connection attempt.
    private void ThrowIfSocketMissing()
    {
        var uri = new Uri(_options.Host);
        if (uri.Scheme == "unix" && !File.Exists(uri.LocalPath))
        {
            throw new DockerUnavailableException(_options.Host, "No such file or directory");
        }
    }

    private static bool IsUnreachable(Exception exception, out string reason)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                reason = socket.SocketErrorCode switch
                {
                    SocketError.AddressNotAvailable => "No such file or directory",
                    SocketError.ConnectionRefused => "connection refused (a socket file without an engine behind it?)",
                    SocketError.AccessDenied => "permission denied (run as root or join the socket's group)",
                    _ => socket.Message,
                };
                return true;
            }
        }

        if (exception is HttpRequestException or IOException or TimeoutException)
        {
            reason = exception.Message;
            return true;
        }

        reason = "";
        return false;
    }

    private static string EngineMessage(DockerApiException e)
    {
        var body = e.ResponseBody?.Trim() ?? "";
        const string Marker = "\"message\":\"";
        var start = body.IndexOf(Marker, StringComparison.Ordinal);
        if (start >= 0)
        {
            start += Marker.Length;
            var end = body.IndexOf('"', start);
            if (end > start)
            {
                return body[start..end];
            }
        }

        return body.Length > 0 ? body : e.Message;
    }

    private static (string Repository, string Tag) SplitTag(string reference)
    {
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        return colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    // Progress<T> posts to the thread pool and can reorder lines; this reports in place, in order.
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class BuildOutput(SecretRedactor redactor, Action<string>? output, int tailLines)
    {
        private readonly Queue<string> _tail = new();
        private string _partial = "";

        public IReadOnlyList<string> Tail => [.. _tail];

        public void Append(string text)
        {
            var pending = _partial + text;
            int newline;
            while ((newline = pending.IndexOf('\n')) >= 0)
            {
                Emit(pending[..newline]);
                pending = pending[(newline + 1)..];
            }

            _partial = pending;
        }

        public void Flush()
        {
            if (_partial.Length > 0)
            {
                Emit(_partial);
                _partial = "";
            }
        }

        private void Emit(string line)
        {
            var clean = redactor.Redact(line.TrimEnd('\r'));
            if (clean.Length == 0)
            {
                return;
            }

            _tail.Enqueue(clean);
            while (_tail.Count > tailLines)
            {
                _tail.Dequeue();
            }

            output?.Invoke(clean);
        }
    }
}
