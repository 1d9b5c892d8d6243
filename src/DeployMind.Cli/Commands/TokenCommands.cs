using System.CommandLine;
using DeployMind.Domain;
using DeployMind.Persistence.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind token create|list|revoke`: API tokens for the server (stored hashed, shown once).</summary>
internal static class TokenCommands
{
    public static Command Create(CliContext context)
    {
        var token = new Command("token", "API tokens for the DeployMind server: roles viewer, deployer, admin; stored hashed and shown once");
        token.Subcommands.Add(CreateToken(context));
        token.Subcommands.Add(List(context));
        token.Subcommands.Add(Revoke(context));
        return token;
    }

    private static Command CreateToken(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "What the token is for, e.g. ci or dashboard-alice" };
        var role = new Option<string>("--role")
        {
            Description = $"What it may do: {string.Join(", ", WireValues.AllOf<ApiTokenRole>())} (each includes the ones before)",
            Required = true,
        };
        var command = new Command("create", "Create a token and print it once; only its hash is stored");
        command.Arguments.Add(name);
        command.Options.Add(role);
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, services, ct) =>
        {
            var parsedRole = WireValues.Parse<ApiTokenRole>(parse.GetValue(role), "--role");
            await services.Database().EnsureReadyAsync(ct);
            var createdBy = context.Variable("USER") ?? Environment.UserName;
            var created = await services.GetRequiredService<ApiTokenStore>().CreateAsync(parse.GetValue(name)!, parsedRole, createdBy, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, new
                {
                    created.Token.Id,
                    created.Token.Name,
                    Role = created.Token.Role.ToWire(),
                    created.Token.Prefix,
                    created.Token.CreatedAt,
                    Token = created.Plaintext,
                });
            }
            else
            {
                await context.Output.WriteLineAsync($"Created token {created.Token.Id} \"{created.Token.Name}\" ({created.Token.Role.ToWire()}):");
                await context.Output.WriteLineAsync();
                await context.Output.WriteLineAsync($"    {created.Plaintext}");
                await context.Output.WriteLineAsync();
                await context.Output.WriteLineAsync("Copy it now: it is shown only this once and cannot be recovered (only its hash is stored).");
                await context.Output.WriteLineAsync("Use it as 'Authorization: Bearer <token>'.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var active = new Option<bool>("--active") { Description = "Hide revoked tokens" };
        var command = new Command("list", "List tokens (id, name, role, prefix, last use); never their secrets");
        command.Options.Add(active);
        command.Options.Add(GlobalOptions.Json);
        command.SetWork(context, async (parse, services, ct) =>
        {
            await services.Database().EnsureReadyAsync(ct);
            var tokens = await services.GetRequiredService<ApiTokenStore>().ListAsync(ct, includeRevoked: !parse.GetValue(active));
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, tokens.Select(t => new
                {
                    t.Id, t.Name, Role = t.Role.ToWire(), t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt, t.CreatedBy,
                }));
                return ExitCodes.Success;
            }

            var table = new TextTable("id", "name", "role", "prefix", "created", "last used", "state");
            foreach (var t in tokens)
            {
                table.Add(t.Id, t.Name, t.Role.ToWire(), t.Prefix + "…", t.CreatedAt, t.LastUsedAt, t.Revoked ? "revoked" : "active");
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The token's id (tok_...), its prefix (dm_xxxxx) or the token itself" };
        var command = new Command("revoke", "Revoke a token; requests with it are refused from now on");
        command.Arguments.Add(id);
        command.SetWork(context, async (parse, services, ct) =>
        {
            await services.Database().EnsureReadyAsync(ct);
            var result = await services.GetRequiredService<ApiTokenStore>().RevokeAsync(parse.GetValue(id)!, ct);
            await context.Output.WriteLineAsync(result.AlreadyRevoked
                ? $"Token {result.Token.Id} \"{result.Token.Name}\" was already revoked"
                : $"Revoked token {result.Token.Id} \"{result.Token.Name}\" ({result.Token.Role.ToWire()})");
            return ExitCodes.Success;
        });
        return command;
    }
}
