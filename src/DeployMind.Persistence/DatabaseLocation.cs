using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Persistence;

/// <summary>A resolved database: which provider, how to connect, and how to show it without its password.</summary>
public sealed partial record DatabaseLocation(DatabaseProviderKind Provider, string ConnectionString, string Display)
{
    public string ProviderName => Provider == DatabaseProviderKind.Sqlite ? "sqlite" : "postgresql";

    public override string ToString() => $"{ProviderName} {Display}";

    public static DatabaseLocation Resolve(DatabaseOptions options)
    {
        var url = options.Url?.Trim();
        if (string.IsNullOrEmpty(url))
        {
            var file = Path.Combine(options.ResolveDataDirectory(), "deploymind.db");
            return Sqlite(file, options);
        }

        if (url.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return PostgresFromUrl(url, options);
        }

        if (url.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = url["sqlite:".Length..];
            if (path.StartsWith("///", StringComparison.Ordinal))
            {
                path = path[2..];
            }
            else if (path.StartsWith("//", StringComparison.Ordinal))
            {
                throw new InvalidInputException("database_url",
                    $"database url '{Redact(url)}' is malformed; use sqlite:///absolute/path.db or sqlite:relative/path.db");
            }

            return Sqlite(path, options);
        }

        if (KeyValueHost().IsMatch(url))
        {
            var builder = NpgsqlKeyValues.Parse(url);
            builder.TryAdd("Timeout", options.ConnectTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.TryAdd("Command Timeout", options.CommandTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new DatabaseLocation(DatabaseProviderKind.PostgreSql, NpgsqlKeyValues.Format(builder), NpgsqlKeyValues.Display(builder));
        }

        if (!UnknownScheme().IsMatch(url) && (url.EndsWith(".db", StringComparison.OrdinalIgnoreCase) || url.EndsWith(".sqlite", StringComparison.OrdinalIgnoreCase)
            || url.Contains('/', StringComparison.Ordinal)))
        {
            return Sqlite(url, options);
        }

        throw new InvalidInputException("database_url",
            $"database url '{Redact(url)}' is not recognised; expected postgres://user:password@host:5432/dbname, " +
            "a connection string such as Host=127.0.0.1;Database=deploymind;Username=...;Password=..., " +
            "sqlite:///path/to/deploymind.db, or a path ending in .db");
    }

    /// <summary>Masks the password in a URL or key=value connection string.</summary>
    public static string Redact(string text)
    {
        var redacted = UrlPassword().Replace(text, "$1***@");
        return KeyValuePassword().Replace(redacted, "$1=***");
    }

    private static DatabaseLocation Sqlite(string path, DatabaseOptions options)
    {
        var full = Path.GetFullPath(path);
        var connection = $"Data Source={full};Cache=Shared;Default Timeout={options.CommandTimeoutSeconds};Pooling=True";
        return new DatabaseLocation(DatabaseProviderKind.Sqlite, connection, full);
    }

    private static DatabaseLocation PostgresFromUrl(string url, DatabaseOptions options)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new InvalidInputException("database_url",
                $"database url '{Redact(url)}' is malformed; expected postgres://user:password@host:5432/dbname");
        }

        var database = uri.AbsolutePath.Trim('/');
        if (database.Length == 0)
        {
            throw new InvalidInputException("database_url",
                $"database url '{Redact(url)}' names no database; add it after the host, e.g. postgres://user@127.0.0.1:5432/deploymind");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Host"] = uri.Host,
            ["Port"] = (uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Database"] = Uri.UnescapeDataString(database),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            values["Username"] = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                values["Password"] = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            values[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
        }

        values.TryAdd("Timeout", options.ConnectTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        values.TryAdd("Command Timeout", options.CommandTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var display = $"postgres://{(values.TryGetValue("Username", out var user) ? user + (values.ContainsKey("Password") ? ":***" : "") + "@" : "")}" +
                      $"{values["Host"]}:{values["Port"]}/{values["Database"]}";
        return new DatabaseLocation(DatabaseProviderKind.PostgreSql, NpgsqlKeyValues.Format(values), display);
    }

    [GeneratedRegex(@"^\s*(Host|Server)\s*=", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValueHost();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*://", RegexOptions.CultureInvariant)]
    private static partial Regex UnknownScheme();

    [GeneratedRegex(@"(://[^:/@\s]*:)[^@\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(Password|Pwd)\s*=\s*[^;]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValuePassword();

    private static class NpgsqlKeyValues
    {
        public static Dictionary<string, string> Parse(string text)
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                values[kv[0]] = kv.Length == 2 ? kv[1] : "";
            }

            return values;
        }

        public static string Format(Dictionary<string, string> values) =>
            string.Join(';', values.Select(kv => $"{kv.Key}={Quote(kv.Value)}"));

        public static string Display(Dictionary<string, string> values)
        {
            var host = values.GetValueOrDefault("Host") ?? values.GetValueOrDefault("Server") ?? "?";
            var port = values.GetValueOrDefault("Port") ?? "5432";
            var db = values.GetValueOrDefault("Database") ?? "";
            var user = values.GetValueOrDefault("Username") ?? values.GetValueOrDefault("User ID");
            var password = values.ContainsKey("Password") ? ":***" : "";
            return $"postgres://{(user is null ? "" : user + password + "@")}{host}:{port}/{db}";
        }

        private static string Quote(string value) =>
            value.Contains(';', StringComparison.Ordinal) || value.Contains('\'', StringComparison.Ordinal)
                ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
                : value;
    }
}
