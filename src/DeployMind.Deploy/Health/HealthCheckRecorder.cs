using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;

namespace DeployMind.Deploy.Health;

/// <summary>Stores every probe as a health_checks row (with a log entry for the ones that failed).</summary>
public interface IHealthCheckRecorder
{
    Task RecordAsync(HealthCheck row, CancellationToken cancellationToken);
}

/// <summary>Writes probes through the deployment's journal, so they are committed as they happen and masked like every other row.</summary>
public sealed class JournalHealthCheckRecorder(IDeploymentJournal journal, SecretMask? mask = null) : IHealthCheckRecorder
{
    public const string Agent = "deploy";

    public JournalHealthCheckRecorder(DeploymentContext context)
        : this(context.Journal, context.Secrets)
    {
    }

    public Task RecordAsync(HealthCheck row, CancellationToken cancellationToken)
    {
        if (mask is not null)
        {
            row.ResponseBody = row.ResponseBody is null ? null : mask.Apply(row.ResponseBody);
            row.ErrorMessage = row.ErrorMessage is null ? null : mask.Apply(row.ErrorMessage);
        }

        LogEntry? entry = row.Healthy
            ? null
            : new LogEntry(LogLevel.Warning, Agent, DeploymentEvents.HealthCheckFailed,
                $"{row.InstanceId}: {row.CheckUrl} attempt {row.AttemptNumber}{(row.MaxAttempts is { } max ? $"/{max}" : "")}: {row.ErrorMessage}",
                new JsonObject
                {
                    ["instance_id"] = row.InstanceId,
                    ["check_type"] = row.CheckType.ToWire(),
                    ["attempt"] = row.AttemptNumber,
                    ["status_code"] = row.StatusCode,
                });
        return journal.RecordAsync(row, entry, cancellationToken);
    }
}

/// <summary>Keeps rows in memory (benches, dry runs).</summary>
public sealed class MemoryHealthCheckRecorder : IHealthCheckRecorder
{
    private readonly List<HealthCheck> _rows = [];

    public IReadOnlyList<HealthCheck> Rows
    {
        get
        {
            lock (_rows)
            {
                return _rows.ToList();
            }
        }
    }

    public Task RecordAsync(HealthCheck row, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            _rows.Add(row);
        }

        return Task.CompletedTask;
    }
}
