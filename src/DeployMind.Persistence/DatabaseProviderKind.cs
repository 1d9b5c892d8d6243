namespace DeployMind.Persistence;

public enum DatabaseProviderKind
{
    Sqlite,
    PostgreSql,
}

internal static class DatabaseProviderKinds
{
    public const string SqliteEfProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    public const string NpgsqlEfProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    public static DatabaseProviderKind FromEfProviderName(string? name) => name switch
    {
        SqliteEfProvider => DatabaseProviderKind.Sqlite,
        NpgsqlEfProvider => DatabaseProviderKind.PostgreSql,
        _ => throw new InvalidOperationException($"unsupported EF Core provider '{name}'"),
    };
}
