using DeployMind.Persistence.Bulk;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence;

/// <summary>What a provider project (SQLite, PostgreSQL) contributes: context options, bulk writes, error translation.</summary>
public interface IDatabaseProvider
{
    DatabaseProviderKind Kind { get; }

    void Configure(DbContextOptionsBuilder builder, DatabaseLocation location, DatabaseOptions options);

    /// <summary>Creates what the database needs before migrating (the SQLite file's directory; nothing for PostgreSQL).</summary>
    Task PrepareAsync(DatabaseLocation location, CancellationToken cancellationToken);

    IBulkWriter CreateBulkWriter(DatabaseLocation location, DatabaseOptions options);

    /// <summary>Turns a driver exception into a <see cref="DatabaseUnavailableException"/> when it means the database cannot be used.</summary>
    DatabaseUnavailableException? Translate(Exception exception, DatabaseLocation location);
}
