using DeployMind.Testing;

namespace DeployMind.Server.Tests;

/// <summary>One real PostgreSQL server for every test class that needs it (each test gets its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
