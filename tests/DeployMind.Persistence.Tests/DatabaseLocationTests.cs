using DeployMind.Domain;
using DeployMind.Testing;

namespace DeployMind.Persistence.Tests;

public sealed class DatabaseLocationTests
{
    [Fact]
    public void Resolve_NoUrl_UsesSqliteFileInTheDataDirectory()
    {
        var location = DatabaseLocation.Resolve(new DatabaseOptions { DataDirectory = "/var/lib/dm" });
        Assert.Equal(DatabaseProviderKind.Sqlite, location.Provider);
        Assert.Equal("/var/lib/dm/deploymind.db", location.Display);
    }

    [Fact]
    public void Resolve_PostgresUrl_BuildsConnectionStringAndRedactsThePassword()
    {
        var location = DatabaseLocation.Resolve(new DatabaseOptions { Url = "postgres://deployer:s3cr%40t@db.internal:6543/deploymind?sslmode=require" });

        Assert.Equal(DatabaseProviderKind.PostgreSql, location.Provider);
        Assert.Contains("Password=s3cr@t", location.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("SSL Mode=require", location.ConnectionString, StringComparison.Ordinal);
        Assert.Equal("postgres://deployer:***@db.internal:6543/deploymind", location.Display);
        Assert.DoesNotContain("s3cr", location.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_KeyValueConnectionString_IsPostgresAndRedacted()
    {
        var location = DatabaseLocation.Resolve(new DatabaseOptions { Url = "Host=127.0.0.1;Port=5433;Database=dm;Username=app;Password=hunter2" });
        Assert.Equal(DatabaseProviderKind.PostgreSql, location.Provider);
        Assert.Equal("postgres://app:***@127.0.0.1:5433/dm", location.Display);
    }

    [Theory]
    [InlineData("sqlite:///tmp/x/dm.db", "/tmp/x/dm.db")]
    [InlineData("/srv/deploymind/state.db", "/srv/deploymind/state.db")]
    public void Resolve_SqliteForms_PointAtTheFile(string url, string file)
    {
        var location = DatabaseLocation.Resolve(new DatabaseOptions { Url = url });
        Assert.Equal(DatabaseProviderKind.Sqlite, location.Provider);
        Assert.Equal(file, location.Display);
    }

    [Theory]
    [InlineData("mysql://root:pw@localhost/db")]
    [InlineData("postgres://user:pw@host:5432")]
    [InlineData("sqlite://host/file.db")]
    public void Resolve_Malformed_NamesTheFieldAndTheExpectedFormWithoutThePassword(string url)
    {
        var error = Assert.Throws<InvalidInputException>(() => DatabaseLocation.Resolve(new DatabaseOptions { Url = url }));
        Assert.Equal("database_url", error.Field);
        Assert.DoesNotContain(":pw@", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://u:topsecret@h:1/d", "postgres://u:***@h:1/d")]
    [InlineData("Host=h;Password=topsecret;Database=d", "Host=h;Password=***;Database=d")]
    public void Redact_Passwords_AreMasked(string text, string expected) =>
        Assert.Equal(expected, DatabaseLocation.Redact(text));
}

public sealed class UnavailableDatabaseTests
{
    [Fact]
    public async Task Migrate_PostgresNotListening_ThrowsOneClearErrorWithoutThePassword()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var services = TestDatabase.BuildServices($"postgres://deployer:hunter2@127.0.0.1:{port}/deploymind");
        var database = (DeployMindDatabase)services.GetService(typeof(DeployMindDatabase))!;

        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => database.MigrateAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot connect", error.Message, StringComparison.Ordinal);
        Assert.Contains("Is PostgreSQL running", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_FileIsNotSqlite_SaysSoAndLeavesTheFileUntouched()
    {
        using var dir = new TempDirectory();
        var file = dir.Combine("not-a.db");
        await File.WriteAllTextAsync(file, new string('x', 4096));
        await using var services = TestDatabase.BuildServices(file);
        var database = (DeployMindDatabase)services.GetService(typeof(DeployMindDatabase))!;

        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => database.MigrateAsync(CancellationToken.None));

        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Equal(new string('x', 4096), await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task EnsureReady_SchemaNotCreated_AsksForDbInit()
    {
        using var dir = new TempDirectory();
        await using var services = TestDatabase.BuildServices(dir.Combine("fresh.db"));
        var database = (DeployMindDatabase)services.GetService(typeof(DeployMindDatabase))!;

        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => database.EnsureReadyAsync(CancellationToken.None));

        Assert.Contains("deploymind db init", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("fresh.db")), "checking readiness must not create the database file");
    }
}
