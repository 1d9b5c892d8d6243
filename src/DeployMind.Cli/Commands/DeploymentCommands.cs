using System.CommandLine;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind status|list|logs|cancel`: looking at and stopping deployments.</summary>
internal static class DeploymentCommands
{
    public static IEnumerable<Command> Create(CliContext context) => [Status(context), List(context), Logs(context), Cancel(context)];

    private static Argument<string> IdArgument() => new("id") { Description = "Deployment id (deploy-YYYYMMDD-xxxxxx)" };

    private static Command Status(CliContext context)
    {
        var id = IdArgument();
        var command = new Command("status", "Show one deployment: status, timings, stages, scans, failure and root cause");
        command.Arguments.Add(id);
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, services, ct) =>
        {
            await services.Database().EnsureReadyAsync(ct);
            var d = await services.GetRequiredService<DeploymentQueries>().GetAsync(parse.GetValue(id)!, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                await context.Output.WriteLineAsync(DeploymentView.Detail(d).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                DeploymentView.WriteDetail(context.Output, d);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var repository = new Option<string?>("--repository") { Description = "Only this repository (owner/repo)" };
        var status = new Option<string?>("--status") { Description = $"Only this status ({string.Join(", ", WireValues.AllOf<DeploymentStatus>())})" };
        var environment = new Option<string?>("--environment") { Description = "Only this environment (development, staging, production)" };
        var since = new Option<string?>("--since") { Description = "Created at or after (YYYY-MM-DD, ISO 8601, or 7d/12h ago)" };
        var until = new Option<string?>("--until") { Description = "Created before" };
        var before = new Option<string?>("--before") { Description = "Page cursor: list deployments older than this id" };
        var limit = new Option<int>("--limit") { Description = "How many to show", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "List deployments, newest first");
        foreach (var option in new Option[] { repository, status, environment, since, until, before, limit, GlobalOptions.Json })
        {
            command.Options.Add(option);
        }

        command.SetWork(context, async (parse, services, ct) =>
        {
            var now = UtcTimestamp.Now(context.Clock);
            var filter = new DeploymentListFilter(
                parse.GetValue(repository) is { } r ? RepositoryName.Validate(r, "--repository") : null,
                parse.GetValue(status) is { } s ? WireValues.Parse<DeploymentStatus>(s, "--status") : null,
                parse.GetValue(environment) is { } e ? WireValues.Parse<DeploymentEnvironment>(e, "--environment") : null,
                InputParsing.ParseTime(parse.GetValue(since), "--since", now),
                InputParsing.ParseTime(parse.GetValue(until), "--until", now),
                parse.GetValue(before),
                parse.GetValue(limit));
            await services.Database().EnsureReadyAsync(ct);
            var rows = await services.GetRequiredService<DeploymentQueries>().ListAsync(filter, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                var page = new JsonObject
                {
                    ["deployments"] = new JsonArray(rows.Select(d => (JsonNode)DeploymentView.Summary(d)).ToArray()),
                    ["next_before"] = rows.Count == filter.Limit ? rows[^1].Id : null,
                };
                await context.Output.WriteLineAsync(page.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Success;
            }

            var table = new TextTable("id", "repository", "commit", "status", "strategy", "target", "seconds", "created");
            foreach (var d in rows)
            {
                table.Add(d.Id, d.Repository, CommitSha.Short(d.CommitSha), d.Status.ToWire(), d.Strategy.ToWire(), d.InstanceId, d.DurationSeconds, d.CreatedAt);
            }

            table.WriteTo(context.Output);
            if (rows.Count == filter.Limit)
            {
                await context.Output.WriteLineAsync($"More: deploymind list --before {rows[^1].Id}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Logs(CliContext context)
    {
        var id = IdArgument();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new entries until the deployment finishes" };
        var command = new Command("logs", "Print a deployment's log");
        command.Arguments.Add(id);
        command.Options.Add(follow);
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, services, ct) =>
        {
            await services.Database().EnsureReadyAsync(ct);
            var deploymentId = DeploymentId.Validate(parse.GetValue(id));
            var json = parse.GetValue(GlobalOptions.Json);
            var printer = new LogPrinter(context.Output, json);
            var queries = services.GetRequiredService<DeploymentQueries>();
            if (!parse.GetValue(follow))
            {
                await printer.PrintNewAsync(queries, deploymentId, ct);
                return ExitCodes.Success;
            }

            var status = await printer.FollowAsync(queries, deploymentId, context.Clock, ct);
            return DeploymentView.ExitCodeFor(status);
        });
        return command;
    }

    private static Command Cancel(CliContext context)
    {
        var id = IdArgument();
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for a running deployment to stop (0: do not wait)", DefaultValueFactory = _ => 120 };
        var command = new Command("cancel", "Cancel a queued or running deployment; a running one undoes what it changed");
        command.Arguments.Add(id);
        command.Options.Add(wait);
        command.SetWork(context, async (parse, services, ct) =>
        {
            await services.Database().EnsureReadyAsync(ct);
            var deploymentId = DeploymentId.Validate(parse.GetValue(id));
            var seconds = parse.GetValue(wait);
            if (seconds is < 0 or > 3600)
            {
                throw new InvalidInputException("--wait", $"--wait {seconds} is out of range; use 0 to 3600 seconds");
            }

            var queries = services.GetRequiredService<DeploymentQueries>();
            var result = await services.GetRequiredService<DeploymentQueue>().RequestCancelAsync(deploymentId, Environment.UserName, ct);
            switch (result)
            {
                case CancelResult.AlreadyFinished:
                    await context.Output.WriteLineAsync($"{deploymentId} had already finished: {(await queries.StatusAsync(deploymentId, ct)).ToWire()}");
                    return ExitCodes.Success;
                case CancelResult.CancelledWhileQueued:
                    await context.Output.WriteLineAsync($"{deploymentId} cancelled before it started");
                    return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync($"Cancellation requested; the worker running {deploymentId} stops at its next heartbeat");
            var deadline = context.Clock.GetUtcNow() + TimeSpan.FromSeconds(seconds);
            while (context.Clock.GetUtcNow() < deadline)
            {
                var status = await queries.StatusAsync(deploymentId, ct);
                if (DeploymentStatusMachine.IsFinished(status))
                {
                    await context.Output.WriteLineAsync($"{deploymentId} is now {status.ToWire()}");
                    return ExitCodes.Success;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), context.Clock, ct);
            }

            if (seconds > 0)
            {
                await context.Error.WriteLineAsync($"error: {deploymentId} has not stopped within {seconds} s; check 'deploymind status {deploymentId}'");
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>Prints log entries once each, as text lines or JSON lines.</summary>
internal sealed class LogPrinter(TextWriter output, bool json)
{
    private long _lastId;

    public async Task PrintNewAsync(DeploymentQueries queries, string deploymentId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await queries.LogsAsync(deploymentId, _lastId, 500, cancellationToken);
            foreach (var entry in batch)
            {
                await output.WriteLineAsync(json
                    ? new JsonObject
                    {
                        ["id"] = entry.Id,
                        ["timestamp"] = entry.Timestamp,
                        ["level"] = entry.Level.ToWire(),
                        ["agent"] = entry.Agent,
                        ["event_type"] = entry.EventType,
                        ["message"] = entry.Message,
                        ["event_data"] = entry.EventData?.DeepClone(),
                    }.ToJsonString()
                    : DeploymentView.LogLine(entry));
                _lastId = entry.Id;
            }

            if (batch.Count < 500)
            {
                return;
            }
        }
    }

    /// <summary>Prints entries as they arrive until the deployment reaches a final status; returns that status.</summary>
    public async Task<DeploymentStatus> FollowAsync(DeploymentQueries queries, string deploymentId, TimeProvider clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await queries.StatusAsync(deploymentId, cancellationToken);
            await PrintNewAsync(queries, deploymentId, cancellationToken);
            if (DeploymentStatusMachine.IsFinished(status))
            {
                return status;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), clock, cancellationToken);
        }
    }
}
