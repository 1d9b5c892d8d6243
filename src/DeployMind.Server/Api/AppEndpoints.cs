using DeployMind.Domain;
using DeployMind.Persistence.RuntimeConfig;
using DeployMind.Pipeline.Configuration;
using DeployMind.Server.Auth;
using DeployMind.Server.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DeployMind.Server.Api;

/// <summary>/api/v1/apps: the configured applications, and each app's environment variables and secrets (masked on read).</summary>
public static class AppEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/apps").WithTags("Apps");
        group.MapGet("/", ListApps).RequireAuthorization(Roles.Viewer).WithSummary("The applications this server deploys, with their schedules");
        group.MapGet("/{app}/env", ListAsync).RequireAuthorization(Roles.Viewer).WithSummary("The app's variables; secrets are masked");
        group.MapPut("/{app}/env/{name}", SetAsync).RequireAuthorization(Roles.Deployer).Accepts<SetVariableRequest>("application/json")
            .WithSummary("Set a variable (secret: stored encrypted, never shown again)");
        group.MapDelete("/{app}/env/{name}", UnsetAsync).RequireAuthorization(Roles.Deployer).WithSummary("Remove a variable");
        group.MapPost("/{app}/env/import", ImportAsync).RequireAuthorization(Roles.Deployer).Accepts<string>("text/plain")
            .WithSummary("Import a .env file (text/plain body); ?secret=K1,K2 or ?allSecret=true marks secrets; every bad line is reported");
    }

    public static Ok<List<AppView>> ListApps(ServerConfig config, TimeProvider clock) =>
        TypedResults.Ok(config.Apps.Select(a => new AppView(a.Name, a.Config.Repository, a.Config.Branch, a.Config.Environment.ToWire(),
            a.Config.Strategy.Type.ToWire(), a.Config.Targets.Select(t => t.Name).ToList(),
            a.Schedules.Select(s => new ScheduleView(s.Cron, s.TimeZone.Id, s.Branch,
                s.Expression.GetNextOccurrence(clock.GetUtcNow(), s.TimeZone)?.UtcDateTime)).ToList())).ToList());

    public static async Task<Ok<List<VariableView>>> ListAsync(string app, AppVariableStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(App(app), cancellationToken)).Select(View).ToList());

    public static async Task<Results<Ok<VariableView>, Created<VariableView>>> SetAsync(string app, string name, HttpContext http, AppVariableStore store,
        CancellationToken cancellationToken)
    {
        App(app);
        var body = await JsonBody.ReadAsync<SetVariableRequest>(http.Request, cancellationToken);
        var value = body.Value ?? throw new InvalidInputException("value", "value is required (use DELETE to remove a variable)");
        var result = await store.SetAsync(app, name, value, body.Secret ?? false, cancellationToken);
        var view = View(result.Variable);
        return result.Created ? TypedResults.Created($"/api/v1/apps/{app}/env/{name}", view) : TypedResults.Ok(view);
    }

    public static async Task<Results<NoContent, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> UnsetAsync(string app, string name, AppVariableStore store,
        CancellationToken cancellationToken) =>
        await store.UnsetAsync(App(app), name, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 404, Title = "Not found", Detail = $"{app} has no variable named {name}" });

    public static async Task<Ok<ImportResultView>> ImportAsync(string app, HttpContext http, AppVariableStore store, CancellationToken cancellationToken)
    {
        App(app);
        if (http.Request.ContentType is not { } type || !type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidInputException("Content-Type", $"send the .env file as 'Content-Type: text/plain' (got '{http.Request.ContentType ?? "none"}')");
        }

        DeploymentEndpoints.RejectUnknown(http.Request.Query, "secret", "allSecret");
        var all = DeploymentEndpoints.Text(http.Request.Query["allSecret"]) is { } a
            ? bool.TryParse(a, out var b) ? b : throw new InvalidInputException("allSecret", "allSecret must be true or false")
            : false;
        var names = DeploymentEndpoints.Text(http.Request.Query["secret"])?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var bytes = await JsonBody.ReadBytesAsync(http.Request, JsonBody.DefaultLimit, cancellationToken);
        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new InvalidInputException("body", "the .env file is not UTF-8 text; save it as UTF-8 and upload it again");
        }

        var result = await store.ImportAsync(app, text, all ? EnvImportSecrets.AllOf() : EnvImportSecrets.Only(names), cancellationToken);
        return TypedResults.Ok(new ImportResultView(result.Application, result.Created, result.Updated, result.Variables.Select(View).ToList()));
    }

    private static string App(string app) => AppName.IsValid(app) ? app : throw new InvalidInputException("app", $"app '{(app.Length > 80 ? app[..80] : app)}' is not an application name; expected {AppName.Form}");

    private static VariableView View(AppVariableView v) => new(v.Name, v.IsSecret ? null : v.Value, v.IsSecret ? AppVariableStore.Mask : null, v.IsSecret, v.UpdatedAt);
}
