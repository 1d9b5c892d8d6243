using System.Text.RegularExpressions;
using DeployMind.Domain;
using DeployMind.Persistence.Bulk;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DeployMind.Persistence.PostgreSql;

/// <summary>Writes deployments with binary COPY, one transaction per call.</summary>
internal sealed partial class PostgreSqlBulkWriter : IBulkWriter
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IReadOnlyList<(TableShape Shape, Func<Deployment, System.Collections.IEnumerable> Rows)> _tables;

    public PostgreSqlBulkWriter(DatabaseLocation location, DatabaseOptions options)
    {
        _dataSource = NpgsqlDataSource.Create(location.ConnectionString);
        var builder = new DbContextOptionsBuilder<DeployMindDbContext>();
        new PostgreSqlDatabaseProvider().Configure(builder, location, options);
        using var db = new DeployMindDbContext(builder.Options);
        _tables = TableShape.ForDeployments(db.Model);
    }

    public async Task<long> WriteAsync(IReadOnlyList<Deployment> deployments, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        long rows = 0;
        foreach (var (shape, select) in _tables)
        {
            var types = shape.Columns.Select(c => Facets().Replace(c.StoreType, "")).ToArray();
            var copy = $"COPY \"{shape.Table}\" ({string.Join(", ", shape.Columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)";
            await using var writer = await connection.BeginBinaryImportAsync(copy, cancellationToken);
            foreach (var deployment in deployments)
            {
                foreach (var row in select(deployment))
                {
                    await writer.StartRowAsync(cancellationToken);
                    for (var i = 0; i < types.Length; i++)
                    {
                        var value = shape.Columns[i].ProviderValue(row);
                        if (value is null)
                        {
                            await writer.WriteNullAsync(cancellationToken);
                        }
                        else
                        {
                            await writer.WriteAsync(value, types[i], cancellationToken);
                        }
                    }

                    rows++;
                }
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return rows;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [GeneratedRegex(@"\(.*\)")]
    private static partial Regex Facets();
}
