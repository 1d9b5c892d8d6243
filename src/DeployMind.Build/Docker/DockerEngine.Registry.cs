using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace DeployMind.Build.Docker;

/// <summary>Credentials for one registry; the password is only ever handed to the engine.</summary>
public sealed record RegistryCredentials(string ServerAddress, string? Username, string? Password);

public sealed partial class DockerEngine
{
    /// <summary>Adds <paramref name="target"/> (<c>repo:tag</c>) as another name of <paramref name="image"/>.</summary>
    public Task TagImageAsync(string image, string target, CancellationToken cancellationToken) =>
        CallAsync("tag image", async ct =>
        {
            var (repository, tag) = SplitTag(target);
            await _client.Images.TagImageAsync(image, new ImageTagParameters { RepositoryName = repository, Tag = tag, Force = true }, ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Pushes <paramref name="reference"/> (<c>host/repo:tag</c>). The engine reports registry errors in the progress stream,
    /// so they are raised here as <see cref="DockerRegistryException"/> with the engine's words (credentials never included).
    /// </summary>
    public Task PushImageAsync(string reference, RegistryCredentials? credentials, Action<string>? output, CancellationToken cancellationToken) =>
        StreamRegistryAsync("push", reference, credentials, output, async (auth, progress, ct) =>
        {
            var (repository, tag) = SplitTag(reference);
            await _client.Images.PushImageAsync(repository, new ImagePushParameters { Tag = tag }, auth, progress, ct);
        }, cancellationToken);

    /// <summary>Pulls <paramref name="reference"/> (<c>host/repo:tag</c> or <c>host/repo@sha256:…</c>) into the engine.</summary>
    public Task PullImageAsync(string reference, RegistryCredentials? credentials, Action<string>? output, CancellationToken cancellationToken) =>
        StreamRegistryAsync("pull", reference, credentials, output, async (auth, progress, ct) =>
        {
            var at = reference.IndexOf('@', StringComparison.Ordinal);
            var (repository, tag) = at > 0 ? (reference[..at], reference[(at + 1)..]) : SplitTag(reference);
            await _client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = repository, Tag = tag }, auth, progress, ct);
        }, cancellationToken);

    /// <summary>The repo digests (<c>host/repo@sha256:…</c>) the engine knows for an image.</summary>
    public Task<IReadOnlyList<string>> RepoDigestsAsync(string image, CancellationToken cancellationToken) =>
        CallAsync("inspect image", async ct =>
        {
            var inspect = await _client.Images.InspectImageAsync(image, ct);
            return (IReadOnlyList<string>)(inspect.RepoDigests?.ToList() ?? []);
        }, cancellationToken);

    private async Task StreamRegistryAsync(string operation, string reference, RegistryCredentials? credentials, Action<string>? output,
        Func<AuthConfig?, IProgress<JSONMessage>, CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var auth = credentials is null ? null : new AuthConfig
        {
            ServerAddress = credentials.ServerAddress,
            Username = credentials.Username,
            Password = credentials.Password,
        };
        var secrets = credentials?.Password is { Length: > 0 } password ? new[] { password } : [];
        var redactor = new SecretRedactor(secrets);
        string? error = null;
        var progress = new InlineProgress<JSONMessage>(message =>
        {
            var text = message.Status is { Length: > 0 } status
                ? string.IsNullOrEmpty(message.ID) ? status : $"{message.ID}: {status}"
                : null;
            if (text is not null && message.Progress is null)
            {
                output?.Invoke(redactor.Redact(text));
            }

            error ??= message.Error?.Message ?? NullIfEmpty(message.ErrorMessage);
        });

        using var timeout = new CancellationTokenSource(_options.BuildTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ThrowIfSocketMissing();
        try
        {
            await call(auth, progress, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DockerRegistryException(operation, reference, $"no end within {_options.BuildTimeout}", transient: true);
        }
        catch (DockerApiException e)
        {
            var message = redactor.Redact(EngineMessage(e));
            throw new DockerRegistryException(operation, reference, message,
                transient: e.StatusCode >= HttpStatusCode.InternalServerError && !IsAuthenticationFailure(message), e);
        }
        catch (Exception e) when (IsUnreachable(e, out var reason))
        {
            throw new DockerUnavailableException(_options.Host, reason, e);
        }

        if (error is not null)
        {
            var message = redactor.Redact(error.Trim());
            throw new DockerRegistryException(operation, reference, message, transient: !IsAuthenticationFailure(message) && IsTransient(message));
        }
    }

    private static bool IsAuthenticationFailure(string message) =>
        message.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("authentication required", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("denied", StringComparison.OrdinalIgnoreCase);

    private static bool IsTransient(string message) =>
        // "received unexpected HTTP status: 5xx ..." is how the engine reports a registry's server errors.
        new[] { "connection refused", "connection reset", "i/o timeout", "timeout", "EOF", "HTTP status: 5", "502", "503", "504", "no such host", "TLS handshake" }
            .Any(m => message.Contains(m, StringComparison.OrdinalIgnoreCase));
}
