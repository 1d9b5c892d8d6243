using System.CommandLine;
using System.Globalization;
using DeployMind.Deploy.Agent;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind instances`: what each target of an application runs now: its state, the versions and their CPU and memory.</summary>
internal static class InstancesCommand
{
    public static Command Create(CliContext context)
    {
        var app = new Option<string?>("--app") { Description = "The application (default: the one in ./deploymind.yml); its targets come from its last deployment" };
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file (default: ./deploymind.yml when present)" };
        var command = new Command("instances", "Show each target's state, the version it runs (deployment, commit), and container CPU and memory");
        foreach (var option in new Option[] { app, config, GlobalOptions.Json })
        {
            command.Options.Add(option);
        }

        command.SetWork(context, async (parse, services, ct) =>
        {
            var application = await ApplicationAsync(parse.GetValue(app), parse.GetValue(config), services, ct);
            ResolvedSecrets? secrets = null;
            try
            {
                secrets = await AppConfigLoader.ResolveSecretsAsync(application, context.Environment, ct);
            }
            catch (ConfigValidationException)
            {
                // Secrets the app needs at run time do not matter here; SSH keys given as files are still read by the target.
            }

            var targets = await services.GetRequiredService<AppInstances>().ReadAsync(application, secrets, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, new { Application = application.Name, Targets = targets });
                return targets.All(t => t.Reachable) ? ExitCodes.Success : ExitCodes.Failure;
            }

            var table = new TextTable("TARGET", "STATE", "URL", "CONTAINER", "VERSION", "DEPLOYMENT", "ROLE", "CPU %", "MEMORY");
            foreach (var target in targets)
            {
                var state = !target.Reachable
                    ? $"unreachable ({target.Error})"
                    : target.InstanceState is null ? "reachable" : $"{target.InstanceState}/{target.InstanceStatus}";
                if (target.Versions.Count == 0)
                {
                    table.Add(target.Target, state, target.Url, "(nothing runs)", null, null, null, null, null);
                }

                foreach (var v in target.Versions)
                {
                    table.Add(target.Target, state, target.Url, v.Container, v.Version, v.DeploymentId,
                        v.Role == "live" ? $"live {v.Weight}%" : v.Role, v.CpuPercent, Memory(v.MemoryBytes, v.MemoryLimitBytes));
                }
            }

            await context.Output.WriteLineAsync($"{application.Name} on {targets.Count} target(s):");
            table.WriteTo(context.Output);
            return targets.All(t => t.Reachable) ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static async Task<AppConfig> ApplicationAsync(string? name, string? file, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (name is null)
        {
            if (file is not null && !File.Exists(file))
            {
                throw new InvalidInputException("--config", $"configuration file '{file}' does not exist");
            }

            var path = file ?? AppConfigLoader.FileName;
            return File.Exists(path)
                ? AppConfigLoader.Load(path)
                : throw new InvalidInputException("--app", "name the application with --app, or run in a directory with its deploymind.yml");
        }

        if (!AppName.IsValid(name))
        {
            throw new InvalidInputException("--app", $"--app '{name}' is not an application name; expected {AppName.Form}");
        }

        await services.Database().EnsureReadyAsync(cancellationToken);
        var history = await services.GetRequiredService<RollbackPlanner>().LiveHistoryAsync(name, cancellationToken);
        var latest = history.FirstOrDefault(d => d.Metadata?["config"] is System.Text.Json.Nodes.JsonObject)
                     ?? throw new NotFoundException("deployment with a configuration of application", name);
        return DeploySettings.Parse((System.Text.Json.Nodes.JsonObject)latest.Metadata!["config"]!, latest.Metadata?["config_dir"]?.GetValue<string>());
    }

    private static string? Memory(long? bytes, long? limit)
    {
        if (bytes is null)
        {
            return null;
        }

        var used = (bytes.Value / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
        return limit is { } l && l > 0 ? $"{used} / {(l / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture)} MiB" : used;
    }
}
