using System.Text.Json;
using DeployMind.Testing;
using Microsoft.Data.Sqlite;

namespace DeployMind.Cli.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ProcessWorkerTests(PostgresServer server) : IDisposable
{
    private readonly TempDirectory _dir = new("deploymind-workers");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WorkerProcesses_TwoRacingOnOnePostgresQueue_RunEachDeploymentExactlyOnce()
    {
        var env = new Dictionary<string, string?> { ["DEPLOYMIND_DATABASE_URL"] = await server.CreateDatabaseAsync("race") };
        await CliRun.RunAsync(env, "db", "init");
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            // Distinct targets, so nothing but the claim itself keeps the workers apart.
            var queued = await CliRun.RunAsync(env, "deploy", "--path", repo, "--instance", $"web-{i}", "--queue-only", "--json");
            Assert.True(queued.ExitCode == 0, queued.Error);
            ids.Add(queued.Json.GetProperty("id").GetString()!);
        }

        var cli = Path.Combine(AppContext.BaseDirectory, "deploymind.dll");
        var processEnv = new Dictionary<string, string?> { ["DEPLOYMIND_DATABASE_URL"] = env["DEPLOYMIND_DATABASE_URL"] };
        var workers = await Task.WhenAll(
            ProcessRunner.RunAsync("dotnet", [cli, "worker", "--once"], TimeSpan.FromMinutes(3), environment: processEnv),
            ProcessRunner.RunAsync("dotnet", [cli, "worker", "--once"], TimeSpan.FromMinutes(3), environment: processEnv));

        Assert.All(workers, w => Assert.True(w.ExitCode == 0, w.Error));
        var ran = workers.Sum(w => int.Parse(System.Text.RegularExpressions.Regex.Match(w.Output, @"ran (\d+) deployment").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(12, ran);
        foreach (var id in ids)
        {
            var status = (await CliRun.RunAsync(env, "status", id, "--json")).Json;
            Assert.NotEqual("pending", status.GetProperty("status").GetString());
            Assert.Equal(1, status.GetProperty("agent_executions").EnumerateArray().Count(a => a.GetProperty("agent_name").GetString() == "source"));
        }
    }
}

public sealed class SecretHandlingTests : IDisposable
{
    private const string Secret = "pg-pass-7f3c9a51e2";
    private readonly TempDirectory _dir = new("deploymind-secrets");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Deploy_WithResolvedSecrets_NoSecretValueReachesAnyTable()
    {
        var env = new Dictionary<string, string?> { ["DEPLOYMIND_DATA_DIR"] = _dir.Combine("data"), ["SHOP_DATABASE_URL"] = Secret };
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        var config = _dir.Combine("deploymind.yml");
        await File.WriteAllTextAsync(config,
            $"name: shop\nsource:\n  path: {repo}\ntargets:\n  - name: web-1\nenv:\n  NODE_ENV: production\nsecrets:\n  DATABASE_URL: {{ env: SHOP_DATABASE_URL }}\n");
        await CliRun.RunAsync(env, "db", "init");

        var run = await CliRun.RunAsync(env, "deploy", "--config", config, "--json");

        Assert.DoesNotContain(Secret, run.Output + run.Error, StringComparison.Ordinal);
        var stored = await AllTextAsync(Path.Combine(_dir.Combine("data"), "deploymind.db"));
        Assert.Contains("SHOP_DATABASE_URL", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);
    }

    /// <summary>Every value of every row of every table, as text.</summary>
    private static async Task<string> AllTextAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\t');
                }
            }
        }

        return text.ToString();
    }
}

/// <summary>A git repository holding the Node sample, committed once.</summary>
internal static class SampleRepository
{
    public static async Task<string> CreateAsync(string repo, Dictionary<string, string>? extraFiles = null)
    {
        var sample = Path.Combine(DeployCommandTests.RepositoryRoot(), "samples", "node-hello");
        foreach (var file in Directory.EnumerateFiles(sample, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(repo, Path.GetRelativePath(sample, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        foreach (var (name, content) in extraFiles ?? [])
        {
            var target = Path.Combine(repo, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllTextAsync(target, content);
        }

        foreach (var args in new[] { new[] { "init", "-q", "-b", "main" }, ["add", "-A"], ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "initial sample"] })
        {
            var result = await ProcessRunner.RunAsync("git", ["-C", repo, .. args], TimeSpan.FromSeconds(30));
            Assert.True(result.ExitCode == 0, result.Error);
        }

        return repo;
    }
}
