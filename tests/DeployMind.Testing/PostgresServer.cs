using System.Net;
using System.Net.Sockets;
using Xunit;

namespace DeployMind.Testing;

/// <summary>
/// A real PostgreSQL 15 server for the tests: initdb in a temp directory, started with pg_ctl on a free
/// loopback port as the postgres user, stopped and removed on dispose. DEPLOYMIND_TEST_POSTGRES_URL
/// points the tests at an existing server instead.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string UrlVariable = "DEPLOYMIND_TEST_POSTGRES_URL";
    private const string ServiceUser = "postgres";
    private string? _dataDirectory;
    private string? _binDirectory;
    private int _databaseCounter;

    /// <summary>postgres://postgres@127.0.0.1:PORT/ — append a database name.</summary>
    public string ServerUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            ServerUrl = external.TrimEnd('/') + "/";
            return;
        }

        _binDirectory = FindBinDirectory();
        var root = Path.Combine(Path.GetTempPath(), $"deploymind-pg-{Guid.NewGuid():N}");
        _dataDirectory = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        await AsServiceUserAsync("chown", [ServiceUser + ":", root], runAsRoot: true);
        await AsServiceUserAsync(Path.Combine(_binDirectory, "initdb"),
            ["-D", _dataDirectory, "-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8"]);
        var port = FreePort();
        var options = $"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await AsServiceUserAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["-D", _dataDirectory, "-l", Path.Combine(root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        ServerUrl = $"postgres://postgres@127.0.0.1:{port}/";
    }

    /// <summary>A fresh, empty database on the server, so tests never see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        await command.ExecuteNonQueryAsync();
        return ServerUrl + name;
    }

    public async Task DisposeAsync()
    {
        if (_dataDirectory is null || _binDirectory is null)
        {
            return;
        }

        await AsServiceUserAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);
        Directory.Delete(Path.GetDirectoryName(_dataDirectory)!, recursive: true);
    }

    private string ConnectionStringFor(string database)
    {
        var uri = new Uri(ServerUrl);
        var user = string.IsNullOrEmpty(uri.UserInfo) ? "postgres" : uri.UserInfo.Split(':')[0];
        var password = uri.UserInfo.Contains(':', StringComparison.Ordinal) ? $";Password={uri.UserInfo.Split(':', 2)[1]}" : "";
        return $"Host={uri.Host};Port={uri.Port};Username={user}{password};Database={database};Timeout=10";
    }

    private static string FindBinDirectory()
    {
        foreach (var candidate in new[] { "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin" })
        {
            if (File.Exists(Path.Combine(candidate, "initdb")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "PostgreSQL server binaries were not found under /usr/lib/postgresql; run scripts/setup.sh (it installs postgresql-15) " +
            $"or set {UrlVariable} to an existing server.");
    }

    private static async Task AsServiceUserAsync(string program, IReadOnlyList<string> arguments, bool runAsRoot = false)
    {
        var isRoot = Environment.UserName == "root";
        var (file, args) = isRoot && !runAsRoot
            ? ("runuser", new[] { "-u", ServiceUser, "--", program }.Concat(arguments).ToArray())
            : (program, arguments.ToArray());
        if (runAsRoot && !isRoot)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync(file, args, TimeSpan.FromSeconds(90), workingDirectory: "/tmp");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({result.ExitCode}): {result.Error}{result.Output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
