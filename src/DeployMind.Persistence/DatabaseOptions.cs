namespace DeployMind.Persistence;

/// <summary>Where the audit trail lives. Bound from configuration (DEPLOYMIND_DATABASE_URL, DEPLOYMIND_DATA_DIR).</summary>
public sealed class DatabaseOptions
{
    public const string UrlVariable = "DEPLOYMIND_DATABASE_URL";
    public const string DataDirectoryVariable = "DEPLOYMIND_DATA_DIR";

    /// <summary>
    /// postgres://user:password@host:port/db, a Npgsql connection string (Host=...;), sqlite:///path/file.db,
    /// or a path to a .db file. Empty means the embedded SQLite file in <see cref="DataDirectory"/>.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>Directory of the embedded database; defaults to $XDG_DATA_HOME/deploymind or ~/.local/share/deploymind.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Seconds a connection attempt may take before the database counts as unreachable.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>Seconds one command may run.</summary>
    public int CommandTimeoutSeconds { get; set; } = 60;

    public string ResolveDataDirectory()
    {
        if (!string.IsNullOrWhiteSpace(DataDirectory))
        {
            return Path.GetFullPath(DataDirectory);
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var baseDir = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(baseDir, "deploymind");
    }
}
