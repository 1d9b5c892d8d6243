using System.CommandLine;
using System.Globalization;
using DeployMind.Domain;
using DeployMind.Security.Dependencies;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind vulndb import|update|status`: the local OSV advisory store the dependency scanner matches against.</summary>
internal static class VulnDbCommands
{
    public static Command Create(CliContext context)
    {
        var vulndb = new Command("vulndb", "Manage the local vulnerability database (OSV advisories), usable fully offline");
        vulndb.Subcommands.Add(Import(context));
        vulndb.Subcommands.Add(Update(context));
        vulndb.Subcommands.Add(Status(context));
        return vulndb;
    }

    private static Command Import(CliContext context)
    {
        var files = new Argument<string[]>("files") { Description = "OSV all.zip dumps, directories of OSV JSON files, or single JSON files", Arity = ArgumentArity.OneOrMore };
        var command = new Command("import", "Load OSV dumps into the local database (idempotent; newer 'modified' wins)");
        command.Arguments.Add(files);
        command.SetWork(context, async (parse, _, ct) =>
        {
            var paths = parse.GetValue(files)!.Select(Path.GetFullPath).ToList();
            foreach (var missing in paths.Where(p => !File.Exists(p) && !Directory.Exists(p)))
            {
                throw new InvalidInputException("files", $"'{missing}' does not exist; give OSV all.zip files or directories of OSV JSON records");
            }

            return await ImportAsync(context, parse, paths, ct);
        });
        return command;
    }

    private static Command Update(CliContext context)
    {
        var ecosystems = new Option<string[]>("--ecosystem") { Description = "Only these ecosystems (npm, PyPI, Go, crates.io, RubyGems, Maven, NuGet, Packagist)", AllowMultipleArgumentsPerToken = true };
        var url = new Option<string?>("--url") { Description = "A mirror with OSV's <ECOSYSTEM>/all.zip layout (default: OSV's public bucket)" };
        var command = new Command("update", "Download the latest OSV dumps and import them (needs network; offline, use 'vulndb import')");
        command.Options.Add(ecosystems);
        command.Options.Add(url);
        command.SetWork(context, async (parse, _, ct) =>
        {
            var options = new OsvDumpOptions();
            if (parse.GetValue(url) is { } mirror)
            {
                options.BaseUrl = Uri.TryCreate(mirror.EndsWith('/') ? mirror : mirror + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                    ? uri
                    : throw new InvalidInputException("--url", $"--url '{mirror}' is not an http(s) URL");
            }

            if (parse.GetValue(ecosystems) is { Length: > 0 } chosen)
            {
                options.Ecosystems = chosen;
            }

            var download = Directory.CreateTempSubdirectory("deploymind-osv-");
            try
            {
                using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
                await context.Output.WriteLineAsync($"Downloading {string.Join(", ", options.Ecosystems)} from {options.BaseUrl}");
                var files = await new OsvDumpDownloader(http, options).DownloadAsync(download.FullName, ct);
                return await ImportAsync(context, parse, files, ct);
            }
            finally
            {
                download.Delete(recursive: true);
            }
        });
        return command;
    }

    private static Command Status(CliContext context)
    {
        var command = new Command("status", "Show the ecosystems, record counts and age of the local vulnerability database");
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, _, _) =>
        {
            var path = context.VulnerabilityDatabasePath(parse.GetValue(GlobalOptions.DataDirectory));
            if (!File.Exists(path))
            {
                await context.Output.WriteLineAsync($"No vulnerability database at {path}; load one with 'deploymind vulndb import FILE.zip' or 'deploymind vulndb update'");
                return ExitCodes.Success;
            }

            using var db = VulnerabilityDatabase.Open(path, context.Clock);
            var status = db.Status();
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, new { Path = path, status.TotalRecords, status.LastImportedAt, AgeDays = status.Age(context.Clock.GetUtcNow())?.TotalDays, status.Ecosystems });
                return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync($"Database:      {path}");
            await context.Output.WriteLineAsync($"Records:       {status.TotalRecords}");
            await context.Output.WriteLineAsync($"Last import:   {(status.LastImportedAt is { } at ? $"{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z ({status.Age(context.Clock.GetUtcNow())!.Value.TotalDays:0.#} days ago)" : "never")}");
            var table = new TextTable("ecosystem", "records", "newest advisory");
            foreach (var e in status.Ecosystems)
            {
                table.Add(e.Ecosystem, e.Records, e.NewestModified?.UtcDateTime);
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> ImportAsync(CliContext context, ParseResult parse, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var path = context.VulnerabilityDatabasePath(parse.GetValue(GlobalOptions.DataDirectory));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var db = VulnerabilityDatabase.Open(path, context.Clock);
        try
        {
            var result = await db.ImportAsync(paths, cancellationToken);
            await context.Output.WriteLineAsync($"Imported into {path}: {result.Added} added, {result.Updated} updated, {result.Skipped} unchanged");
            foreach (var problem in result.Problems)
            {
                await context.Error.WriteLineAsync($"warning: {problem.FilePath}{(problem.Line is { } line ? $":{line}" : "")}: {problem.Message}");
            }

            return ExitCodes.Success;
        }
        catch (VulnerabilityImportException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message} (the database was left as it was)");
            return ExitCodes.InvalidInput;
        }
    }
}
