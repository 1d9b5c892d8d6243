using DeployMind.Persistence.Tokens;
using DeployMind.Domain;
using DeployMind.Server.Auth;
using DeployMind.Server.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DeployMind.Server.Api;

/// <summary>/api/v1/session: the dashboard signs in with an API token and keeps an HttpOnly session cookie plus a CSRF token.</summary>
public static class SessionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/session").WithTags("Session");
        group.MapPost("/", SignInAsync).AllowAnonymous().Accepts<SessionRequest>("application/json")
            .WithSummary("Sign in with an API token: sets dm_session (HttpOnly) and dm_csrf cookies");
        group.MapGet("/", (HttpContext http) => TypedResults.Ok(new SessionView(Roles.Name(http.User), Roles.Of(http.User)!.Value.ToWire())))
            .RequireAuthorization(Roles.Viewer).WithSummary("Who is signed in");
        group.MapDelete("/", (HttpContext http) =>
        {
            SessionCookies.Clear(http);
            return TypedResults.NoContent();
        }).AllowAnonymous().WithSummary("Sign out (clears the cookies)");
    }

    public static async Task<Results<Ok<SessionView>, ProblemHttpResult>> SignInAsync(HttpContext http, ApiTokenStore tokens, SessionCookies sessions,
        AuthFailureLimiter limiter, ServerSettings settings, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<SessionRequest>(http.Request, cancellationToken);
        if (string.IsNullOrWhiteSpace(body.Token))
        {
            throw new InvalidInputException("token", "token is required: paste an API token (dm_...) created with 'deploymind token create'");
        }

        var identity = ApiTokenStore.IsWellFormed(body.Token) ? await tokens.VerifyAsync(body.Token, cancellationToken) : null;
        if (identity is null)
        {
            limiter.RecordFailure(http);
            return Problems.Status(StatusCodes.Status401Unauthorized, "Sign-in failed", "That token is unknown, revoked or malformed.");
        }

        var csrf = sessions.Issue(http, body.Token, settings.SessionLifetime);
        return TypedResults.Ok(new SessionView(identity.Name, identity.Role.ToWire(), csrf));
    }
}
