using System.CommandLine;
using DeployMind.Deploy.Agent;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>
/// `deploymind rollback`: a new deployment that puts an earlier version back, reusing its image (no scan, no build) and
/// its configuration; linked to it through previous_deployment_id. Runs here and follows it, unless --queue-only.
/// </summary>
internal static class RollbackCommand
{
    public static Command Create(CliContext context)
    {
        var to = new Option<string?>("--to") { Description = "The deployment to go back to (default: the one live before the current one)" };
        var app = new Option<string?>("--app") { Description = "The application (default: the name in ./deploymind.yml)" };
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file naming the application (default: ./deploymind.yml when present)" };
        var strategy = new Option<string?>("--strategy") { Description = "rolling, canary or blue-green (default: the restored deployment's)" };
        var queueOnly = new Option<bool>("--queue-only") { Description = "Queue the rollback, print its id and exit (a worker or server runs it)" };
        var command = new Command("rollback", "Put an earlier version back live, reusing its image (no rebuild)");
        foreach (var option in new Option[] { to, app, config, strategy, queueOnly, GlobalOptions.Json })
        {
            command.Options.Add(option);
        }

        command.SetWork(context, async (parse, services, ct) =>
        {
            var application = parse.GetValue(app) ?? (parse.GetValue(to) is null ? ConfiguredApp(parse.GetValue(config)) : null);
            if (application is not null && !AppName.IsValid(application))
            {
                throw new InvalidInputException("--app", $"--app '{application}' is not an application name; expected {AppName.Form}");
            }

            await services.Database().EnsureReadyAsync(ct);
            var planned = await services.GetRequiredService<RollbackPlanner>().PlanAsync(new RollbackRequest
            {
                Application = application,
                To = parse.GetValue(to),
                Strategy = parse.GetValue(strategy) is { } s ? WireValues.Parse<DeploymentStrategy>(s, "--strategy") : null,
                TriggeredBy = Environment.UserName,
            }, ct);
            var json = parse.GetValue(GlobalOptions.Json);
            var d = planned.Queued;
            if (!json)
            {
                await context.Output.WriteLineAsync(
                    $"Queued {d.Id}: roll {RollbackPlanner.AppOf(planned.To)} back" +
                    (planned.From is null ? "" : $" from {planned.From.Id} ({CommitSha.Short(planned.From.CommitSha)})") +
                    $" to {planned.To.Id} ({CommitSha.Short(planned.To.CommitSha)}), image {planned.Image.Reference}, {d.Strategy.ToWire()}");
            }

            if (parse.GetValue(queueOnly))
            {
                if (json)
                {
                    await context.Output.WriteLineAsync(DeploymentView.Summary(d).ToJsonString());
                }

                return ExitCodes.Success;
            }

            var status = await DeployCommand.RunAndFollowAsync(context, services, d.Id, json, ct);
            var final = await services.GetRequiredService<DeploymentQueries>().GetAsync(d.Id, CancellationToken.None);
            if (json)
            {
                await context.Output.WriteLineAsync(DeploymentView.Detail(final).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                await context.Output.WriteLineAsync();
                DeploymentView.WriteDetail(context.Output, final);
            }

            return DeploymentView.ExitCodeFor(status);
        });
        return command;
    }

    /// <summary>The application named by the configuration file, when there is one.</summary>
    internal static string? ConfiguredApp(string? file)
    {
        if (file is not null && !File.Exists(file))
        {
            throw new InvalidInputException("--config", $"configuration file '{file}' does not exist");
        }

        var path = file ?? AppConfigLoader.FileName;
        return File.Exists(path) ? AppConfigLoader.Load(path).Name : null;
    }
}
