using DeployMind.Persistence.Bulk;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;

namespace DeployMind.Persistence;

/// <summary>Migration state of a database, for <c>deploymind db status</c>.</summary>
public sealed record DatabaseStatus(
    DatabaseLocation Location,
    bool Reachable,
    IReadOnlyList<string> AppliedMigrations,
    IReadOnlyList<string> PendingMigrations);

/// <summary>
/// The configured database: creates contexts, applies migrations and reports status, turning driver
/// errors into one clear <see cref="DatabaseUnavailableException"/>.
/// </summary>
public sealed class DeployMindDatabase
{
    private readonly IDatabaseProvider _provider;
    private readonly DatabaseOptions _options;
    private readonly DbContextOptions<DeployMindDbContext> _contextOptions;

    public DeployMindDatabase(IEnumerable<IDatabaseProvider> providers, IOptions<DatabaseOptions> options)
    {
        _options = options.Value;
        Location = DatabaseLocation.Resolve(_options);
        _provider = providers.FirstOrDefault(p => p.Kind == Location.Provider)
            ?? throw new InvalidOperationException($"no {Location.ProviderName} provider is registered");
        var builder = new DbContextOptionsBuilder<DeployMindDbContext>();
        _provider.Configure(builder, Location, _options);
        _contextOptions = builder.Options;
    }

    public DatabaseLocation Location { get; }

    public DeployMindDbContext CreateContext() => new(_contextOptions);

    public IBulkWriter CreateBulkWriter() => _provider.CreateBulkWriter(Location, _options);

    /// <summary>Creates the schema or brings it up to date; returns the migrations applied now.</summary>
    public Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await _provider.PrepareAsync(Location, cancellationToken);
        await using var db = CreateContext();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        return (IReadOnlyList<string>)pending;
    });

    public Task<DatabaseStatus> GetStatusAsync(CancellationToken cancellationToken) => GuardAsync(async () =>
    {
        await using var db = CreateContext();
        var all = db.Database.GetMigrations().ToList();
        if (Location.Provider == DatabaseProviderKind.Sqlite && !File.Exists(Location.Display))
        {
            return new DatabaseStatus(Location, false, [], all);
        }

        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        return new DatabaseStatus(Location, true, applied, all.Except(applied).ToList());
    });

    /// <summary>Fails with a clear message when the schema is missing or behind, instead of a driver error mid-command.</summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        var status = await GetStatusAsync(cancellationToken);
        if (!status.Reachable || status.AppliedMigrations.Count == 0)
        {
            throw new DatabaseUnavailableException(Location, "the schema has not been created",
                "Run 'deploymind db init' first.");
        }

        if (status.PendingMigrations.Count > 0)
        {
            throw new DatabaseUnavailableException(Location,
                $"{status.PendingMigrations.Count} migration(s) are pending ({string.Join(", ", status.PendingMigrations)})",
                "Run 'deploymind db migrate' to bring the schema up to date.");
        }
    }

    /// <summary>Runs database work, translating driver failures that mean "cannot use this database".</summary>
    public async Task<T> GuardAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception ex) when (ex is not OperationCanceledException && _provider.Translate(ex, Location) is { } unavailable)
        {
            throw unavailable;
        }
    }

    public async Task GuardAsync(Func<Task> work) => await GuardAsync(async () =>
    {
        await work();
        return true;
    });
}
