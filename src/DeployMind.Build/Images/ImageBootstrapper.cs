using DeployMind.Build.Docker;
using DeployMind.Domain;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Build.Images;

/// <summary>What <see cref="ImageBootstrapper"/> is asked to make.</summary>
public sealed record ImageBootstrapOptions
{
    public const string DefaultMirror = "http://deb.debian.org/debian";
    public const string Suite = "bookworm";

    /// <summary>The repository prefix of every image (<c>deploymind</c> gives <c>deploymind/node:18</c>).</summary>
    public string Prefix { get; init; } = "deploymind";

    /// <summary>Only these recipes (plus the base); empty means the default set.</summary>
    public IReadOnlyCollection<string> Only { get; init; } = [];

    /// <summary>Every recipe Debian can provide instead of the default set.</summary>
    public bool All { get; init; }

    /// <summary>Rebuild images that already exist (and the cached root filesystem).</summary>
    public bool Force { get; init; }

    /// <summary>The Debian mirror debootstrap downloads from.</summary>
    public string Mirror { get; init; } = DefaultMirror;

    /// <summary>Where the debootstrap root filesystem tarball is cached between runs.</summary>
    public required string CacheDirectory { get; init; }

    public TimeSpan DebootstrapTimeout { get; init; } = TimeSpan.FromMinutes(15);
}

public enum BootstrapStatus
{
    Built,

    /// <summary>The image was already in the engine and <see cref="ImageBootstrapOptions.Force"/> was not given.</summary>
    Present,
}

public sealed record BootstrapOutcome(BaseImageRecipe Recipe, string Reference, BootstrapStatus Status, string ImageId, long SizeBytes, TimeSpan Duration);

/// <summary>
/// Makes the base images generated Dockerfiles need on an air-gapped engine: debootstrap a minimal Debian, import it,
/// then build each language image FROM it with Debian packages. Idempotent: images already present are kept.
/// </summary>
public sealed class ImageBootstrapper(DockerEngine engine, IProcessRunner processes, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<IReadOnlyList<BootstrapOutcome>> BootstrapAsync(ImageBootstrapOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        ValidatePrefix(options.Prefix);
        if (!Uri.TryCreate(options.Mirror, UriKind.Absolute, out var mirror) || mirror.Scheme is not ("http" or "https"))
        {
            throw new InvalidInputException("--mirror", $"'{options.Mirror}' is not an http(s) Debian mirror URL (e.g. {ImageBootstrapOptions.DefaultMirror})");
        }

        var recipes = BaseImageRecipe.Select(options.Only, options.All);
        await engine.PingAsync(cancellationToken);
        var outcomes = new List<BootstrapOutcome>();
        foreach (var recipe in recipes)
        {
            var reference = recipe.Reference(options.Prefix);
            var started = _time.GetTimestamp();
            if (!options.Force && await engine.TryInspectAsync(reference, cancellationToken) is { } existing)
            {
                progress?.Invoke($"{reference}: present ({Megabytes(existing.SizeBytes)}), kept");
                outcomes.Add(new BootstrapOutcome(recipe, reference, BootstrapStatus.Present, existing.Id, existing.SizeBytes, TimeSpan.Zero));
                continue;
            }

            progress?.Invoke($"{reference}: building ({recipe.Purpose})");
            var image = recipe.IsBase
                ? await ImportBaseAsync(reference, options, progress, cancellationToken)
                : await BuildLanguageImageAsync(recipe, reference, options.Prefix, progress, cancellationToken);
            var elapsed = _time.GetElapsedTime(started);
            progress?.Invoke($"{reference}: built in {elapsed.TotalSeconds:0.#} s ({Megabytes(image.SizeBytes)})");
            outcomes.Add(new BootstrapOutcome(recipe, reference, BootstrapStatus.Built, image.Id, image.SizeBytes, elapsed));
        }

        return outcomes;
    }

    /// <summary>Which recipe images the engine has, for `deploymind images list`.</summary>
    public async Task<IReadOnlyList<(BaseImageRecipe Recipe, string Reference, DockerImageInfo? Image)>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ValidatePrefix(prefix);
        var rows = new List<(BaseImageRecipe, string, DockerImageInfo?)>();
        foreach (var recipe in BaseImageRecipe.All)
        {
            var reference = recipe.Reference(prefix);
            rows.Add((recipe, reference, await engine.TryInspectAsync(reference, cancellationToken)));
        }

        return rows;
    }

    private async Task<DockerImageInfo> ImportBaseAsync(string reference, ImageBootstrapOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        var tarball = await EnsureRootFilesystemAsync(options, progress, cancellationToken);
        await using var stream = new FileStream(tarball, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await engine.ImportImageAsync(stream, reference, cancellationToken);
    }

    private async Task<string> EnsureRootFilesystemAsync(ImageBootstrapOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.CacheDirectory);
        var tarball = Path.Combine(options.CacheDirectory, $"debian-{ImageBootstrapOptions.Suite}-minbase.tar");
        if (File.Exists(tarball) && !options.Force)
        {
            progress?.Invoke($"root filesystem: cached at {tarball}");
            return tarball;
        }

        var root = Path.Combine(options.CacheDirectory, $"rootfs-{Guid.NewGuid():N}");
        var partial = tarball + ".partial";
        try
        {
            progress?.Invoke($"root filesystem: debootstrap --variant=minbase {ImageBootstrapOptions.Suite} from {options.Mirror}");
            var debootstrap = await RunAsync(new CommandLine("debootstrap", "--variant=minbase", ImageBootstrapOptions.Suite, root, options.Mirror)
            {
                Timeout = options.DebootstrapTimeout,
            }, "debootstrap", cancellationToken);
            if (!debootstrap.Succeeded)
            {
                throw new ImageBootstrapException(
                    $"debootstrap of {ImageBootstrapOptions.Suite} from {options.Mirror} failed (exit {debootstrap.ExitCode}{(debootstrap.TimedOut ? ", timed out" : "")}); " +
                    $"it needs root and a reachable Debian mirror (--mirror). Last output:{Environment.NewLine}{debootstrap.FailureTail()}");
            }

            // Package lists and downloaded .debs only bloat the image; language layers fetch fresh lists.
            foreach (var cache in new[] { "var/lib/apt/lists", "var/cache/apt" })
            {
                var directory = Path.Combine(root, cache);
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                    Directory.CreateDirectory(directory);
                }
            }

            Directory.CreateDirectory(Path.Combine(root, "var/lib/apt/lists/partial"));
            var tar = await RunAsync(new CommandLine("tar", "--numeric-owner", "-C", root, "-cf", partial, ".") { Timeout = TimeSpan.FromMinutes(5) }, "tar", cancellationToken);
            if (!tar.Succeeded)
            {
                throw new ImageBootstrapException($"packing the root filesystem failed: {tar.FailureTail()}");
            }

            File.Move(partial, tarball, overwrite: true);
            return tarball;
        }
        finally
        {
            File.Delete(partial);
            if (Directory.Exists(root))
            {
                // debootstrap leaves device nodes and root-owned files; rm copes where Directory.Delete may not.
                await RunAsync(new CommandLine("rm", "-rf", "--one-file-system", root) { Timeout = TimeSpan.FromMinutes(2) }, "rm", CancellationToken.None);
            }
        }
    }

    private async Task<DockerImageInfo> BuildLanguageImageAsync(BaseImageRecipe recipe, string reference, string prefix, Action<string>? progress,
        CancellationToken cancellationToken)
    {
        var context = Directory.CreateTempSubdirectory("deploymind-base-image-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), recipe.Dockerfile(prefix), cancellationToken);
            try
            {
                await engine.BuildImageAsync(new DockerBuildRequest(context.FullName, reference), line => progress?.Invoke($"  {line}"), cancellationToken);
            }
            catch (DockerBuildFailedException e)
            {
                throw new ImageBootstrapException(
                    $"building {reference} from Debian packages ({string.Join(' ', recipe.DebianPackages)}) failed: {e.Message}. " +
                    "The engine's containers need the Debian mirror (host network).", e);
            }

            return await engine.InspectImageAsync(reference, cancellationToken);
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }

    private async Task<CommandResult> RunAsync(CommandLine command, string program, CancellationToken cancellationToken)
    {
        try
        {
            return await processes.RunAsync(command, cancellationToken);
        }
        catch (ProgramNotFoundException e)
        {
            throw new ImageBootstrapException($"'{program}' is not installed; install it with: apt-get install -y {program}", e);
        }
    }

    private static void ValidatePrefix(string prefix)
    {
        if (prefix.Length == 0 || prefix.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.' or '/' or ':')) ||
            prefix.StartsWith('/') || prefix.EndsWith('/'))
        {
            throw new InvalidInputException("--prefix", $"'{prefix}' is not a repository prefix; use lowercase letters, digits, '-', '_', '.' and '/' (e.g. deploymind or registry.local:5000/base)");
        }
    }

    private static string Megabytes(long bytes) => $"{bytes / 1_000_000.0:0.#} MB";
}

/// <summary>An offline base image could not be made; the message says which step failed and what to fix.</summary>
public sealed class ImageBootstrapException(string message, Exception? innerException = null) : DeployMindException(message, innerException);
