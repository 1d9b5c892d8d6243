using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Tests;

public sealed class RollbackAndInstancesCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("deploymind-cli-rollback");
    private readonly Dictionary<string, string?> _env;

    public RollbackAndInstancesCommandTests() => _env = new() { ["DEPLOYMIND_DATA_DIR"] = _dir.Combine("data") };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Rollback_NoApplicationNamed_ExplainsHowToName()
    {
        await CliRun.RunAsync(_env, "db", "init");

        var run = await CliRun.RunAsync(_env, "rollback");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("--app", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_App_QueuesANewDeploymentOfThePreviousImageLinkedToIt()
    {
        await CliRun.RunAsync(_env, "db", "init");
        var older = await SeedAsync("shop", "shop:aaaaaaa", DeploymentStatus.Deployed, minutesAgo: 30);
        await SeedAsync("shop", "shop:ccccccc", DeploymentStatus.RolledBack, minutesAgo: 20);
        var current = await SeedAsync("shop", "shop:bbbbbbb", DeploymentStatus.Deployed, minutesAgo: 10);
        await SeedAsync("other", "other:ddddddd", DeploymentStatus.Deployed, minutesAgo: 5);

        var run = await CliRun.RunAsync(_env, "rollback", "--app", "shop", "--queue-only");
        var json = await CliRun.RunAsync(_env, "rollback", "--to", older.Id, "--queue-only", "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"roll shop back from {current.Id} (bbbbbbb0) to {older.Id} (aaaaaaa0), image shop:aaaaaaa", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(older.Id, json.Json.GetProperty("previous_deployment_id").GetString());
        Assert.Equal("pending", json.Json.GetProperty("status").GetString());
        Assert.Equal(older.CommitSha, json.Json.GetProperty("commit_sha").GetString());
        var queued = await CliRun.RunAsync(_env, "status", json.Json.GetProperty("id").GetString()!, "--json");
        Assert.Equal("web-1", queued.Json.GetProperty("instance_id").GetString());
    }

    [Fact]
    public async Task Rollback_ToAFailedDeployment_Refused()
    {
        await CliRun.RunAsync(_env, "db", "init");
        var failed = await SeedAsync("shop", "shop:ccccccc", DeploymentStatus.Failed, minutesAgo: 20);

        var run = await CliRun.RunAsync(_env, "rollback", "--to", failed.Id);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("only a deployment that went live", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_NothingEarlier_SaysSo()
    {
        await CliRun.RunAsync(_env, "db", "init");
        await SeedAsync("shop", "shop:aaaaaaa", DeploymentStatus.Deployed, minutesAgo: 20);

        var run = await CliRun.RunAsync(_env, "rollback", "--app", "shop");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("nothing to roll back to", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instances_UnknownApplication_NotFound()
    {
        await CliRun.RunAsync(_env, "db", "init");

        var run = await CliRun.RunAsync(_env, "instances", "--app", "ghost");

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains("ghost", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instances_UnreachableSshTarget_ReportedPerTargetNotThrown()
    {
        await CliRun.RunAsync(_env, "db", "init");
        var key = _dir.Combine("id_test");
        await File.WriteAllTextAsync(key, "not a key");
        var config = _dir.Combine("deploymind.yml");
        await File.WriteAllTextAsync(config, $"""
            name: shop
            repository: acme/shop
            targets:
              - name: far
                type: ssh
                host: 127.0.0.1
                port: 1
                user: deploy
                key: {"{"} file: {key} {"}"}
                known_hosts: {_dir.Combine("known_hosts")}
            """);

        var run = await CliRun.RunAsync(_env, "instances", "--config", config, "--json");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        var target = run.Json.GetProperty("targets")[0];
        Assert.Equal("far", target.GetProperty("target").GetString());
        Assert.False(target.GetProperty("reachable").GetBoolean());
        Assert.False(string.IsNullOrEmpty(target.GetProperty("error").GetString()));
    }

    private async Task<Deployment> SeedAsync(string app, string image, DeploymentStatus status, int minutesAgo)
    {
        await using var services = TestDatabase.BuildServices("sqlite://" + _dir.Combine("data", "deploymind.db"));
        var database = services.GetRequiredService<DeployMindDatabase>();
        var at = DateTime.UtcNow.AddMinutes(-minutesAgo);
        var sha = image.Split(':')[1].PadRight(40, '0');
        var deployment = new Deployment
        {
            Id = DeploymentId.New(at),
            Repository = $"acme/{app}",
            CommitSha = sha,
            Status = status,
            CreatedAt = at,
            UpdatedAt = at,
            InstanceId = "web-1",
            TargetKeys = "web-1",
            Metadata = new JsonObject { ["app"] = app },
        };
        await using var db = database.CreateContext();
        db.Deployments.Add(deployment);
        db.AgentExecutions.Add(new AgentExecution
        {
            DeploymentId = deployment.Id,
            AgentName = "deploy",
            StartedAt = at,
            CompletedAt = at,
            Success = status is DeploymentStatus.Deployed,
            Output = new JsonObject { ["image"] = new JsonObject { ["reference"] = image, ["from_registry"] = false } },
        });
        await db.SaveChangesAsync();
        return deployment;
    }
}
