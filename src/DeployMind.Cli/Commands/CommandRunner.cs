using System.CommandLine;
using DeployMind.Domain;
using DeployMind.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>
/// Runs a command's work with services built for it, and turns failures into one clear line and an exit
/// code: the only place exceptions become user-facing text.
/// </summary>
internal static class CommandRunner
{
    public static void SetWork(this Command command, CliContext context, Func<ParseResult, IServiceProvider, CancellationToken, Task<int>> work,
        Action<ParseResult, IServiceCollection>? configureServices = null) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await using var services = context.BuildServices(parse.GetValue(GlobalOptions.Database), parse.GetValue(GlobalOptions.DataDirectory),
                    configureServices is null ? null : collection => configureServices(parse, collection));
                return await work(parse, services, cancellationToken);
            }
            catch (InvalidInputException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.InvalidInput;
            }
            catch (DatabaseUnavailableException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.DatabaseUnavailable;
            }
            catch (NotFoundException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.NotFound;
            }
            catch (DeployMindException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Error.WriteLineAsync("cancelled");
                return ExitCodes.Cancelled;
            }
            catch (Exception ex)
            {
                // Unexpected: still one line by default; DEPLOYMIND_DEBUG=1 shows the stack for a bug report.
                await context.Error.WriteLineAsync($"error: unexpected {ex.GetType().Name}: {DatabaseLocation.Redact(ex.Message)}");
                if (context.Variable("DEPLOYMIND_DEBUG") == "1")
                {
                    await context.Error.WriteLineAsync(DatabaseLocation.Redact(ex.ToString()));
                }

                return ExitCodes.Failure;
            }
        });

    public static DeployMindDatabase Database(this IServiceProvider services) => services.GetRequiredService<DeployMindDatabase>();
}
