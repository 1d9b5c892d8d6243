using DeployMind.Domain;

namespace DeployMind.Persistence.Bulk;

/// <summary>Fast ingest of whole deployments with their child rows (COPY on PostgreSQL, prepared batches on SQLite).</summary>
public interface IBulkWriter : IAsyncDisposable
{
    /// <summary>Writes the deployments and every child row they hold; returns the number of rows written.</summary>
    Task<long> WriteAsync(IReadOnlyList<Deployment> deployments, CancellationToken cancellationToken);
}
