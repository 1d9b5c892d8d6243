using DeployMind.Testing;

namespace DeployMind.Cli.Tests;

public sealed class DbCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("deploymind-cli");
    private readonly Dictionary<string, string?> _env;

    public DbCommandTests() => _env = new() { ["DEPLOYMIND_DATA_DIR"] = _dir.Path };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task DbInit_FreshDataDirectory_PrintsTheSeedsMessagesAndCreatesTheFile()
    {
        var run = await CliRun.RunAsync(_env, "db", "init");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("Initializing database...", lines[0]);
        Assert.Equal("Database initialized successfully", lines[^1]);
        Assert.True(File.Exists(_dir.Combine("deploymind.db")));
    }

    [Fact]
    public async Task DbInit_RunTwice_SecondRunReportsUpToDate()
    {
        await CliRun.RunAsync(_env, "db", "init");
        var again = await CliRun.RunAsync(_env, "db", "init");

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("schema already up to date", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DbStatus_BeforeAndAfterInit_ShowsPendingThenApplied()
    {
        var before = await CliRun.RunAsync(_env, "db", "status", "--json");
        await CliRun.RunAsync(_env, "db", "init");
        var after = await CliRun.RunAsync(_env, "db", "status", "--json");

        Assert.Equal("sqlite", before.Json.GetProperty("provider").GetString());
        Assert.False(before.Json.GetProperty("exists").GetBoolean());
        var pending = before.Json.GetProperty("pending").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.NotEmpty(pending);
        Assert.Equal(0, after.Json.GetProperty("pending").GetArrayLength());
        Assert.Equal(pending, after.Json.GetProperty("applied").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Stats_BeforeInit_ExitsWithDatabaseErrorNamingDbInit()
    {
        var run = await CliRun.RunAsync(_env, "stats");

        Assert.Equal(ExitCodes.DatabaseUnavailable, run.ExitCode);
        Assert.Contains("deploymind db init", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task DbSeed_ThenStatsJson_CountsEveryGeneratedDeployment()
    {
        await CliRun.RunAsync(_env, "db", "init");
        var seed = await CliRun.RunAsync(_env, "db", "seed", "--deployments", "40", "--days", "5", "--seed", "9");
        var stats = await CliRun.RunAsync(_env, "stats", "--json");

        Assert.Equal(0, seed.ExitCode);
        Assert.Contains("1760 rows", seed.Output, StringComparison.Ordinal);
        Assert.Equal(0, stats.ExitCode);
        Assert.Equal(40, stats.Json.GetProperty("success_rate").GetProperty("total").GetInt32());
        Assert.Equal(40 * 3, stats.Json.GetProperty("scan_pass_rate").GetProperty("total").GetInt32());
        Assert.Equal(40 * 4, stats.Json.GetProperty("llm_cost").GetProperty("executions").GetInt32());
        Assert.Equal(40, stats.Json.GetProperty("per_day").EnumerateArray().Sum(d => d.GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task StatsSubcommand_Table_PrintsHeaderAndRows()
    {
        await CliRun.RunAsync(_env, "db", "init");
        await CliRun.RunAsync(_env, "db", "seed", "--deployments", "30", "--seed", "2");
        var run = await CliRun.RunAsync(_env, "stats", "tokens");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("agent", run.Output, StringComparison.Ordinal);
        foreach (var agent in new[] { "orchestrator", "security", "build", "deploy" })
        {
            Assert.Contains(agent, run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DbPrune_DryRunThenPrune_RemovesWhatTheDryRunCounted()
    {
        await CliRun.RunAsync(_env, "db", "init");
        await CliRun.RunAsync(_env, "db", "seed", "--deployments", "60", "--days", "60", "--seed", "5");

        var dry = await CliRun.RunAsync(_env, "db", "prune", "--dry-run", "--json");
        var real = await CliRun.RunAsync(_env, "db", "prune", "--json");
        var after = await CliRun.RunAsync(_env, "db", "prune", "--dry-run", "--json");

        long Rows(CliRun r, string table) => r.Json.GetProperty("tables").EnumerateArray()
            .Single(t => t.GetProperty("table").GetString() == table).GetProperty("rows").GetInt64();
        Assert.True(Rows(dry, "health_checks") > 0);
        Assert.Equal(Rows(dry, "health_checks"), Rows(real, "health_checks"));
        Assert.Equal(Rows(dry, "deployment_logs"), Rows(real, "deployment_logs"));
        Assert.Equal(0, Rows(after, "health_checks"));
        Assert.Equal(0, Rows(real, "deployments"));
    }

    [Fact]
    public async Task DbPrune_BadRetentionVariables_ListsEachOneAndExitsAsInvalidInput()
    {
        await CliRun.RunAsync(_env, "db", "init");
        _env["DEPLOYMIND_RETENTION_HEALTH_CHECKS_DAYS"] = "seven";
        _env["DEPLOYMIND_RETENTION_BATCH_SIZE"] = "-1";

        var run = await CliRun.RunAsync(_env, "db", "prune");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("DEPLOYMIND_RETENTION_HEALTH_CHECKS_DAYS='seven'", run.Error, StringComparison.Ordinal);
        Assert.Contains("DEPLOYMIND_RETENTION_BATCH_SIZE='-1'", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--since", "yesterday", "--since 'yesterday' is not a date")]
    [InlineData("--until", "2026-13-45", "--until '2026-13-45' is not a date")]
    [InlineData("--repository", "no-slash", "--repository 'no-slash' is malformed")]
    [InlineData("--limit", "0", "--limit 0 is out of range")]
    public async Task Stats_BadFilter_NamesTheOptionAndExitsAsInvalidInput(string option, string value, string message)
    {
        await CliRun.RunAsync(_env, "db", "init");
        var run = await CliRun.RunAsync(_env, "stats", option, value);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_SinceAfterUntil_IsRejected()
    {
        var run = await CliRun.RunAsync(_env, "stats", "--since", "2026-05-01", "--until", "2026-04-01");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("must be before --until", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DbSeed_ZeroDeployments_IsRejected()
    {
        var run = await CliRun.RunAsync(_env, "db", "seed", "--deployments", "0");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("--deployments 0 is out of range", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ExitsAsInvalidInputWithUsageHint()
    {
        var run = await CliRun.RunAsync(_env, "dbx");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("Unrecognized command or argument 'dbx'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DbInit_PostgresUnreachable_OneLineWithoutPasswordAndExitCode3()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var run = await CliRun.RunAsync(_env, "--database", $"postgres://deployer:hunter2@127.0.0.1:{port}/deploymind", "db", "init");

        Assert.Equal(ExitCodes.DatabaseUnavailable, run.ExitCode);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cannot connect", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", run.Error + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseUrl_UnknownScheme_ExitsAsInvalidInput()
    {
        _env["DEPLOYMIND_DATABASE_URL"] = "mysql://root:pw@localhost/db";
        var run = await CliRun.RunAsync(_env, "db", "status");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("database url", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(":pw@", run.Error, StringComparison.Ordinal);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresCliTests(PostgresServer server)
{
    [Fact]
    public async Task InitSeedStats_OnPostgres_Work()
    {
        var env = new Dictionary<string, string?> { ["DEPLOYMIND_DATABASE_URL"] = await server.CreateDatabaseAsync("cli") };

        var init = await CliRun.RunAsync(env, "db", "init");
        var status = await CliRun.RunAsync(env, "db", "status", "--json");
        var seed = await CliRun.RunAsync(env, "db", "seed", "--deployments", "25", "--seed", "4");
        var stats = await CliRun.RunAsync(env, "stats", "success-rate", "--json");

        Assert.Equal(0, init.ExitCode);
        Assert.Contains("Database initialized successfully", init.Output, StringComparison.Ordinal);
        Assert.Equal("postgresql", status.Json.GetProperty("provider").GetString());
        Assert.Equal(0, seed.ExitCode);
        Assert.Equal(25, stats.Json.GetProperty("total").GetInt32());
    }
}
