using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DeployMind.Persistence.Sqlite;

/// <summary>Lets `dotnet ef migrations add` build the SQLite model; the file named here is never opened.</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<DeployMindDbContext>
{
    public DeployMindDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<DeployMindDbContext>();
        var location = new DatabaseLocation(DatabaseProviderKind.Sqlite, "Data Source=design-time.db", "design-time.db");
        new SqliteDatabaseProvider().Configure(builder, location, new DatabaseOptions());
        return new DeployMindDbContext(builder.Options);
    }
}
