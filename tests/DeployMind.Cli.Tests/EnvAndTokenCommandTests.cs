using System.Text.Json;
using DeployMind.Testing;

namespace DeployMind.Cli.Tests;

public sealed class EnvAndTokenCommandTests : IAsyncLifetime, IDisposable
{
    private const string Secret = "s3cr3t-Value-that-must-not-leak";
    private readonly TempDirectory _dir = new("deploymind-cli-env");
    private readonly Dictionary<string, string?> _env;

    public EnvAndTokenCommandTests() => _env = new() { ["DEPLOYMIND_DATA_DIR"] = _dir.Path, ["USER"] = "tester" };

    public async Task InitializeAsync() => Assert.Equal(0, (await RunAsync(null, "db", "init")).ExitCode);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task EnvSet_SecretFromStdin_IsListedMaskedAndKeyFileIsCreated()
    {
        var set = await RunAsync(Secret + "\n", "env", "set", "storefront", "API_KEY", "--secret");
        var plain = await RunAsync(null, "env", "set", "storefront", "LOG_LEVEL=debug");
        var table = await RunAsync(null, "env", "list", "storefront");
        var json = await RunAsync(null, "env", "list", "storefront", "--json");

        Assert.Equal(0, set.ExitCode);
        Assert.Contains("Created the secret key", set.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(_dir.Combine("secret.key")));
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("LOG_LEVEL", table.Output, StringComparison.Ordinal);
        Assert.Contains("debug", table.Output, StringComparison.Ordinal);
        Assert.Contains("••••••••", table.Output, StringComparison.Ordinal);
        var variables = json.Json.GetProperty("variables").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, variables.Single(v => v.GetProperty("name").GetString() == "API_KEY").GetProperty("value").ValueKind);
        Assert.True(variables.Single(v => v.GetProperty("name").GetString() == "API_KEY").GetProperty("is_secret").GetBoolean());
        foreach (var run in new[] { set, plain, table, json })
        {
            Assert.DoesNotContain(Secret, run.Output + run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EnvSet_SecretOnTheCommandLine_WorksButWarns()
    {
        var run = await RunAsync(null, "env", "set", "storefront", $"TOKEN={Secret}", "--secret");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("warning: a secret given on the command line", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvSet_BadInput_ExitsWithInvalidInput()
    {
        Assert.Equal(ExitCodes.InvalidInput, (await RunAsync(null, "env", "set", "Bad App", "A=1")).ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, (await RunAsync(null, "env", "set", "storefront", "1A=1")).ExitCode);
        var noValue = await RunAsync(null, "env", "set", "storefront", "A");
        Assert.Equal(ExitCodes.InvalidInput, noValue.ExitCode);
        Assert.Contains("--from-stdin", noValue.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, (await RunAsync("x", "env", "set", "storefront", "A=1", "--from-stdin")).ExitCode);
    }

    [Fact]
    public async Task EnvUnset_RemovesOrReportsNotFound()
    {
        await RunAsync(null, "env", "set", "storefront", "A=1");

        Assert.Equal(0, (await RunAsync(null, "env", "unset", "storefront", "A")).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync(null, "env", "unset", "storefront", "A")).ExitCode);
    }

    [Fact]
    public async Task EnvImport_ValidFile_StoresChosenSecrets()
    {
        var file = _dir.Combine("app.env");
        await File.WriteAllTextAsync(file, $"# app\nexport PORT=8080\nDB_PASSWORD=\"{Secret}\"\nNAME='shop'\n");

        var run = await RunAsync(null, "env", "import", "storefront", file, "--secret-keys", "DB_PASSWORD");
        var list = await RunAsync(null, "env", "list", "storefront", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Imported 3 variable(s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 secret", run.Output, StringComparison.Ordinal);
        var secrets = list.Json.GetProperty("variables").EnumerateArray().Where(v => v.GetProperty("is_secret").GetBoolean()).Select(v => v.GetProperty("name").GetString());
        Assert.Equal(["DB_PASSWORD"], secrets);
        Assert.DoesNotContain(Secret, run.Output + run.Error + list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvImport_BadFile_ListsEveryLineAndImportsNothing()
    {
        var file = _dir.Combine("bad.env");
        await File.WriteAllTextAsync(file, "GOOD=1\nthis line is wrong\nBAD-NAME=2\nOPEN=\"x\n");

        var run = await RunAsync(null, "env", "import", "storefront", file, "--all-secret");
        var list = await RunAsync(null, "env", "list", "storefront", "--json");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains($"{file}:2:", run.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}:3:", run.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}:4:", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, list.Json.GetProperty("variables").GetArrayLength());
    }

    [Fact]
    public async Task EnvImport_FromStdinAndConflictingOptions()
    {
        Assert.Equal(0, (await RunAsync("A=1\nB=2\n", "env", "import", "storefront", "-")).ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, (await RunAsync("A=1\n", "env", "import", "storefront", "-", "--all-secret", "--secret-keys", "A")).ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, (await RunAsync(null, "env", "import", "storefront", _dir.Combine("missing.env"))).ExitCode);
    }

    [Fact]
    public async Task EnvList_WithAnotherKey_StillListsMaskedBecauseItNeverDecrypts()
    {
        await RunAsync(Secret, "env", "set", "storefront", "API_KEY", "--secret", "--from-stdin");
        _env["DEPLOYMIND_SECRET_KEY"] = Convert.ToBase64String(new byte[32]);

        var list = await RunAsync(null, "env", "list", "storefront");

        Assert.Equal(0, list.ExitCode);
        Assert.Contains("••••••••", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenCreateListRevoke_ShowsThePlaintextOnlyAtCreation()
    {
        var created = await RunAsync(null, "token", "create", "ci", "--role", "deployer", "--json");
        var token = created.Json.GetProperty("token").GetString()!;
        var id = created.Json.GetProperty("id").GetString()!;
        var list = await RunAsync(null, "token", "list");
        var revoke = await RunAsync(null, "token", "revoke", id);
        var listJson = await RunAsync(null, "token", "list", "--json");

        Assert.Equal(0, created.ExitCode);
        Assert.Matches("^dm_[0-9A-Za-z]{40}$", token);
        Assert.Equal("deployer", created.Json.GetProperty("role").GetString());
        Assert.Contains(id, list.Output, StringComparison.Ordinal);
        Assert.Contains(token[..8], list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, list.Output + listJson.Output, StringComparison.Ordinal);
        Assert.Equal(0, revoke.ExitCode);
        Assert.Contains("Revoked", revoke.Output, StringComparison.Ordinal);
        var row = listJson.Json.EnumerateArray().Single();
        Assert.NotEqual(JsonValueKind.Null, row.GetProperty("revoked_at").ValueKind);
        Assert.Equal("tester", row.GetProperty("created_by").GetString());
    }

    [Fact]
    public async Task TokenCommands_BadInput()
    {
        var badRole = await RunAsync(null, "token", "create", "ci", "--role", "root");
        Assert.Equal(ExitCodes.InvalidInput, badRole.ExitCode);
        Assert.Contains("viewer, deployer, admin", badRole.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, (await RunAsync(null, "token", "create", "ci")).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync(null, "token", "revoke", "tok_0123456789abcdef")).ExitCode);
        var plain = await RunAsync(null, "token", "create", "human", "--role", "viewer");
        Assert.Contains("shown only this once", plain.Output, StringComparison.Ordinal);
    }

    private async Task<CliRun> RunAsync(string? stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, new Dictionary<string, string?>(_env)) { Input = new StringReader(stdin ?? "") };
        var code = await DeployMindCli.RunAsync(args, context, CancellationToken.None);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
