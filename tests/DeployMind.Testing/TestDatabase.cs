using DeployMind.Persistence;
using DeployMind.Persistence.PostgreSql;
using DeployMind.Persistence.Retention;
using DeployMind.Persistence.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Testing;

/// <summary>A migrated, empty database of either provider with DeployMind's persistence services around it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly TempDirectory? _directory;

    private TestDatabase(ServiceProvider services, string url, TempDirectory? directory)
    {
        _services = services;
        _directory = directory;
        Url = url;
    }

    public string Url { get; }

    public IServiceProvider Services => _services;

    public DeployMindDatabase Database => _services.GetRequiredService<DeployMindDatabase>();

    public static Task<TestDatabase> SqliteAsync(TimeProvider? clock = null, Action<RetentionOptions>? retention = null, bool migrate = true)
    {
        var directory = new TempDirectory("deploymind-sqlite");
        return CreateAsync("sqlite://" + directory.Combine("deploymind.db"), clock, retention, migrate, directory);
    }

    public static async Task<TestDatabase> PostgresAsync(PostgresServer server, TimeProvider? clock = null,
        Action<RetentionOptions>? retention = null, bool migrate = true) =>
        await CreateAsync(await server.CreateDatabaseAsync(), clock, retention, migrate, null);

    public static ServiceProvider BuildServices(string url, TimeProvider? clock = null, Action<RetentionOptions>? retention = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock ?? TimeProvider.System);
        services.AddDeployMindSqlite();
        services.AddDeployMindPostgreSql();
        services.AddDeployMindPersistence(o => o.Url = url);
        if (retention is not null)
        {
            services.Configure(retention);
        }

        return services.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory?.Dispose();
    }

    private static async Task<TestDatabase> CreateAsync(string url, TimeProvider? clock, Action<RetentionOptions>? retention,
        bool migrate, TempDirectory? directory)
    {
        var database = new TestDatabase(BuildServices(url, clock, retention), url, directory);
        if (migrate)
        {
            await database.Database.MigrateAsync(CancellationToken.None);
        }

        return database;
    }
}
