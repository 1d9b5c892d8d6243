using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Pipeline.Execution;

/// <summary>One entry of the deployment_logs trail, before it is written.</summary>
public sealed record LogEntry(LogLevel Level, string Agent, string EventType, string Message, JsonObject? Data = null);

/// <summary>Writes a deployment's trail: log entries as they happen, and one agent_executions row per agent run.</summary>
public interface IDeploymentJournal
{
    Task LogAsync(LogEntry entry, CancellationToken cancellationToken);

    /// <summary>Inserts the agent_executions row of a starting agent, with its first log entry in the same commit.</summary>
    Task<AgentExecution> StartExecutionAsync(string agentName, string agentVersion, LogEntry? entry, CancellationToken cancellationToken);

    /// <summary>Records how the agent run ended, with its last log entry in the same commit.</summary>
    Task CompleteExecutionAsync(AgentExecution execution, LogEntry? entry, CancellationToken cancellationToken);

    /// <summary>Stores a row an agent produced (a security scan, a build result, a health check), with a log entry in the same commit.</summary>
    Task RecordAsync<T>(T row, LogEntry? entry, CancellationToken cancellationToken) where T : class, IDeploymentRecord;

    Task LogAsync(LogLevel level, string agent, string eventType, string message, JsonObject? data, CancellationToken cancellationToken) =>
        LogAsync(new LogEntry(level, agent, eventType, message, data), cancellationToken);
}

/// <summary>
/// The database-backed journal. Every entry is committed at once (so `deploymind logs --follow` and the
/// dashboard see it live), and every text goes through the deployment's secret mask first.
/// </summary>
public sealed class DeploymentJournal(DeployMindDatabase database, string deploymentId, SecretMask mask, TimeProvider clock) : IDeploymentJournal
{
    public Task LogAsync(LogEntry entry, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        db.DeploymentLogs.Add(Row(entry));
        await db.SaveChangesAsync(cancellationToken);
    });

    public Task LogAsync(LogLevel level, string agent, string eventType, string message, JsonObject? data, CancellationToken cancellationToken) =>
        LogAsync(new LogEntry(level, agent, eventType, message, data), cancellationToken);

    public async Task<AgentExecution> StartExecutionAsync(string agentName, string agentVersion, LogEntry? entry, CancellationToken cancellationToken)
    {
        var execution = new AgentExecution
        {
            DeploymentId = deploymentId,
            AgentName = agentName,
            AgentVersion = agentVersion,
            StartedAt = UtcTimestamp.Now(clock),
            Success = false,
        };
        await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            db.AgentExecutions.Add(execution);
            if (entry is not null)
            {
                db.DeploymentLogs.Add(Row(entry));
            }

            await db.SaveChangesAsync(cancellationToken);
        });
        return execution;
    }

    public async Task CompleteExecutionAsync(AgentExecution execution, LogEntry? entry, CancellationToken cancellationToken)
    {
        execution.ErrorMessage = execution.ErrorMessage is null ? null : mask.Apply(execution.ErrorMessage);
        execution.Output = execution.Output is null ? null : mask.Apply(execution.Output);
        await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            db.AgentExecutions.Attach(execution);
            db.Entry(execution).State = EntityState.Modified;
            if (entry is not null)
            {
                db.DeploymentLogs.Add(Row(entry));
            }

            await db.SaveChangesAsync(cancellationToken);
        });
    }

    public Task RecordAsync<T>(T row, LogEntry? entry, CancellationToken cancellationToken) where T : class, IDeploymentRecord =>
        database.GuardAsync(async () =>
        {
            if (!string.Equals(row.DeploymentId, deploymentId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"a {typeof(T).Name} of {row.DeploymentId} cannot be recorded on {deploymentId}");
            }

            await using var db = database.CreateContext();
            db.Add(row);
            if (entry is not null)
            {
                db.DeploymentLogs.Add(Row(entry));
            }

            await db.SaveChangesAsync(cancellationToken);
        });

    /// <summary>The row an entry becomes, masked; callers that commit other changes with it add it to their own context.</summary>
    public DeploymentLog Row(LogEntry entry) => new()
    {
        DeploymentId = deploymentId,
        Timestamp = UtcTimestamp.Now(clock),
        Level = entry.Level,
        Agent = entry.Agent,
        EventType = entry.EventType,
        Message = mask.Apply(entry.Message),
        EventData = entry.Data is null ? null : mask.Apply(entry.Data),
    };
}
