using DeployMind.Build.Agent;
using DeployMind.Build.Docker;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Build.Registry;

/// <summary>How pushes and pulls are retried.</summary>
public sealed class RegistryOptions
{
    /// <summary>Attempts per push or pull, the first included.</summary>
    public int Attempts { get; set; } = 4;

    /// <summary>The wait after the first transient failure; it doubles after each further one.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where <c>env:</c> secret references (the registry password) are read; the process environment when null.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; set; }
}

/// <summary>
/// Pushes built images to the configured registry (<c>registry.url/app:tag</c>) and pulls them back, retrying transient
/// failures (registry down, connection reset, 5xx) with backoff and failing at once on bad credentials.
/// </summary>
public sealed class RegistryPublisher(DockerEngine engine, RegistryOptions? options = null, TimeProvider? timeProvider = null) : IImagePublisher
{
    private readonly RegistryOptions _options = options ?? new RegistryOptions();
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>The reference an image is pushed as: <c>registry.url/app:tag</c>.</summary>
    public static string RemoteReference(BuiltImage image, RegistryConfig registry)
    {
        var colon = image.Tag.LastIndexOf(':');
        var tag = colon > image.Tag.LastIndexOf('/') ? image.Tag[(colon + 1)..] : "latest";
        return $"{registry.Url.TrimEnd('/')}/{image.Application}:{tag}";
    }

    public async Task<string?> PublishAsync(BuiltImage image, RegistryConfig registry, DeploymentContext ctx, CancellationToken cancellationToken)
    {
        var credentials = await CredentialsAsync(registry, baseDirectory: null, cancellationToken);
        ctx.Secrets.Add(credentials?.Password);
        return await PushAsync(image, registry, credentials,
            (message, data) => ctx.LogAsync("build", "image_push", message, data, cancellationToken: cancellationToken), cancellationToken);
    }

    /// <summary>Pushes and returns <c>registry.url/app@sha256:…</c>. <paramref name="log"/> gets progress and retries.</summary>
    public async Task<string> PushAsync(BuiltImage image, RegistryConfig registry, RegistryCredentials? credentials,
        Func<string, System.Text.Json.Nodes.JsonObject?, Task> log, CancellationToken cancellationToken)
    {
        var reference = RemoteReference(image, registry);
        await engine.TagImageAsync(image.ImageId, reference, cancellationToken);
        var lines = new List<string>();
        await WithRetriesAsync("push", reference, () => engine.PushImageAsync(reference, credentials, lines.Add, cancellationToken), log, cancellationToken);
        var repository = reference[..reference.LastIndexOf(':')];
        var digests = await engine.RepoDigestsAsync(reference, cancellationToken);
        var digest = digests.FirstOrDefault(d => d.StartsWith(repository + "@", StringComparison.Ordinal))
            ?? throw new DockerRegistryException("push", reference, "the engine reported no digest for the pushed image", transient: false);
        await log($"pushed {reference} ({digest[(digest.IndexOf('@') + 1)..]})",
            new System.Text.Json.Nodes.JsonObject { ["reference"] = reference, ["digest"] = digest, ["output_tail"] = string.Join('\n', lines.TakeLast(10)) });
        return digest;
    }

    /// <summary>Pulls a pushed image (tag or digest reference) into the engine, with the same retries.</summary>
    public Task PullAsync(string reference, RegistryCredentials? credentials, Func<string, System.Text.Json.Nodes.JsonObject?, Task> log,
        CancellationToken cancellationToken) =>
        WithRetriesAsync("pull", reference, () => engine.PullImageAsync(reference, credentials, null, cancellationToken), log, cancellationToken);

    /// <summary>The registry's credentials from deploymind.yml (the password from its env:/file: reference); null without a username.</summary>
    public async Task<RegistryCredentials?> CredentialsAsync(RegistryConfig registry, string? baseDirectory, CancellationToken cancellationToken)
    {
        if (registry.Username is null)
        {
            return null;
        }

        if (registry.Password is null)
        {
            throw new InvalidInputException("registry.password",
                $"registry.username is set for {registry.Url} but registry.password is not; give it as env:VARIABLE or file:PATH");
        }

        var password = await registry.Password.ResolveAsync(_options.Environment ?? SecretReference.ProcessEnvironment(), baseDirectory, cancellationToken);
        return new RegistryCredentials(registry.Url.Split('/')[0], registry.Username, password.Reveal());
    }

    private async Task WithRetriesAsync(string operation, string reference, Func<Task> attempt,
        Func<string, System.Text.Json.Nodes.JsonObject?, Task> log, CancellationToken cancellationToken)
    {
        var delay = _options.FirstRetryDelay;
        for (var number = 1; ; number++)
        {
            try
            {
                await attempt();
                return;
            }
            catch (DockerRegistryException e) when (e.Transient && number < _options.Attempts)
            {
                await log($"{operation} of {reference} failed (attempt {number} of {_options.Attempts}), retrying in {delay.TotalSeconds:0.#} s: {e.Message}",
                    new System.Text.Json.Nodes.JsonObject { ["attempt"] = number, ["transient"] = true });
                await Task.Delay(delay, _time, cancellationToken);
                delay *= 2;
            }
        }
    }
}
