using DeployMind.Domain;
using DeployMind.Persistence.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace DeployMind.Persistence;

/// <summary>The six tables of the audit trail plus queue locks, app variables, API tokens and the exactly-once guards. One context serves both providers; each provider owns its migrations.</summary>
public sealed class DeployMindDbContext(DbContextOptions<DeployMindDbContext> options) : DbContext(options)
{
    public DbSet<Deployment> Deployments => Set<Deployment>();

    public DbSet<SecurityScan> SecurityScans => Set<SecurityScan>();

    public DbSet<BuildResult> BuildResults => Set<BuildResult>();

    public DbSet<HealthCheck> HealthChecks => Set<HealthCheck>();

    public DbSet<DeploymentLog> DeploymentLogs => Set<DeploymentLog>();

    public DbSet<AgentExecution> AgentExecutions => Set<AgentExecution>();

    public DbSet<DeploymentTargetLock> TargetLocks => Set<DeploymentTargetLock>();

    public DbSet<AppVariable> AppVariables => Set<AppVariable>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<ScheduleFire> ScheduleFires => Set<ScheduleFire>();

    internal DatabaseProviderKind ProviderKind => DatabaseProviderKinds.FromEfProviderName(Database.ProviderName);

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        optionsBuilder.ReplaceService<IModelCacheKeyFactory, ProviderAwareModelCacheKeyFactory>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        SchemaModel.Configure(modelBuilder, ProviderKind);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (ProviderKind == DatabaseProviderKind.Sqlite)
        {
            configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        }
    }

    /// <summary>The model differs per provider (jsonb vs TEXT), so it is cached per provider.</summary>
    private sealed class ProviderAwareModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) =>
            (context.GetType(), context.Database.ProviderName, designTime);
    }
}

/// <summary>Stores timestamps as given (already UTC) and reads them back marked UTC.</summary>
internal sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
    v => UtcTimestamp.Normalize(v), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
