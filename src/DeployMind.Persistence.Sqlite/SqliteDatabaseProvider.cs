using DeployMind.Persistence.Bulk;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Persistence.Sqlite;

/// <summary>The embedded default: one SQLite file in WAL mode under the data directory.</summary>
public sealed class SqliteDatabaseProvider : IDatabaseProvider
{
    public DatabaseProviderKind Kind => DatabaseProviderKind.Sqlite;

    public void Configure(DbContextOptionsBuilder builder, DatabaseLocation location, DatabaseOptions options) =>
        builder.UseSqlite(location.ConnectionString, sqlite => sqlite
            .MigrationsAssembly(typeof(SqliteDatabaseProvider).Assembly.GetName().Name)
            .CommandTimeout(options.CommandTimeoutSeconds))
            .AddInterceptors(SqliteConnectionSettings.Instance);

    public async Task PrepareAsync(DatabaseLocation location, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(location.Display);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // WAL lets readers (stats, the dashboard) run while a worker writes; the mode is stored in the file.
        await using var connection = new SqliteConnection(location.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public IBulkWriter CreateBulkWriter(DatabaseLocation location, DatabaseOptions options) =>
        new SqliteBulkWriter(location, options);

    public DatabaseUnavailableException? Translate(Exception exception, DatabaseLocation location)
    {
        var sqlite = Find<SqliteException>(exception);
        if (sqlite is not null)
        {
            return sqlite.SqliteErrorCode switch
            {
                14 => new(location, "the database file cannot be opened", "Check that its directory exists and is writable, or set DEPLOYMIND_DATA_DIR / DEPLOYMIND_DATABASE_URL.", exception),
                26 => new(location, "the file is not a SQLite database", "Point DEPLOYMIND_DATABASE_URL at a DeployMind database file, or move this file away and run 'deploymind db init'.", exception),
                11 => new(location, "the database file is corrupt", "Restore it from a backup, or move it away and run 'deploymind db init'.", exception),
                8 => new(location, "the database file is read-only", "Check the file's permissions and that the disk is not mounted read-only.", exception),
                3 or 23 => new(location, "access to the database file was denied", "Check the file's owner and permissions.", exception),
                13 => new(location, "the disk is full", "Free space on the disk holding the database, or prune old rows with 'deploymind db prune'.", exception),
                5 or 6 => new(location, "the database stayed locked by another process", "Wait for the other DeployMind process to finish, or raise the command timeout.", exception),
                1 when sqlite.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) =>
                    new(location, "the schema has not been created", "Run 'deploymind db init' first.", exception),
                _ => null,
            };
        }

        return Find<UnauthorizedAccessException>(exception) is { } denied
            ? new(location, "access to the database directory was denied", "Choose a writable DEPLOYMIND_DATA_DIR.", denied)
            : Find<IOException>(exception) is { } io
                ? new(location, io.Message.TrimEnd('.'), "Check that the data directory path is valid and writable.", io)
                : null;
    }

    private static T? Find<T>(Exception exception) where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}

public static class SqliteServiceCollectionExtensions
{
    public static IServiceCollection AddDeployMindSqlite(this IServiceCollection services) =>
        services.AddSingleton<IDatabaseProvider, SqliteDatabaseProvider>();
}
