using DeployMind.Domain;
using DeployMind.Persistence.Bulk;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence.Sqlite;

/// <summary>Writes deployments with prepared INSERT statements, one transaction per call.</summary>
internal sealed class SqliteBulkWriter : IBulkWriter
{
    private readonly SqliteConnection _connection;
    private readonly IReadOnlyList<(TableShape Shape, Func<Deployment, System.Collections.IEnumerable> Rows)> _tables;

    public SqliteBulkWriter(DatabaseLocation location, DatabaseOptions options)
    {
        _connection = new SqliteConnection(location.ConnectionString);
        var builder = new DbContextOptionsBuilder<DeployMindDbContext>();
        new SqliteDatabaseProvider().Configure(builder, location, options);
        using var db = new DeployMindDbContext(builder.Options);
        _tables = TableShape.ForDeployments(db.Model);
    }

    public async Task<long> WriteAsync(IReadOnlyList<Deployment> deployments, CancellationToken cancellationToken)
    {
        if (_connection.State != System.Data.ConnectionState.Open)
        {
            await _connection.OpenAsync(cancellationToken);
            SqliteConnectionSettings.Apply(_connection);
        }

        await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        long rows = 0;
        foreach (var (shape, select) in _tables)
        {
            await using var insert = _connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO \"{shape.Table}\" ({string.Join(", ", shape.Columns.Select(c => $"\"{c.Name}\""))}) " +
                                 $"VALUES ({string.Join(", ", shape.Columns.Select((_, i) => $"$p{i}"))})";
            var parameters = shape.Columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter($"$p{i}", null))).ToArray();
            insert.Prepare();
            foreach (var deployment in deployments)
            {
                foreach (var row in select(deployment))
                {
                    for (var i = 0; i < parameters.Length; i++)
                    {
                        parameters[i].Value = ToSqlite(shape.Columns[i].ProviderValue(row));
                    }

                    await insert.ExecuteNonQueryAsync(cancellationToken);
                    rows++;
                }
            }
        }

        await tx.CommitAsync(cancellationToken);
        return rows;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    // Same text forms EF Core's SQLite provider writes, so rows read back identically through the context.
    private static object ToSqlite(object? value) => value switch
    {
        null => DBNull.Value,
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.0###########################", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? 1 : 0,
        _ => value,
    };
}
