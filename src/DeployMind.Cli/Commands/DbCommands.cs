using System.CommandLine;
using System.Diagnostics;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Persistence.Retention;
using DeployMind.Persistence.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind db init|migrate|status|prune|seed`.</summary>
internal static class DbCommands
{
    public static Command Create(CliContext context)
    {
        var db = new Command("db", "Create, migrate, inspect, prune and seed the DeployMind database");
        db.Subcommands.Add(Init(context));
        db.Subcommands.Add(Migrate(context));
        db.Subcommands.Add(Status(context));
        db.Subcommands.Add(Prune(context));
        db.Subcommands.Add(Seed(context));
        return db;
    }

    private static Command Init(CliContext context)
    {
        var command = new Command("init", "Create the schema, or bring an existing one up to date");
        command.SetWork(context, async (_, services, cancellationToken) =>
        {
            var database = services.Database();
            await context.Output.WriteLineAsync("Initializing database...");
            var applied = await database.MigrateAsync(cancellationToken);
            await context.Output.WriteLineAsync($"  {database.Location.ProviderName}: {database.Location.Display}");
            await context.Output.WriteLineAsync(applied.Count == 0
                ? "  schema already up to date"
                : $"  applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            await context.Output.WriteLineAsync("Database initialized successfully");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Migrate(CliContext context)
    {
        var command = new Command("migrate", "Apply pending schema migrations");
        command.SetWork(context, async (_, services, cancellationToken) =>
        {
            var applied = await services.Database().MigrateAsync(cancellationToken);
            await context.Output.WriteLineAsync(applied.Count == 0
                ? "Database schema is up to date; no migrations were pending"
                : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var command = new Command("status", "Show the provider, the location and the applied and pending migrations");
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, services, cancellationToken) =>
        {
            var status = await services.Database().GetStatusAsync(cancellationToken);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, new
                {
                    Provider = status.Location.ProviderName,
                    Location = status.Location.Display,
                    Exists = status.Reachable,
                    Applied = status.AppliedMigrations,
                    Pending = status.PendingMigrations,
                });
            }
            else
            {
                await context.Output.WriteLineAsync($"Provider:  {status.Location.ProviderName}");
                await context.Output.WriteLineAsync($"Location:  {status.Location.Display}{(status.Reachable ? "" : " (not created yet)")}");
                await context.Output.WriteLineAsync($"Applied:   {(status.AppliedMigrations.Count == 0 ? "none" : string.Join(", ", status.AppliedMigrations))}");
                await context.Output.WriteLineAsync($"Pending:   {(status.PendingMigrations.Count == 0 ? "none" : string.Join(", ", status.PendingMigrations))}");
                if (status.PendingMigrations.Count > 0)
                {
                    await context.Output.WriteLineAsync($"Run 'deploymind db {(status.AppliedMigrations.Count == 0 ? "init" : "migrate")}' to apply them.");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Prune(CliContext context)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be removed without deleting anything" };
        var command = new Command("prune", "Delete rows older than each table's retention (scans 90 d, builds/logs/agent runs 30 d, health checks 7 d; deployments kept)");
        command.Options.Add(dryRun);
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, services, cancellationToken) =>
        {
            var database = services.Database();
            await database.EnsureReadyAsync(cancellationToken);
            var isDryRun = parse.GetValue(dryRun);
            var results = await services.GetRequiredService<RetentionPolicy>().PruneAsync(isDryRun, cancellationToken);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, new
                {
                    DryRun = isDryRun,
                    Tables = results.Select(r => new { r.Table, KeepDays = r.KeptFor?.TotalDays, r.Cutoff, Rows = r.Rows }),
                });
                return ExitCodes.Success;
            }

            var table = new TextTable("table", "kept for", "older than", isDryRun ? "rows to remove" : "rows removed");
            foreach (var r in results)
            {
                table.Add(r.Table, r.KeptFor is { } k ? $"{k.TotalDays:0} days" : "forever", r.Cutoff, r.Rows);
            }

            table.WriteTo(context.Output);
            await context.Output.WriteLineAsync(isDryRun
                ? $"Dry run: {results.Sum(r => r.Rows)} row(s) would be removed; nothing was deleted."
                : $"Removed {results.Sum(r => r.Rows)} row(s).");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Seed(CliContext context)
    {
        var count = new Option<int>("--deployments") { Description = "How many deployments to generate", DefaultValueFactory = _ => 100 };
        var days = new Option<int>("--days") { Description = "Spread them over this many days up to now", DefaultValueFactory = _ => 30 };
        var seed = new Option<int?>("--seed") { Description = "Random seed, for a repeatable history" };
        var command = new Command("seed", "Add a realistic sample history (3 scans, 1 build, 5 health checks, 30 logs, 4 agent runs per deployment)");
        command.Options.Add(count);
        command.Options.Add(days);
        command.Options.Add(seed);
        command.SetWork(context, async (parse, services, cancellationToken) =>
        {
            var deployments = parse.GetValue(count);
            var span = parse.GetValue(days);
            if (deployments is < 1 or > 10_000_000)
            {
                throw new InvalidInputException("--deployments", $"--deployments {deployments} is out of range; use 1 to 10000000");
            }

            if (span is < 1 or > 3650)
            {
                throw new InvalidInputException("--days", $"--days {span} is out of range; use 1 to 3650");
            }

            var database = services.Database();
            await database.EnsureReadyAsync(cancellationToken);
            var now = UtcTimestamp.Now(context.Clock);
            var existing = await database.GuardAsync(async () =>
            {
                await using var db = database.CreateContext();
                var from = now.AddDays(-span - 1);
                return await db.Deployments.Where(d => d.CreatedAt >= from).Select(d => d.Id).ToListAsync(cancellationToken);
            });

            var generator = new SampleDataGenerator(parse.GetValue(seed) ?? Random.Shared.Next(), existing);
            var stopwatch = Stopwatch.StartNew();
            long rows = 0;
            await using (var writer = database.CreateBulkWriter())
            {
                foreach (var batch in generator.Generate(deployments, now, span).Chunk(1000))
                {
                    rows += await database.GuardAsync(() => writer.WriteAsync(batch, cancellationToken));
                }
            }

            stopwatch.Stop();
            await context.Output.WriteLineAsync(
                $"Seeded {deployments} deployments over {span} days: {rows} rows " +
                $"({deployments * SampleDataGenerator.ScansPerDeployment} scans, {deployments} builds, " +
                $"{deployments * SampleDataGenerator.HealthChecksPerDeployment} health checks, {deployments * SampleDataGenerator.LogsPerDeployment} logs, " +
                $"{deployments * SampleDataGenerator.AgentExecutionsPerDeployment} agent executions) in {stopwatch.Elapsed.TotalSeconds:0.0} s " +
                $"({rows / Math.Max(stopwatch.Elapsed.TotalSeconds, 0.001):0} rows/s)");
            return ExitCodes.Success;
        });
        return command;
    }
}
