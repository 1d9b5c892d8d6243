using System.Text;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Pipeline.Source;

/// <summary>
/// A remote as git is given it, how it is shown in messages, and the credentials that go with it.
/// The token travels as an HTTP header in git's environment, never in the URL or on the command line.
/// </summary>
internal sealed class GitRemote
{
    private GitRemote(string url, Redactor redactor, string? authorizationConfigKey, string? authorizationHeader, bool tokenAvailable)
    {
        Url = url;
        Redactor = redactor;
        Display = redactor.Redact(url);
        AuthorizationConfigKey = authorizationConfigKey;
        AuthorizationHeader = authorizationHeader;
        IsGitHub = authorizationConfigKey is not null;
        TokenAvailable = tokenAvailable;
    }

    public string Url { get; }

    public string Display { get; }

    /// <summary>Masks the token and any credentials written into the URL.</summary>
    public Redactor Redactor { get; }

    /// <summary><c>http.&lt;GitHub base URL&gt;.extraHeader</c>, so the header goes only to GitHub.</summary>
    public string? AuthorizationConfigKey { get; }

    public string? AuthorizationHeader { get; }

    /// <summary>True when the remote is under the configured GitHub base URL over HTTP(S).</summary>
    public bool IsGitHub { get; }

    public bool TokenAvailable { get; }

    public static GitRemote For(SourceSpec source, GitOptions options) => source.Kind switch
    {
        SourceKind.Repository => Create($"{options.GitHubBaseUrl.AbsoluteUri.TrimEnd('/')}/{source.Location}.git", options),
        _ => Create(source.Location, options),
    };

    public static GitRemote Create(string url, GitOptions options)
    {
        var secrets = new List<string>();
        if (url.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && uri.UserInfo.Length > 0)
        {
            // Credentials typed into a URL are secrets too: the password, or a lone user name over HTTP (a token).
            var parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                secrets.Add(Uri.UnescapeDataString(parts[1]));
            }
            else if (uri.Scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            {
                secrets.Add(Uri.UnescapeDataString(parts[0]));
            }
        }

        // Always ending in "/", so https://github.com.example.net/ is not taken for https://github.com/.
        var baseUrl = options.GitHubBaseUrl.AbsoluteUri.TrimEnd('/') + "/";
        var isGitHub = (baseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                        || baseUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                       && url.StartsWith(baseUrl, StringComparison.OrdinalIgnoreCase);
        if (!isGitHub)
        {
            return new GitRemote(url, new Redactor(secrets), null, null, tokenAvailable: false);
        }

        var token = Environment.GetEnvironmentVariable(options.TokenEnvironmentVariable);
        if (string.IsNullOrEmpty(token))
        {
            return new GitRemote(url, new Redactor(secrets), $"http.{baseUrl}.extraHeader", null, tokenAvailable: false);
        }

        // The form GitHub documents for git over HTTPS with installation and personal tokens alike.
        var credential = Convert.ToBase64String(Encoding.UTF8.GetBytes($"x-access-token:{token}"));
        var header = $"AUTHORIZATION: basic {credential}";
        secrets.AddRange([token, credential, header]);
        return new GitRemote(url, new Redactor(secrets), $"http.{baseUrl}.extraHeader", header, tokenAvailable: true);
    }
}
