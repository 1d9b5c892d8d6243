using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DeployMind.Persistence.PostgreSql;

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL model; no connection is made.</summary>
internal sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<DeployMindDbContext>
{
    public DeployMindDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<DeployMindDbContext>();
        var location = new DatabaseLocation(DatabaseProviderKind.PostgreSql, "Host=127.0.0.1;Database=deploymind_design", "design-time");
        new PostgreSqlDatabaseProvider().Configure(builder, location, new DatabaseOptions());
        return new DeployMindDbContext(builder.Options);
    }
}
