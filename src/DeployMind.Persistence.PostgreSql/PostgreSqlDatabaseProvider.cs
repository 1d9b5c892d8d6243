using System.Net.Sockets;
using DeployMind.Persistence.Bulk;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DeployMind.Persistence.PostgreSql;

/// <summary>PostgreSQL through Npgsql, for several workers and servers on one database.</summary>
public sealed class PostgreSqlDatabaseProvider : IDatabaseProvider
{
    public DatabaseProviderKind Kind => DatabaseProviderKind.PostgreSql;

    public void Configure(DbContextOptionsBuilder builder, DatabaseLocation location, DatabaseOptions options) =>
        builder.UseNpgsql(location.ConnectionString, npgsql => npgsql
            .MigrationsAssembly(typeof(PostgreSqlDatabaseProvider).Assembly.GetName().Name)
            .CommandTimeout(options.CommandTimeoutSeconds));

    public Task PrepareAsync(DatabaseLocation location, CancellationToken cancellationToken) => Task.CompletedTask;

    public IBulkWriter CreateBulkWriter(DatabaseLocation location, DatabaseOptions options) =>
        new PostgreSqlBulkWriter(location, options);

    public DatabaseUnavailableException? Translate(Exception exception, DatabaseLocation location)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState switch
                    {
                        "28P01" => new(location, "password authentication failed", "Check the user name and password in DEPLOYMIND_DATABASE_URL.", exception),
                        "28000" => new(location, "the server refused this user or host", "Check pg_hba.conf on the server and the user name in DEPLOYMIND_DATABASE_URL.", exception),
                        "3D000" => new(location, "the database does not exist", "Create it (e.g. createdb) or fix the database name in DEPLOYMIND_DATABASE_URL.", exception),
                        "42501" => new(location, "permission denied", "Grant the user rights on the database (CREATE on the schema for 'db init').", exception),
                        "42P01" => new(location, "the schema has not been created", "Run 'deploymind db init' first.", exception),
                        "57P03" => new(location, "the server is starting up or shutting down", "Retry in a few seconds.", exception),
                        "53300" => new(location, "the server has too many connections", "Raise max_connections or lower the worker count.", exception),
                        _ => null,
                    };
                case SocketException socket:
                    return new(location, $"cannot connect ({socket.SocketErrorCode})", "Is PostgreSQL running and listening on that host and port? Check DEPLOYMIND_DATABASE_URL.", exception);
                case TimeoutException:
                    return new(location, "the connection attempt timed out", "Check that the host is reachable and the server is not overloaded.", exception);
                case NpgsqlException npgsql when npgsql.InnerException is null && npgsql.Message.Contains("Exception while connecting", StringComparison.Ordinal):
                    return new(location, "cannot connect", "Is PostgreSQL running and listening on that host and port? Check DEPLOYMIND_DATABASE_URL.", exception);
            }
        }

        return null;
    }
}

public static class PostgreSqlServiceCollectionExtensions
{
    public static IServiceCollection AddDeployMindPostgreSql(this IServiceCollection services) =>
        services.AddSingleton<IDatabaseProvider, PostgreSqlDatabaseProvider>();
}
