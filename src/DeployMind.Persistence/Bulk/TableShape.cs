using System.Collections;
using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace DeployMind.Persistence.Bulk;

/// <summary>
/// A table's columns read from the EF model, so bulk writers use the same names, store types and
/// converters as the context does and never drift from the migrations.
/// </summary>
public sealed class TableShape
{
    private TableShape(string table, IReadOnlyList<ColumnShape> columns)
    {
        Table = table;
        Columns = columns;
    }

    public string Table { get; }

    /// <summary>Columns to write, in order; database-generated keys are left out.</summary>
    public IReadOnlyList<ColumnShape> Columns { get; }

    /// <summary>Tables in the order rows must be written (parents first).</summary>
    public static IReadOnlyList<(TableShape Shape, Func<Deployment, IEnumerable> Rows)> ForDeployments(IModel model) =>
    [
        (Of<Deployment>(model), d => new[] { d }),
        (Of<SecurityScan>(model), d => d.SecurityScans),
        (Of<BuildResult>(model), d => d.BuildResults),
        (Of<HealthCheck>(model), d => d.HealthChecks),
        (Of<DeploymentLog>(model), d => d.Logs),
        (Of<AgentExecution>(model), d => d.AgentExecutions),
    ];

    public static TableShape Of<T>(IModel model)
    {
        var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd))
            .Select(p => new ColumnShape(p.GetColumnName(store)!, p.GetColumnType(), p))
            .ToArray();
        return new TableShape(table, columns);
    }
}

/// <summary>One column: its name, store type, and how to read the provider value from an entity.</summary>
public sealed class ColumnShape(string name, string storeType, IProperty property)
{
    private readonly IClrPropertyGetter _getter = property.GetGetter();
    private readonly Func<object?, object?>? _toProvider =
        (property.GetValueConverter() ?? property.GetTypeMapping().Converter)?.ConvertToProvider;

    public string Name { get; } = name;

    public string StoreType { get; } = storeType;

    public Type ClrType { get; } = property.ClrType;

    public object? ProviderValue(object entity)
    {
        var value = _getter.GetClrValueUsingContainingEntity(entity);
        return value is null || _toProvider is null ? value : _toProvider(value);
    }
}
