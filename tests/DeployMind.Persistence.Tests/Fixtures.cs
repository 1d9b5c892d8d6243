using DeployMind.Persistence.Retention;
using DeployMind.Testing;

namespace DeployMind.Persistence.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>Creates fresh databases of one provider; each suite runs once per provider.</summary>
public interface IDatabaseFactory
{
    string Provider { get; }

    Task<TestDatabase> CreateAsync(TimeProvider? clock = null, Action<RetentionOptions>? retention = null, bool migrate = true);
}

public sealed class SqliteFactory : IDatabaseFactory
{
    public string Provider => "sqlite";

    public Task<TestDatabase> CreateAsync(TimeProvider? clock = null, Action<RetentionOptions>? retention = null, bool migrate = true) =>
        TestDatabase.SqliteAsync(clock, retention, migrate);
}

public sealed class PostgresFactory(PostgresServer server) : IDatabaseFactory
{
    public string Provider => "postgresql";

    public Task<TestDatabase> CreateAsync(TimeProvider? clock = null, Action<RetentionOptions>? retention = null, bool migrate = true) =>
        TestDatabase.PostgresAsync(server, clock, retention, migrate);
}
