using System.CommandLine;
using System.Text;
using DeployMind.Domain;
using DeployMind.Persistence.RuntimeConfig;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind env set|list|unset|import`: per-application environment variables and encrypted secrets.</summary>
internal static class EnvCommands
{
    public static Command Create(CliContext context)
    {
        var env = new Command("env", "Environment variables and secrets injected into an application's containers (secrets encrypted, shown masked)");
        env.Subcommands.Add(Set(context));
        env.Subcommands.Add(List(context));
        env.Subcommands.Add(Unset(context));
        env.Subcommands.Add(Import(context));
        return env;
    }

    private static Argument<string> AppArgument() => new("app") { Description = $"Application name ({AppVariableNames.ApplicationForm})" };

    private static Command Set(CliContext context)
    {
        var app = AppArgument();
        var assignment = new Argument<string>("name") { Description = "NAME=VALUE, or NAME alone to read the value from stdin or a prompt" };
        var secret = new Option<bool>("--secret") { Description = "Store the value encrypted; it is never shown again (give it on stdin or at the prompt)" };
        var fromStdin = new Option<bool>("--from-stdin") { Description = "Read the value from standard input (one trailing newline is dropped)" };
        var command = new Command("set", "Set one variable; an existing one is replaced");
        command.Arguments.Add(app);
        command.Arguments.Add(assignment);
        command.Options.Add(secret);
        command.Options.Add(fromStdin);
        command.SetWork(context, async (parse, services, ct) =>
        {
            var application = AppVariableNames.ValidateApplication(parse.GetValue(app), "app");
            var text = parse.GetValue(assignment)!;
            var isSecret = parse.GetValue(secret);
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            var name = AppVariableNames.ValidateName(equals < 0 ? text : text[..equals], "name");
            string value;
            if (equals >= 0)
            {
                if (parse.GetValue(fromStdin))
                {
                    throw new InvalidInputException("--from-stdin", "give the value either as NAME=VALUE or with --from-stdin, not both");
                }

                value = text[(equals + 1)..];
                if (isSecret)
                {
                    await context.Error.WriteLineAsync("warning: a secret given on the command line can be read from the process list and shell history; " +
                                                       $"prefer 'deploymind env set {application} {name} --secret' (prompt) or --from-stdin");
                }
            }
            else if (parse.GetValue(fromStdin))
            {
                value = await ReadStdinValueAsync(context, ct);
            }
            else if (isSecret)
            {
                value = await PromptSecretAsync(context, name, ct);
            }
            else
            {
                throw new InvalidInputException("name", $"no value for {name}; use {name}=VALUE, --from-stdin, or --secret to be prompted");
            }

            await services.Database().EnsureReadyAsync(ct);
            var store = services.GetRequiredService<AppVariableStore>();
            var keyFile = store.Keys.KeyFilePath;
            var keyExisted = keyFile is null || File.Exists(keyFile);
            var result = await store.SetAsync(application, name, value, isSecret, ct);
            await context.Output.WriteLineAsync(
                $"{(result.Created ? "Set" : "Replaced")} {name} for {application} ({(isSecret ? "secret, encrypted" : "plain")}): {result.Variable.Display}");
            await ReportKeyAsync(context, store, keyFile, keyExisted);
            return ExitCodes.Success;
        }, ConfigureKey(context));
        return command;
    }

    private static Command List(CliContext context)
    {
        var app = AppArgument();
        var command = new Command("list", "List an application's variables; secret values are masked, never shown");
        command.Arguments.Add(app);
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, services, ct) =>
        {
            var application = AppVariableNames.ValidateApplication(parse.GetValue(app), "app");
            await services.Database().EnsureReadyAsync(ct);
            var variables = await services.GetRequiredService<AppVariableStore>().ListAsync(application, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, new
                {
                    App = application,
                    Variables = variables.Select(v => new { v.Name, v.IsSecret, v.Value, Display = v.Display, v.CreatedAt, v.UpdatedAt }),
                });
                return ExitCodes.Success;
            }

            var table = new TextTable("name", "kind", "value", "updated");
            foreach (var v in variables)
            {
                table.Add(v.Name, v.IsSecret ? "secret" : "plain", OneLine(v.Display), v.UpdatedAt);
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        }, ConfigureKey(context));
        return command;
    }

    private static Command Unset(CliContext context)
    {
        var app = AppArgument();
        var name = new Argument<string>("name") { Description = "Variable name" };
        var command = new Command("unset", "Remove one variable");
        command.Arguments.Add(app);
        command.Arguments.Add(name);
        command.SetWork(context, async (parse, services, ct) =>
        {
            var application = AppVariableNames.ValidateApplication(parse.GetValue(app), "app");
            var variable = AppVariableNames.ValidateName(parse.GetValue(name), "name");
            await services.Database().EnsureReadyAsync(ct);
            if (!await services.GetRequiredService<AppVariableStore>().UnsetAsync(application, variable, ct))
            {
                throw new NotFoundException($"variable of app {application}", variable);
            }

            await context.Output.WriteLineAsync($"Removed {variable} from {application}");
            return ExitCodes.Success;
        }, ConfigureKey(context));
        return command;
    }

    private static Command Import(CliContext context)
    {
        var app = AppArgument();
        var file = new Argument<string>("file") { Description = "The .env file ('-' reads standard input)" };
        var secretKeys = new Option<string?>("--secret-keys") { Description = "Comma-separated names to store as secrets (e.g. DB_PASSWORD,API_KEY)" };
        var allSecret = new Option<bool>("--all-secret") { Description = "Store every variable of the file as a secret" };
        var command = new Command("import", "Validate a .env file (every bad line is reported) and store all of it, or nothing");
        command.Arguments.Add(app);
        command.Arguments.Add(file);
        command.Options.Add(secretKeys);
        command.Options.Add(allSecret);
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, services, ct) =>
        {
            var application = AppVariableNames.ValidateApplication(parse.GetValue(app), "app");
            var path = parse.GetValue(file)!;
            var keys = parse.GetValue(secretKeys);
            if (keys is not null && parse.GetValue(allSecret))
            {
                throw new InvalidInputException("--secret-keys", "use either --secret-keys or --all-secret, not both");
            }

            var secrets = parse.GetValue(allSecret) ? EnvImportSecrets.AllOf()
                : keys is null ? EnvImportSecrets.None
                : EnvImportSecrets.Only(ParseKeyList(keys));
            var (text, source) = await ReadEnvFileAsync(context, path, ct);
            await services.Database().EnsureReadyAsync(ct);
            var store = services.GetRequiredService<AppVariableStore>();
            var keyFile = store.Keys.KeyFilePath;
            var keyExisted = keyFile is null || File.Exists(keyFile);
            var result = await store.ImportAsync(application, text, secrets, ct, source);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, new
                {
                    App = application,
                    result.Created,
                    result.Updated,
                    Variables = result.Variables.Select(v => new { v.Name, v.IsSecret, v.Value, v.Display }),
                });
            }
            else
            {
                var secretCount = result.Variables.Count(v => v.IsSecret);
                await context.Output.WriteLineAsync(
                    $"Imported {result.Variables.Count} variable(s) into {application} from {source}: {result.Created} new, {result.Updated} replaced, {secretCount} secret");
            }

            await ReportKeyAsync(context, store, keyFile, keyExisted);
            return ExitCodes.Success;
        }, ConfigureKey(context));
        return command;
    }

    /// <summary>The key settings come from the command's environment (DEPLOYMIND_SECRET_KEY, DEPLOYMIND_SECRET_KEY_FILE), not the process's.</summary>
    private static Action<ParseResult, IServiceCollection> ConfigureKey(CliContext context) => (_, services) =>
        services.Configure<SecretKeyOptions>(o =>
        {
            o.Key = context.Variable(SecretKeyOptions.KeyVariable);
            o.KeyFile = context.Variable(SecretKeyOptions.KeyFileVariable);
        });

    private static async Task ReportKeyAsync(CliContext context, AppVariableStore store, string? keyFile, bool keyExisted)
    {
        if (!keyExisted && keyFile is not null && File.Exists(keyFile))
        {
            await context.Error.WriteLineAsync($"Created the secret key {keyFile} (mode 0600). Back it up: without it the secrets cannot be decrypted, " +
                                               "and a copy of the database alone reveals none of them.");
        }

        if (store.Keys.PermissionWarning is { } warning)
        {
            await context.Error.WriteLineAsync($"warning: {warning}");
        }
    }

    private static IEnumerable<string> ParseKeyList(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            throw new InvalidInputException("--secret-keys", "--secret-keys needs at least one name, e.g. --secret-keys DB_PASSWORD,API_KEY");
        }

        foreach (var name in names)
        {
            AppVariableNames.ValidateName(name, "--secret-keys");
        }

        return names;
    }

    private static async Task<(string Text, string Source)> ReadEnvFileAsync(CliContext context, string path, CancellationToken ct)
    {
        if (path == "-")
        {
            return (await (context.Input ?? Console.In).ReadToEndAsync(ct), "stdin");
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > 4 * 1024 * 1024)
            {
                throw new InvalidInputException("file", $"{path} is {info.Length} bytes; a .env file may be at most 4 MiB");
            }

            return (await File.ReadAllTextAsync(path, Encoding.UTF8, ct), path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException("file", $"{path} does not exist");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException("file", $"cannot read {path}: {ex.Message}");
        }
    }

    private static async Task<string> ReadStdinValueAsync(CliContext context, CancellationToken ct)
    {
        var text = await (context.Input ?? Console.In).ReadToEndAsync(ct);
        return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
    }

    /// <summary>Reads a secret without echoing it when stdin is a terminal; otherwise reads stdin like --from-stdin.</summary>
    private static async Task<string> PromptSecretAsync(CliContext context, string name, CancellationToken ct)
    {
        if (context.Input is not null || Console.IsInputRedirected)
        {
            return await ReadStdinValueAsync(context, ct);
        }

        await context.Error.WriteAsync($"Value for {name} (input hidden): ");
        var value = new StringBuilder();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (value.Length > 0)
                {
                    value.Length--;
                }

                continue;
            }

            if (!char.IsControl(key.KeyChar))
            {
                value.Append(key.KeyChar);
            }
        }

        await context.Error.WriteLineAsync();
        return value.ToString();
    }

    private static string OneLine(string value)
    {
        var line = value.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return line.Length <= 60 ? line : line[..59] + "…";
    }
}
