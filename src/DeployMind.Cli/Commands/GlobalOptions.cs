using System.CommandLine;
using DeployMind.Persistence;

namespace DeployMind.Cli.Commands;

internal static class GlobalOptions
{
    public static readonly Option<string?> Database = new("--database")
    {
        Description = $"Database URL (postgres://user:password@host:5432/db or a SQLite file path); defaults to {DatabaseOptions.UrlVariable} or the embedded SQLite file",
        Recursive = true,
    };

    public static readonly Option<string?> DataDirectory = new("--data-dir")
    {
        Description = $"Directory of the embedded database; defaults to {DatabaseOptions.DataDirectoryVariable} or ~/.local/share/deploymind",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON instead of a table" };
}
