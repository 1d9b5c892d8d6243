using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DeployMind.Domain;
using DeployMind.Persistence.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Auth;

/// <summary>Role policies: each role includes the ones below it (viewer &lt; deployer &lt; admin).</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Deployer = "deployer";
    public const string Admin = "admin";

    public static ApiTokenRole? Of(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.Role) is { } text && WireValues.TryParse<ApiTokenRole>(text, out var role) ? role : null;

    public static string Name(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}

/// <summary>
/// Authenticates a request by its bearer API token (<c>Authorization: Bearer dm_...</c>) or by the dashboard's session
/// cookie. A cookie-authenticated request that changes state must carry X-CSRF-Token equal to the session's CSRF value
/// (double submit, bound to the session). Presented-but-wrong credentials count as auth failures for the client's IP.
/// </summary>
public sealed class DeployMindAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokenStore tokens,
    SessionCookies sessions,
    AuthFailureLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "DeployMind";
    internal const string CsrfFailureKey = "deploymind.csrf-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token;
        var viaCookie = false;
        string? csrf = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return Failure("the Authorization header must be 'Bearer dm_...'");
            }

            token = header["Bearer ".Length..].Trim();
        }
        else if (Request.Cookies.TryGetValue(SessionCookies.SessionCookie, out var cookie))
        {
            var session = sessions.Read(cookie);
            if (session is null)
            {
                return Failure("the session cookie is invalid or expired; sign in again");
            }

            token = session.Token;
            csrf = session.Csrf;
            viaCookie = true;
        }
        else
        {
            return AuthenticateResult.NoResult();
        }

        var identity = ApiTokenStore.IsWellFormed(token) ? await tokens.VerifyAsync(token, Context.RequestAborted) : null;
        if (identity is null)
        {
            return Failure(viaCookie ? "the session's token was revoked; sign in again" : "the API token is unknown, revoked or malformed");
        }

        if (viaCookie && !HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method) && !HttpMethods.IsOptions(Request.Method)
            && !SessionCookies.SameCsrf(csrf, Request.Headers["X-CSRF-Token"].ToString()))
        {
            Context.Items[CsrfFailureKey] = true;
            return Failure("the X-CSRF-Token header is missing or does not match the session");
        }

        var claims = new[]
        {
            new Claim(ClaimTypes.NameIdentifier, identity.Id),
            new Claim(ClaimTypes.Name, identity.Name),
            new Claim(ClaimTypes.Role, identity.Role.ToWire()),
            new Claim("auth", viaCookie ? "session" : "token"),
        };
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (Context.Items.ContainsKey(CsrfFailureKey))
        {
            await Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "CSRF check failed",
                "State-changing requests made with the session cookie must send the X-CSRF-Token header from sign-in.");
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required",
            result.Failure?.Message ?? "Send 'Authorization: Bearer dm_...' (create one with 'deploymind token create') or sign in to the dashboard.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Insufficient role",
            $"Your token's role ({Context.User.FindFirstValue(ClaimTypes.Role) ?? "none"}) does not allow this; ask an admin for a deployer or admin token.");

    private AuthenticateResult Failure(string message)
    {
        limiter.RecordFailure(Context);
        return AuthenticateResult.Fail(message);
    }
}

/// <summary>What the dashboard's session cookie carries, encrypted and signed with the server's data protection keys.</summary>
public sealed record SessionPayload(string Token, string Csrf, DateTimeOffset ExpiresAt);

/// <summary>
/// The dashboard session: <c>dm_session</c> (HttpOnly, SameSite=Strict, Secure over HTTPS) holds the API token and a CSRF
/// value, protected by ASP.NET Data Protection; <c>dm_csrf</c> (readable by the page) repeats the CSRF value.
/// Every request re-verifies the token, so revoking it ends the session at once.
/// </summary>
public sealed class SessionCookies(IDataProtectionProvider protection, TimeProvider clock)
{
    public const string SessionCookie = "dm_session";
    public const string CsrfCookie = "dm_csrf";
    private readonly IDataProtector _protector = protection.CreateProtector("DeployMind.Server.Session.v1");

    public string Issue(HttpContext context, string token, TimeSpan lifetime)
    {
        var csrf = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var expires = clock.GetUtcNow() + lifetime;
        var payload = JsonSerializer.Serialize(new SessionPayload(token, csrf, expires));
        var secure = context.Request.IsHttps;
        context.Response.Cookies.Append(SessionCookie, _protector.Protect(payload), new CookieOptions
        {
            HttpOnly = true, Secure = secure, SameSite = SameSiteMode.Strict, Path = "/", Expires = expires, IsEssential = true,
        });
        context.Response.Cookies.Append(CsrfCookie, csrf, new CookieOptions
        {
            HttpOnly = false, Secure = secure, SameSite = SameSiteMode.Strict, Path = "/", Expires = expires, IsEssential = true,
        });
        return csrf;
    }

    public static void Clear(HttpContext context)
    {
        context.Response.Cookies.Delete(SessionCookie, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, HttpOnly = true, Secure = context.Request.IsHttps });
        context.Response.Cookies.Delete(CsrfCookie, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
    }

    public SessionPayload? Read(string cookie)
    {
        try
        {
            var payload = JsonSerializer.Deserialize<SessionPayload>(_protector.Unprotect(cookie));
            return payload is not null && payload.ExpiresAt > clock.GetUtcNow() ? payload : null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    public static bool SameCsrf(string? expected, string? given) =>
        !string.IsNullOrEmpty(expected) && !string.IsNullOrEmpty(given)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));
}
