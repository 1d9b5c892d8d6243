using System.CommandLine;
using System.Globalization;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind serve`: the REST API, webhooks, dashboard and background workers in one process (see DeployMind.Server).</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen (semicolon-separated URLs)", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var workers = new Option<int?>("--workers") { Description = "Queue workers in this process (default: DEPLOYMIND_WORKERS or 1; 0 runs none)" };
        var config = new Option<string?>("--config", "-c") { Description = "Server configuration: apps, schedules, webhook secrets, GitHub statuses (default: DEPLOYMIND_SERVER_CONFIG)" };
        var command = new Command("serve", "Run the API server, GitHub webhooks, schedules, the dashboard and queue workers");
        command.Options.Add(urls);
        command.Options.Add(workers);
        command.Options.Add(config);
        command.SetWork(context, async (parse, _, ct) =>
        {
            var settings = new Dictionary<string, string?>(context.Environment, StringComparer.Ordinal)
            {
                ["urls"] = parse.GetValue(urls),
            };
            if (parse.GetValue(workers) is { } count)
            {
                if (count is < 0 or > 64)
                {
                    throw new InvalidInputException("--workers", $"--workers {count} is out of range; use 0 to 64");
                }

                settings["DEPLOYMIND_WORKERS"] = count.ToString(CultureInfo.InvariantCulture);
            }

            if (parse.GetValue(config) is { } file)
            {
                settings["DEPLOYMIND_SERVER_CONFIG"] = File.Exists(file)
                    ? Path.GetFullPath(file)
                    : throw new InvalidInputException("--config", $"server configuration '{file}' does not exist");
            }

            if (parse.GetValue(GlobalOptions.Database) is { } database)
            {
                settings[DatabaseOptions.UrlVariable] = database;
            }

            if (parse.GetValue(GlobalOptions.DataDirectory) is { } dataDirectory)
            {
                settings[DatabaseOptions.DataDirectoryVariable] = dataDirectory;
            }

            await using var app = DeployMindServer.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
            {
                throw new InvalidInputException("--urls", $"{e.Message.TrimEnd('.')}; stop what listens there or choose another address, e.g. --urls http://127.0.0.1:5081");
            }

            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var db = app.Services.GetRequiredService<DeployMindDatabase>().Location;
            await context.Output.WriteLineAsync($"DeployMind server on {string.Join(", ", addresses)} ({db.ProviderName}: {db.Display}); Ctrl+C stops it");
            try
            {
                await app.WaitForShutdownAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }

            await context.Output.WriteLineAsync("Server stopped");
            return ExitCodes.Success;
        });
        return command;
    }
}
