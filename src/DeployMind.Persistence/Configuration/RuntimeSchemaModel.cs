using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DeployMind.Persistence.Configuration;

/// <summary>
/// Tables beyond the seed's six: per-application variables and secrets, API tokens, and the two
/// exactly-once guards (webhook deliveries, schedule fires). None of them is touched by retention's
/// per-table policy; webhook_deliveries and schedule_fires are pruned only through their own stores.
/// </summary>
internal static class RuntimeSchemaModel
{
    public static void Configure(ModelBuilder model)
    {
        ConfigureAppVariables(model.Entity<AppVariable>());
        ConfigureApiTokens(model.Entity<ApiToken>());
        ConfigureWebhookDeliveries(model.Entity<WebhookDelivery>());
        ConfigureScheduleFires(model.Entity<ScheduleFire>());
    }

    private static void ConfigureAppVariables(EntityTypeBuilder<AppVariable> e)
    {
        e.ToTable("app_variables");
        e.HasKey(v => v.Id);
        e.Property(v => v.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(v => v.Application).HasColumnName("application").HasMaxLength(63).IsRequired();
        e.Property(v => v.Name).HasColumnName("name").HasMaxLength(AppVariableNames.MaxNameLength).IsRequired();
        e.Property(v => v.Value).HasColumnName("value");
        e.Property(v => v.EncryptedValue).HasColumnName("encrypted_value");
        e.Property(v => v.IsSecret).HasColumnName("is_secret");
        e.Property(v => v.CreatedAt).HasColumnName("created_at");
        e.Property(v => v.UpdatedAt).HasColumnName("updated_at");
        e.HasIndex(v => new { v.Application, v.Name }).IsUnique().HasDatabaseName("ux_app_variables_application_name");
    }

    private static void ConfigureApiTokens(EntityTypeBuilder<ApiToken> e)
    {
        e.ToTable("api_tokens");
        e.HasKey(t => t.Id);
        e.Property(t => t.Id).HasColumnName("id").HasMaxLength(32).ValueGeneratedNever();
        e.Property(t => t.Name).HasColumnName("name").HasMaxLength(128).IsRequired();
        e.Property(t => t.Role).HasColumnName("role").HasMaxLength(16).HasConversion(ValueConversions.Wire<ApiTokenRole>());
        e.Property(t => t.TokenHash).HasColumnName("token_hash").HasMaxLength(64).IsRequired();
        e.Property(t => t.TokenPrefix).HasColumnName("token_prefix").HasMaxLength(8).IsRequired();
        e.Property(t => t.CreatedAt).HasColumnName("created_at");
        e.Property(t => t.LastUsedAt).HasColumnName("last_used_at");
        e.Property(t => t.RevokedAt).HasColumnName("revoked_at");
        e.Property(t => t.CreatedBy).HasColumnName("created_by").HasMaxLength(255);
        e.Ignore(t => t.IsRevoked);
        e.HasIndex(t => t.TokenHash).IsUnique().HasDatabaseName("ux_api_tokens_token_hash");
        e.HasIndex(t => t.TokenPrefix).HasDatabaseName("ix_api_tokens_token_prefix");
    }

    private static void ConfigureWebhookDeliveries(EntityTypeBuilder<WebhookDelivery> e)
    {
        e.ToTable("webhook_deliveries");
        e.HasKey(w => w.DeliveryId);
        e.Property(w => w.DeliveryId).HasColumnName("delivery_id").HasMaxLength(64).ValueGeneratedNever();
        e.Property(w => w.Event).HasColumnName("event").HasMaxLength(64).IsRequired();
        e.Property(w => w.Repository).HasColumnName("repository").HasMaxLength(141);
        e.Property(w => w.ReceivedAt).HasColumnName("received_at");
        e.Property(w => w.DeploymentId).HasColumnName("deployment_id").HasMaxLength(32);
        e.Property(w => w.Outcome).HasColumnName("outcome").HasMaxLength(512).IsRequired();
        e.HasOne<Deployment>().WithMany().HasForeignKey(w => w.DeploymentId).OnDelete(DeleteBehavior.SetNull);
        e.HasIndex(w => w.DeploymentId).HasDatabaseName("ix_webhook_deliveries_deployment_id");
        e.HasIndex(w => w.ReceivedAt).HasDatabaseName("ix_webhook_deliveries_received_at");
    }

    private static void ConfigureScheduleFires(EntityTypeBuilder<ScheduleFire> e)
    {
        e.ToTable("schedule_fires");
        e.HasKey(f => new { f.ScheduleKey, f.FireTime });
        e.Property(f => f.ScheduleKey).HasColumnName("schedule_key").HasMaxLength(512);
        e.Property(f => f.FireTime).HasColumnName("fire_time");
        e.Property(f => f.DeploymentId).HasColumnName("deployment_id").HasMaxLength(32);
        e.Property(f => f.FiredBy).HasColumnName("fired_by").HasMaxLength(128).IsRequired();
        e.Property(f => f.FiredAt).HasColumnName("fired_at");
        e.HasOne<Deployment>().WithMany().HasForeignKey(f => f.DeploymentId).OnDelete(DeleteBehavior.SetNull);
        e.HasIndex(f => f.DeploymentId).HasDatabaseName("ix_schedule_fires_deployment_id");
        e.HasIndex(f => f.FiredAt).HasDatabaseName("ix_schedule_fires_fired_at");
    }
}
