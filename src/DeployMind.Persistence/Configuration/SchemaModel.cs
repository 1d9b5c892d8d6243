using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DeployMind.Persistence.Configuration;

/// <summary>
/// Table and column layout: the seed's snake_case names, lowercase enum strings, jsonb on PostgreSQL,
/// and the indexes behind the analytics queries, retention and the deployment queue.
/// </summary>
internal static class SchemaModel
{
    public static void Configure(ModelBuilder model, DatabaseProviderKind provider)
    {
        var json = provider == DatabaseProviderKind.PostgreSql ? "jsonb" : "TEXT";
        ConfigureDeployments(model.Entity<Deployment>(), json);
        ConfigureSecurityScans(model.Entity<SecurityScan>(), json);
        ConfigureBuildResults(model.Entity<BuildResult>(), json);
        ConfigureHealthChecks(model.Entity<HealthCheck>());
        ConfigureDeploymentLogs(model.Entity<DeploymentLog>(), json);
        ConfigureAgentExecutions(model.Entity<AgentExecution>(), json);
        ConfigureTargetLocks(model.Entity<DeploymentTargetLock>());
        RuntimeSchemaModel.Configure(model);
    }

    private static void ConfigureTargetLocks(EntityTypeBuilder<DeploymentTargetLock> e)
    {
        e.ToTable("deployment_target_locks");
        e.HasKey(l => l.Target);
        e.Property(l => l.Target).HasColumnName("target").HasMaxLength(256);
        e.Property(l => l.DeploymentId).HasColumnName("deployment_id").HasMaxLength(32).IsRequired();
        e.Property(l => l.WorkerId).HasColumnName("worker_id").HasMaxLength(128).IsRequired();
        e.Property(l => l.AcquiredAt).HasColumnName("acquired_at");
        e.HasOne<Deployment>().WithMany().HasForeignKey(l => l.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(l => l.DeploymentId).HasDatabaseName("ix_deployment_target_locks_deployment_id");
    }

    private static void ConfigureDeployments(EntityTypeBuilder<Deployment> e, string json)
    {
        e.ToTable("deployments");
        e.HasKey(d => d.Id);
        e.Property(d => d.Id).HasColumnName("id").HasMaxLength(32).ValueGeneratedNever();
        e.Property(d => d.Repository).HasColumnName("repository").HasMaxLength(141).IsRequired();
        e.Property(d => d.CommitSha).HasColumnName("commit_sha").HasMaxLength(64).IsRequired();
        e.Property(d => d.Branch).HasColumnName("branch").HasMaxLength(255);
        e.Property(d => d.InstanceId).HasColumnName("instance_id").HasMaxLength(64);
        e.Property(d => d.Region).HasColumnName("region").HasMaxLength(32);
        // The status is the concurrency token: a worker that lost its deployment (cancelled, recovered) cannot overwrite it.
        e.Property(d => d.Status).HasColumnName("status").HasMaxLength(20).HasConversion(ValueConversions.Wire<DeploymentStatus>()).IsConcurrencyToken();
        e.Property(d => d.Environment).HasColumnName("environment").HasMaxLength(16).HasConversion(ValueConversions.Wire<DeploymentEnvironment>());
        e.Property(d => d.Strategy).HasColumnName("strategy").HasMaxLength(16).HasConversion(ValueConversions.Wire<DeploymentStrategy>());
        e.Property(d => d.ImageTag).HasColumnName("image_tag").HasMaxLength(512);
        e.Property(d => d.ImageSizeMb).HasColumnName("image_size_mb");
        e.Property(d => d.CreatedAt).HasColumnName("created_at");
        e.Property(d => d.UpdatedAt).HasColumnName("updated_at");
        e.Property(d => d.StartedAt).HasColumnName("started_at");
        e.Property(d => d.CompletedAt).HasColumnName("completed_at");
        e.Property(d => d.DurationSeconds).HasColumnName("duration_seconds");
        e.Property(d => d.TriggeredBy).HasColumnName("triggered_by").HasMaxLength(255);
        e.Property(d => d.TriggerType).HasColumnName("trigger_type").HasMaxLength(16).HasConversion(ValueConversions.Wire<TriggerType>());
        e.Property(d => d.PreviousDeploymentId).HasColumnName("previous_deployment_id").HasMaxLength(32);
        e.Property(d => d.RollbackReason).HasColumnName("rollback_reason");
        e.Property(d => d.Metadata).HasColumnName("metadata").HasColumnType(json)
            .HasConversion(ValueConversions.JsonObject, ValueConversions.JsonObjectComparer);

        e.Property(d => d.WorkerId).HasColumnName("worker_id").HasMaxLength(128);
        e.Property(d => d.LeaseExpiresAt).HasColumnName("lease_expires_at");
        e.Property(d => d.CancelRequestedAt).HasColumnName("cancel_requested_at");
        e.Property(d => d.TargetKeys).HasColumnName("target_keys").HasMaxLength(4096);

        e.HasOne(d => d.PreviousDeployment).WithMany()
            .HasForeignKey(d => d.PreviousDeploymentId).OnDelete(DeleteBehavior.SetNull);
        e.HasMany(d => d.SecurityScans).WithOne().HasForeignKey(s => s.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(d => d.BuildResults).WithOne().HasForeignKey(b => b.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(d => d.HealthChecks).WithOne().HasForeignKey(h => h.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(d => d.Logs).WithOne().HasForeignKey(l => l.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(d => d.AgentExecutions).WithOne().HasForeignKey(a => a.DeploymentId).OnDelete(DeleteBehavior.Cascade);

        e.HasIndex(d => d.CreatedAt).HasDatabaseName("ix_deployments_created_at");
        e.HasIndex(d => new { d.Status, d.CreatedAt }).HasDatabaseName("ix_deployments_status_created_at");
        e.HasIndex(d => new { d.Repository, d.CreatedAt }).HasDatabaseName("ix_deployments_repository_created_at");
        e.HasIndex(d => new { d.InstanceId, d.Status }).HasDatabaseName("ix_deployments_instance_id_status");
        e.HasIndex(d => new { d.Status, d.WorkerId, d.LeaseExpiresAt }).HasDatabaseName("ix_deployments_queue");
        e.HasIndex(d => d.PreviousDeploymentId).HasDatabaseName("ix_deployments_previous_deployment_id");
    }

    private static void ConfigureSecurityScans(EntityTypeBuilder<SecurityScan> e, string json)
    {
        e.ToTable("security_scans");
        e.HasKey(s => s.Id);
        e.Property(s => s.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(s => s.DeploymentId).HasColumnName("deployment_id").HasMaxLength(32).IsRequired();
        e.Property(s => s.ScanType).HasColumnName("scan_type").HasMaxLength(16).HasConversion(ValueConversions.Wire<ScanType>());
        e.Property(s => s.ScannerName).HasColumnName("scanner_name").HasMaxLength(64);
        e.Property(s => s.ScannerVersion).HasColumnName("scanner_version").HasMaxLength(64);
        e.Property(s => s.ScanDurationSeconds).HasColumnName("scan_duration_seconds");
        e.Property(s => s.Passed).HasColumnName("passed");
        e.Property(s => s.TotalVulnerabilities).HasColumnName("total_vulnerabilities");
        e.Property(s => s.CriticalCount).HasColumnName("critical_count");
        e.Property(s => s.HighCount).HasColumnName("high_count");
        e.Property(s => s.MediumCount).HasColumnName("medium_count");
        e.Property(s => s.LowCount).HasColumnName("low_count");
        e.Property(s => s.Vulnerabilities).HasColumnName("vulnerabilities").HasColumnType(json)
            .HasConversion(ValueConversions.JsonArray, ValueConversions.JsonArrayComparer);
        e.Property(s => s.AgentDecision).HasColumnName("agent_decision").HasMaxLength(16).HasConversion(ValueConversions.Wire<AgentDecision>());
        e.Property(s => s.AgentReasoning).HasColumnName("agent_reasoning");
        e.Property(s => s.Recommendations).HasColumnName("recommendations");
        e.Property(s => s.RawOutput).HasColumnName("raw_output");
        e.Property(s => s.CreatedAt).HasColumnName("created_at");
        e.HasIndex(s => s.DeploymentId).HasDatabaseName("ix_security_scans_deployment_id");
        e.HasIndex(s => s.CreatedAt).HasDatabaseName("ix_security_scans_created_at");
    }

    private static void ConfigureBuildResults(EntityTypeBuilder<BuildResult> e, string json)
    {
        e.ToTable("build_results");
        e.HasKey(b => b.Id);
        e.Property(b => b.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(b => b.DeploymentId).HasColumnName("deployment_id").HasMaxLength(32).IsRequired();
        e.Property(b => b.BuildDurationSeconds).HasColumnName("build_duration_seconds");
        e.Property(b => b.Success).HasColumnName("success");
        e.Property(b => b.ExitCode).HasColumnName("exit_code");
        e.Property(b => b.DockerfilePath).HasColumnName("dockerfile_path").HasMaxLength(1024);
        e.Property(b => b.DockerfileGenerated).HasColumnName("dockerfile_generated");
        e.Property(b => b.DetectedLanguage).HasColumnName("detected_language").HasMaxLength(32);
        e.Property(b => b.DetectedFramework).HasColumnName("detected_framework").HasMaxLength(64);
        e.Property(b => b.ImageId).HasColumnName("image_id").HasMaxLength(128);
        e.Property(b => b.ImageTag).HasColumnName("image_tag").HasMaxLength(512);
        e.Property(b => b.ImageSizeBytes).HasColumnName("image_size_bytes");
        e.Property(b => b.LayerCount).HasColumnName("layer_count");
        e.Property(b => b.OptimizationsApplied).HasColumnName("optimizations_applied").HasColumnType(json)
            .HasConversion(ValueConversions.StringList, ValueConversions.StringListComparer);
        e.Property(b => b.OriginalSizeBytes).HasColumnName("original_size_bytes");
        e.Property(b => b.OptimizedSizeBytes).HasColumnName("optimized_size_bytes");
        e.Property(b => b.SizeReductionPercent).HasColumnName("size_reduction_percent");
        e.Property(b => b.BuildLogs).HasColumnName("build_logs");
        e.Property(b => b.ErrorMessage).HasColumnName("error_message");
        e.Property(b => b.AiSuggestions).HasColumnName("ai_suggestions");
        e.Property(b => b.CreatedAt).HasColumnName("created_at");
        e.HasIndex(b => b.DeploymentId).HasDatabaseName("ix_build_results_deployment_id");
        e.HasIndex(b => b.CreatedAt).HasDatabaseName("ix_build_results_created_at");
        e.HasIndex(b => new { b.Success, b.DetectedLanguage }).HasDatabaseName("ix_build_results_success_language");
    }

    private static void ConfigureHealthChecks(EntityTypeBuilder<HealthCheck> e)
    {
        e.ToTable("health_checks");
        e.HasKey(h => h.Id);
        e.Property(h => h.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(h => h.DeploymentId).HasColumnName("deployment_id").HasMaxLength(32).IsRequired();
        e.Property(h => h.CheckTime).HasColumnName("check_time");
        e.Property(h => h.CheckType).HasColumnName("check_type").HasMaxLength(16).HasConversion(ValueConversions.Wire<HealthCheckType>());
        e.Property(h => h.CheckUrl).HasColumnName("check_url").HasMaxLength(2048);
        e.Property(h => h.Healthy).HasColumnName("healthy");
        e.Property(h => h.StatusCode).HasColumnName("status_code");
        e.Property(h => h.ResponseTimeMs).HasColumnName("response_time_ms");
        e.Property(h => h.ResponseBody).HasColumnName("response_body");
        e.Property(h => h.InstanceId).HasColumnName("instance_id").HasMaxLength(64);
        e.Property(h => h.InstanceState).HasColumnName("instance_state").HasMaxLength(32);
        e.Property(h => h.InstanceStatus).HasColumnName("instance_status").HasMaxLength(32);
        e.Property(h => h.AttemptNumber).HasColumnName("attempt_number");
        e.Property(h => h.MaxAttempts).HasColumnName("max_attempts");
        e.Property(h => h.ErrorMessage).HasColumnName("error_message");
        e.HasIndex(h => h.DeploymentId).HasDatabaseName("ix_health_checks_deployment_id");
        e.HasIndex(h => h.CheckTime, "ix_health_checks_check_time");
        // "Failed health checks ... ORDER BY check_time DESC": a partial index keeps that query small.
        e.HasIndex(h => h.CheckTime, "ix_health_checks_failed_check_time").HasFilter("healthy = false");
    }

    private static void ConfigureDeploymentLogs(EntityTypeBuilder<DeploymentLog> e, string json)
    {
        e.ToTable("deployment_logs");
        e.HasKey(l => l.Id);
        e.Property(l => l.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(l => l.DeploymentId).HasColumnName("deployment_id").HasMaxLength(32).IsRequired();
        e.Property(l => l.Timestamp).HasColumnName("timestamp");
        e.Property(l => l.Level).HasColumnName("level").HasMaxLength(10).HasConversion(ValueConversions.Wire<Domain.LogLevel>());
        e.Property(l => l.Agent).HasColumnName("agent").HasMaxLength(64).IsRequired();
        e.Property(l => l.Message).HasColumnName("message").IsRequired();
        e.Property(l => l.EventType).HasColumnName("event_type").HasMaxLength(64);
        e.Property(l => l.EventData).HasColumnName("event_data").HasColumnType(json)
            .HasConversion(ValueConversions.JsonObject, ValueConversions.JsonObjectComparer);
        e.HasIndex(l => new { l.DeploymentId, l.Id }).HasDatabaseName("ix_deployment_logs_deployment_id_id");
        e.HasIndex(l => l.Timestamp).HasDatabaseName("ix_deployment_logs_timestamp");
    }

    private static void ConfigureAgentExecutions(EntityTypeBuilder<AgentExecution> e, string json)
    {
        e.ToTable("agent_executions");
        e.HasKey(a => a.Id);
        e.Property(a => a.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(a => a.DeploymentId).HasColumnName("deployment_id").HasMaxLength(32).IsRequired();
        e.Property(a => a.AgentName).HasColumnName("agent_name").HasMaxLength(64).IsRequired();
        e.Property(a => a.AgentVersion).HasColumnName("agent_version").HasMaxLength(32);
        e.Property(a => a.StartedAt).HasColumnName("started_at");
        e.Property(a => a.CompletedAt).HasColumnName("completed_at");
        e.Property(a => a.DurationSeconds).HasColumnName("duration_seconds");
        e.Property(a => a.Success).HasColumnName("success");
        e.Property(a => a.LlmModel).HasColumnName("llm_model").HasMaxLength(128);
        e.Property(a => a.LlmTokensInput).HasColumnName("llm_tokens_input");
        e.Property(a => a.LlmTokensOutput).HasColumnName("llm_tokens_output");
        e.Property(a => a.LlmCostUsd).HasColumnName("llm_cost_usd").HasPrecision(18, 8);
        e.Property(a => a.Output).HasColumnName("output").HasColumnType(json)
            .HasConversion(ValueConversions.JsonObject, ValueConversions.JsonObjectComparer);
        e.Property(a => a.ErrorMessage).HasColumnName("error_message");
        e.HasIndex(a => a.DeploymentId).HasDatabaseName("ix_agent_executions_deployment_id");
        e.HasIndex(a => a.StartedAt).HasDatabaseName("ix_agent_executions_started_at");
        e.HasIndex(a => a.AgentName).HasDatabaseName("ix_agent_executions_agent_name");
    }
}
