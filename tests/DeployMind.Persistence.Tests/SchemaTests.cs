using System.Data.Common;
using DeployMind.Domain;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence.Tests;

public abstract class SchemaTests(IDatabaseFactory factory)
{
    public static readonly Dictionary<string, string[]> ExpectedColumns = new()
    {
        ["deployments"] =
        [
            "id", "repository", "commit_sha", "branch", "instance_id", "region", "status", "environment", "strategy",
            "image_tag", "image_size_mb", "created_at", "updated_at", "started_at", "completed_at", "duration_seconds",
            "triggered_by", "trigger_type", "previous_deployment_id", "rollback_reason", "metadata",
            // Queue bookkeeping beyond the seed's fields.
            "worker_id", "lease_expires_at", "cancel_requested_at", "target_keys",
        ],
        ["security_scans"] =
        [
            "id", "deployment_id", "scan_type", "scanner_name", "scanner_version", "scan_duration_seconds", "passed",
            "total_vulnerabilities", "critical_count", "high_count", "medium_count", "low_count", "vulnerabilities",
            "agent_decision", "agent_reasoning", "recommendations", "raw_output", "created_at",
        ],
        ["build_results"] =
        [
            "id", "deployment_id", "build_duration_seconds", "success", "exit_code", "dockerfile_path", "dockerfile_generated",
            "detected_language", "detected_framework", "image_id", "image_tag", "image_size_bytes", "layer_count",
            "optimizations_applied", "original_size_bytes", "optimized_size_bytes", "size_reduction_percent", "build_logs",
            "error_message", "ai_suggestions", "created_at",
        ],
        ["health_checks"] =
        [
            "id", "deployment_id", "check_time", "check_type", "check_url", "healthy", "status_code", "response_time_ms",
            "response_body", "instance_id", "instance_state", "instance_status", "attempt_number", "max_attempts", "error_message",
        ],
        ["deployment_logs"] = ["id", "deployment_id", "timestamp", "level", "agent", "message", "event_type", "event_data"],
        ["agent_executions"] =
        [
            "id", "deployment_id", "agent_name", "agent_version", "started_at", "completed_at", "duration_seconds", "success",
            "llm_model", "llm_tokens_input", "llm_tokens_output", "llm_cost_usd", "output", "error_message",
        ],
    };

    [Fact]
    public async Task Migrate_EmptyDatabase_CreatesEverySeedColumnWithSnakeCaseNames()
    {
        await using var test = await factory.CreateAsync();
        await using var db = test.Database.CreateContext();
        foreach (var (table, expected) in ExpectedColumns)
        {
            var actual = await ColumnsAsync(db, table);
            Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Migrate_EmptyDatabase_AppliesAllMigrationsAndMatchesTheModel()
    {
        await using var test = await factory.CreateAsync(migrate: false);
        var before = await test.Database.GetStatusAsync(CancellationToken.None);
        Assert.NotEmpty(before.PendingMigrations);
        Assert.Empty(before.AppliedMigrations);

        var applied = await test.Database.MigrateAsync(CancellationToken.None);
        var after = await test.Database.GetStatusAsync(CancellationToken.None);

        Assert.Equal(before.PendingMigrations, applied);
        Assert.Empty(after.PendingMigrations);
        Assert.Equal(applied, after.AppliedMigrations);
        await using var db = test.Database.CreateContext();
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration captures; add a migration");
    }

    [Fact]
    public async Task Migrate_RunTwice_IsANoOp()
    {
        await using var test = await factory.CreateAsync();
        Assert.Empty(await test.Database.MigrateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SaveChanges_SeedExampleRows_ReadBackFieldByField()
    {
        await using var test = await factory.CreateAsync();
        var deployment = SeedExamples.Deployment();
        var scan = SeedExamples.Scan(deployment.Id);
        var build = SeedExamples.Build(deployment.Id);
        var check = SeedExamples.Check(deployment.Id);
        var logs = SeedExamples.Logs(deployment.Id);
        var execution = SeedExamples.Execution(deployment.Id);
        await using (var db = test.Database.CreateContext())
        {
            db.Deployments.Add(deployment);
            db.SecurityScans.Add(scan);
            db.BuildResults.Add(build);
            db.HealthChecks.Add(check);
            db.DeploymentLogs.AddRange(logs);
            db.AgentExecutions.Add(execution);
            await db.SaveChangesAsync();
        }

        await using var read = test.Database.CreateContext();
        FieldComparer.AssertSameFields(deployment, await read.Deployments.SingleAsync());
        FieldComparer.AssertSameFields(scan, await read.SecurityScans.SingleAsync());
        FieldComparer.AssertSameFields(build, await read.BuildResults.SingleAsync());
        FieldComparer.AssertSameFields(check, await read.HealthChecks.SingleAsync());
        var readLogs = await read.DeploymentLogs.OrderBy(l => l.Timestamp).ToListAsync();
        Assert.Equal(logs.Length, readLogs.Count);
        for (var i = 0; i < logs.Length; i++)
        {
            FieldComparer.AssertSameFields(logs[i], readLogs[i]);
        }

        FieldComparer.AssertSameFields(execution, await read.AgentExecutions.SingleAsync());
    }

    [Fact]
    public async Task SaveChanges_Enums_StoredAsTheSeedsLowercaseStrings()
    {
        await using var test = await factory.CreateAsync();
        var deployment = SeedExamples.Deployment();
        deployment.Strategy = DeploymentStrategy.BlueGreen;
        deployment.Status = DeploymentStatus.RolledBack;
        await using var db = test.Database.CreateContext();
        db.Deployments.Add(deployment);
        db.DeploymentLogs.Add(SeedExamples.Logs(deployment.Id)[0]);
        db.SecurityScans.Add(SeedExamples.Scan(deployment.Id));
        await db.SaveChangesAsync();

        Assert.Equal(["rolled_back", "blue-green", "manual", "production"],
            await RowAsync(db, "SELECT status, strategy, trigger_type, environment FROM deployments"));
        Assert.Equal(["INFO", "orchestrator"], await RowAsync(db, "SELECT level, agent FROM deployment_logs"));
        Assert.Equal(["dockerfile", "approve"], await RowAsync(db, "SELECT scan_type, agent_decision FROM security_scans"));
    }

    [Fact]
    public async Task BulkWriter_GeneratedDeployments_ReadBackIdenticallyThroughTheContext()
    {
        await using var test = await factory.CreateAsync();
        var generated = new Seeding.SampleDataGenerator(7).Generate(3, SeedExamples.At("2026-03-01 00:00:00"), days: 2).ToList();
        await using (var writer = test.Database.CreateBulkWriter())
        {
            Assert.Equal(3 * Seeding.SampleDataGenerator.RowsPerDeployment, await writer.WriteAsync(generated, CancellationToken.None));
        }

        await using var db = test.Database.CreateContext();
        foreach (var expected in generated)
        {
            var actual = await db.Deployments.AsNoTracking()
                .Include(d => d.SecurityScans).Include(d => d.BuildResults).Include(d => d.HealthChecks)
                .Include(d => d.Logs).Include(d => d.AgentExecutions)
                .AsSplitQuery()
                .SingleAsync(d => d.Id == expected.Id);
            FieldComparer.AssertSameFields(expected, actual);
            Assert.Equal(expected.SecurityScans.Count, actual.SecurityScans.Count);
            FieldComparer.AssertSameFields(expected.BuildResults[0], actual.BuildResults[0], nameof(BuildResult.Id));
            var logs = actual.Logs.OrderBy(l => l.Id).ToList();
            for (var i = 0; i < logs.Count; i++)
            {
                FieldComparer.AssertSameFields(expected.Logs[i], logs[i], nameof(DeploymentLog.Id));
            }

            var executions = actual.AgentExecutions.OrderBy(a => a.Id).ToList();
            for (var i = 0; i < executions.Count; i++)
            {
                FieldComparer.AssertSameFields(expected.AgentExecutions[i], executions[i], nameof(AgentExecution.Id));
            }
        }
    }

    [Fact]
    public async Task DeleteDeployment_WithChildRows_CascadesToEveryTable()
    {
        await using var test = await factory.CreateAsync();
        var keep = new Seeding.SampleDataGenerator(1).Generate(2, DateTime.UtcNow).ToList();
        await using (var writer = test.Database.CreateBulkWriter())
        {
            await writer.WriteAsync(keep, CancellationToken.None);
        }

        await using var db = test.Database.CreateContext();
        await db.Deployments.Where(d => d.Id == keep[0].Id).ExecuteDeleteAsync();

        Assert.Equal(1, await db.Deployments.CountAsync());
        Assert.Equal(3, await db.SecurityScans.CountAsync());
        Assert.Equal(1, await db.BuildResults.CountAsync());
        Assert.Equal(5, await db.HealthChecks.CountAsync());
        Assert.Equal(30, await db.DeploymentLogs.CountAsync());
        Assert.Equal(4, await db.AgentExecutions.CountAsync());
        Assert.All(await db.DeploymentLogs.Select(l => l.DeploymentId).Distinct().ToListAsync(), id => Assert.Equal(keep[1].Id, id));
    }

    [Fact]
    public async Task SaveChanges_ChildOfMissingDeployment_IsRejectedAndNothingIsWritten()
    {
        await using var test = await factory.CreateAsync();
        await using var db = test.Database.CreateContext();
        db.Deployments.Add(SeedExamples.Deployment());
        db.SecurityScans.Add(SeedExamples.Scan("deploy-20260204-ffffff"));

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        await using var fresh = test.Database.CreateContext();
        Assert.Equal(0, await fresh.Deployments.CountAsync());
    }

    protected static async Task<List<string>> ColumnsAsync(DeployMindDbContext db, string table)
    {
        var sql = db.Database.IsNpgsql()
            ? $"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'"
            : $"SELECT name FROM pragma_table_info('{table}')";
        var columns = new List<string>();
        await foreach (var value in ReadAsync(db, sql))
        {
            columns.Add(value[0]!);
        }

        return columns;
    }

    protected static async Task<List<string?>> RowAsync(DeployMindDbContext db, string sql)
    {
        await foreach (var row in ReadAsync(db, sql))
        {
            return row;
        }

        throw new InvalidOperationException("no row");
    }

    private static async IAsyncEnumerable<List<string?>> ReadAsync(DeployMindDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new List<string?>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row.Add(reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
            }

            yield return row;
        }
    }
}

public sealed class SqliteSchemaTests() : SchemaTests(new SqliteFactory());

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaTests(PostgresServer server) : SchemaTests(new PostgresFactory(server))
{
    [Fact]
    public async Task Migrate_JsonColumns_AreJsonbOnPostgres()
    {
        await using var test = await TestDatabase.PostgresAsync(server);
        await using var db = test.Database.CreateContext();
        var row = await RowAsync(db,
            "SELECT string_agg(table_name || '.' || column_name, ',' ORDER BY table_name, column_name) FROM information_schema.columns WHERE data_type = 'jsonb'");
        Assert.Equal("agent_executions.output,build_results.optimizations_applied,deployment_logs.event_data,deployments.metadata,security_scans.vulnerabilities", row[0]);
    }
}
