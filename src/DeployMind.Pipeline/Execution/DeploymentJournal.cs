using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Pipeline.Execution;

/// <summary>Writes a deployment's trail: log entries as they happen, and one agent_executions row per agent run.</summary>
public interface IDeploymentJournal
{
    Task LogAsync(LogLevel level, string agent, string eventType, string message, JsonObject? data, CancellationToken cancellationToken);

    Task<AgentExecution> StartExecutionAsync(string agentName, string agentVersion, CancellationToken cancellationToken);

    Task CompleteExecutionAsync(AgentExecution execution, CancellationToken cancellationToken);
}

/// <summary>
/// The database-backed journal. Every entry is committed at once (so `deploymind logs --follow` and the
/// dashboard see it live), and every text goes through the deployment's secret mask first.
/// </summary>
public sealed class DeploymentJournal(DeployMindDatabase database, string deploymentId, SecretMask mask, TimeProvider clock) : IDeploymentJournal
{
    public async Task LogAsync(LogLevel level, string agent, string eventType, string message, JsonObject? data, CancellationToken cancellationToken)
    {
        var entry = new DeploymentLog
        {
            DeploymentId = deploymentId,
            Timestamp = UtcTimestamp.Now(clock),
            Level = level,
            Agent = agent,
            EventType = eventType,
            Message = mask.Apply(message),
            EventData = data is null ? null : mask.Apply(data),
        };
        await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            db.DeploymentLogs.Add(entry);
            await db.SaveChangesAsync(cancellationToken);
        });
    }

    public async Task<AgentExecution> StartExecutionAsync(string agentName, string agentVersion, CancellationToken cancellationToken)
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
            await db.SaveChangesAsync(cancellationToken);
        });
        return execution;
    }

    public async Task CompleteExecutionAsync(AgentExecution execution, CancellationToken cancellationToken)
    {
        execution.ErrorMessage = execution.ErrorMessage is null ? null : mask.Apply(execution.ErrorMessage);
        execution.Output = execution.Output is null ? null : mask.Apply(execution.Output);
        await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            await db.AgentExecutions.Where(a => a.Id == execution.Id).ExecuteUpdateAsync(u => u
                .SetProperty(a => a.CompletedAt, execution.CompletedAt)
                .SetProperty(a => a.DurationSeconds, execution.DurationSeconds)
                .SetProperty(a => a.Success, execution.Success)
                .SetProperty(a => a.LlmModel, execution.LlmModel)
                .SetProperty(a => a.LlmTokensInput, execution.LlmTokensInput)
                .SetProperty(a => a.LlmTokensOutput, execution.LlmTokensOutput)
                .SetProperty(a => a.LlmCostUsd, execution.LlmCostUsd)
                .SetProperty(a => a.Output, execution.Output)
                .SetProperty(a => a.ErrorMessage, execution.ErrorMessage), cancellationToken);
        });
    }
}
