using System.CommandLine;
using DeployMind.Build.Docker;
using DeployMind.Build.Images;
using DeployMind.Persistence;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind images bootstrap|list`: the offline base images generated Dockerfiles build FROM.</summary>
internal static class ImagesCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("images", "Offline base images built from Debian packages (no Docker Hub needed)");
        command.Subcommands.Add(Bootstrap(context));
        command.Subcommands.Add(List(context));
        return command;
    }

    private static readonly Option<string> s_prefix = new("--prefix") { Description = "Repository prefix of the images", DefaultValueFactory = _ => "deploymind" };

    private static Command Bootstrap(CliContext context)
    {
        var only = new Option<string?>("--only") { Description = $"Comma-separated images to build (with the base): {string.Join(", ", BaseImageRecipe.All.Select(r => r.Name))}" };
        var all = new Option<bool>("--all") { Description = $"Build every image Debian can provide, not only the default set ({string.Join(", ", BaseImageRecipe.All.Where(r => r.InDefaultSet).Select(r => r.Name))})" };
        var force = new Option<bool>("--force") { Description = "Rebuild images that already exist, and the cached root filesystem" };
        var mirror = new Option<string>("--mirror") { Description = "Debian mirror for debootstrap", DefaultValueFactory = _ => ImageBootstrapOptions.DefaultMirror };
        var command = new Command("bootstrap", "Build the base images from a debootstrap Debian and Debian packages; images already present are kept");
        foreach (var option in new Option[] { s_prefix, only, all, force, mirror })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) => await RunAsync(context, async engine =>
        {
            var cache = Path.Combine(new DatabaseOptions
            {
                DataDirectory = parse.GetValue(GlobalOptions.DataDirectory) ?? context.Variable(DatabaseOptions.DataDirectoryVariable),
            }.ResolveDataDirectory(), "images");
            var bootstrapper = new ImageBootstrapper(engine, new ProcessRunner(), context.Clock);
            var outcomes = await bootstrapper.BootstrapAsync(new ImageBootstrapOptions
            {
                Prefix = parse.GetValue(s_prefix)!,
                Only = parse.GetValue(only) is { } names ? [.. names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [],
                All = parse.GetValue(all),
                Force = parse.GetValue(force),
                Mirror = parse.GetValue(mirror)!,
                CacheDirectory = cache,
            }, line => context.Output.WriteLine(line), ct);
            var built = outcomes.Count(o => o.Status == BootstrapStatus.Built);
            await context.Output.WriteLineAsync($"{outcomes.Count} base image(s) ready ({built} built, {outcomes.Count - built} already present) on {engine.Host}");
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "Show which offline base images the engine has");
        command.Options.Add(s_prefix);
        command.SetAction(async (parse, ct) => await RunAsync(context, async engine =>
        {
            var rows = await new ImageBootstrapper(engine, new ProcessRunner(), context.Clock).ListAsync(parse.GetValue(s_prefix)!, ct);
            foreach (var (recipe, reference, image) in rows)
            {
                var state = image is null ? "missing" : $"present {image.SizeBytes / 1_000_000.0,7:0.#} MB";
                await context.Output.WriteLineAsync($"{reference,-30} {state,-20} {recipe.Purpose}");
            }

            var missing = rows.Count(r => r.Image is null && r.Recipe.InDefaultSet);
            if (missing > 0)
            {
                await context.Output.WriteLineAsync($"{missing} image(s) of the default set missing: run `deploymind images bootstrap`");
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Func<DockerEngine, Task<int>> work, CancellationToken cancellationToken)
    {
        try
        {
            using var engine = new DockerEngine(new DockerEngineOptions { Host = context.Variable("DOCKER_HOST") ?? DockerEngineOptions.DefaultHost });
            return await work(engine);
        }
        catch (Domain.InvalidInputException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Domain.DeployMindException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("cancelled");
            return ExitCodes.Cancelled;
        }
    }
}
