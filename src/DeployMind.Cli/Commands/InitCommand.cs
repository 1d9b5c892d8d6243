using System.CommandLine;
using DeployMind.Build.Detection;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind init`: writes a commented deploymind.yml for a repository, filled in from what detection finds.</summary>
internal static class InitCommand
{
    public static Command Create(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "Repository directory", DefaultValueFactory = _ => "." };
        var name = new Option<string?>("--name") { Description = "Application name (default: from the repository)" };
        var repo = new Option<string?>("--repo") { Description = "GitHub repository owner/repo (default: from the origin remote)" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing deploymind.yml" };
        var command = new Command("init", "Write a commented starter deploymind.yml for a repository");
        command.Arguments.Add(path);
        command.Options.Add(name);
        command.Options.Add(repo);
        command.Options.Add(force);
        command.SetWork(context, async (parse, services, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(path)!);
            if (!Directory.Exists(root))
            {
                throw new InvalidInputException("path", $"'{root}' is not a directory; give the repository's directory");
            }

            var file = Path.Combine(root, AppConfigLoader.FileName);
            if (File.Exists(file) && !parse.GetValue(force))
            {
                throw new InvalidInputException("--force", $"{file} already exists; edit it, or pass --force to replace it");
            }

            DetectionReport? report = null;
            try
            {
                report = new ProjectDetector().Detect(root);
            }
            catch (DeployMindException ex)
            {
                await context.Error.WriteLineAsync($"note: {ex.Message.Split('\n')[0]}; fill in the build and health_check sections by hand");
            }

            var repository = parse.GetValue(repo) is { } r ? RepositoryName.Validate(r, "--repo") : await OriginRepositoryAsync(services, root, ct);
            var appName = parse.GetValue(name) ?? AppName.Suggest(repository ?? Path.GetFileName(root));
            if (!AppName.IsValid(appName))
            {
                throw new InvalidInputException("--name", $"--name '{appName}' is not a valid application name; use lowercase letters, digits and '-', e.g. storefront");
            }

            var text = StarterConfig.Write(new StarterConfigInput
            {
                Name = appName,
                Repository = repository,
                SourcePath = repository is null ? "." : null,
                Language = report?.Language.ToWire(),
                Port = report?.Port,
                HealthPath = report?.HealthPath,
            });
            await File.WriteAllTextAsync(file, text, ct);
            await context.Output.WriteLineAsync($"Wrote {file}");
            if (report is not null)
            {
                await context.Output.WriteLineAsync($"  detected {report.Language.ToWire()}{(report.Framework is null ? "" : $" ({report.Framework})")}, port {report.Port}, health {report.HealthPath}");
            }

            await context.Output.WriteLineAsync("Next: review the targets section, then run 'deploymind deploy'");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>owner/repo of a GitHub origin remote, if the directory has one.</summary>
    private static async Task<string?> OriginRepositoryAsync(IServiceProvider services, string root, CancellationToken cancellationToken)
    {
        var runner = services.GetRequiredService<IProcessRunner>();
        var result = await runner.RunAsync(new CommandLine("git", ["-C", root, "remote", "get-url", "origin"]) { Timeout = TimeSpan.FromSeconds(10) }, cancellationToken);
        if (!result.Succeeded)
        {
            return null;
        }

        var url = result.StandardOutput.Trim();
        var marker = url.IndexOf("github.com", StringComparison.OrdinalIgnoreCase);
        if (marker < 0)
        {
            return null;
        }

        var tail = url[(marker + "github.com".Length)..].TrimStart(':', '/');
        tail = tail.EndsWith(".git", StringComparison.Ordinal) ? tail[..^4] : tail;
        try
        {
            return RepositoryName.Validate(tail);
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }
}
