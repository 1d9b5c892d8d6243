using System.IO.Compression;
using System.Net;
using DeployMind.Testing;

namespace DeployMind.Cli.Tests;

public sealed class DeployCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("deploymind-cli-deploy");
    private readonly Dictionary<string, string?> _env;

    public DeployCommandTests() => _env = new() { ["DEPLOYMIND_DATA_DIR"] = _dir.Combine("data") };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Init_NodeRepository_WritesAConfigThatValidatesAndRefusesToOverwrite()
    {
        var repo = await GitRepositoryAsync();

        var first = await CliRun.RunAsync(_env, "init", repo);
        var again = await CliRun.RunAsync(_env, "init", repo);
        var forced = await CliRun.RunAsync(_env, "init", repo, "--force", "--name", "shop");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("detected nodejs", first.Output, StringComparison.Ordinal);
        var config = Pipeline.Configuration.AppConfigLoader.Load(Path.Combine(repo, "deploymind.yml"));
        Assert.Equal(3000, config.HealthCheck.Port);
        Assert.Equal(ExitCodes.InvalidInput, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal("shop", Pipeline.Configuration.AppConfigLoader.Load(Path.Combine(repo, "deploymind.yml")).Name);
    }

    [Fact]
    public async Task Deploy_LocalPath_PinsTheHeadCommitChecksItOutAndEndsInAConsistentFinalState()
    {
        var repo = await GitRepositoryAsync();
        var head = (await GitAsync(repo, "rev-parse", "HEAD")).Trim();
        await CliRun.RunAsync(_env, "db", "init");

        var run = await CliRun.RunAsync(_env, "deploy", "--path", repo, "--json");

        var json = run.Json;
        Assert.Equal(head, json.GetProperty("commit_sha").GetString());
        Assert.Equal("main", json.GetProperty("branch").GetString());
        var status = json.GetProperty("status").GetString()!;
        Assert.Contains(status, new[] { "deployed", "failed", "security_failed", "build_failed", "rolled_back" });
        Assert.Equal(Commands.DeploymentView.ExitCodeFor(Domain.WireValues.Parse<Domain.DeploymentStatus>(status, "status")), run.ExitCode);
        var source = json.GetProperty("agent_executions").EnumerateArray().First();
        Assert.Equal("source", source.GetProperty("agent_name").GetString());
        Assert.True(source.GetProperty("success").GetBoolean());
        var logs = await CliRun.RunAsync(_env, "logs", json.GetProperty("id").GetString()!);
        Assert.Contains($"@{head[..8]} (main): initial sample", logs.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_QueueOnlyThenWorker_RunsTheQueuedDeployment()
    {
        var repo = await GitRepositoryAsync();
        await CliRun.RunAsync(_env, "db", "init");

        var queued = await CliRun.RunAsync(_env, "deploy", "--path", repo, "--queue-only", "--json");
        var id = queued.Json.GetProperty("id").GetString()!;
        var before = await CliRun.RunAsync(_env, "status", id, "--json");
        var worker = await CliRun.RunAsync(_env, "worker", "--once");
        var after = await CliRun.RunAsync(_env, "status", id, "--json");

        Assert.Equal("pending", before.Json.GetProperty("status").GetString());
        Assert.Contains("ran 1 deployment(s)", worker.Output, StringComparison.Ordinal);
        Assert.NotEqual("pending", after.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Deploy_NothingToDeploy_ExplainsTheChoices()
    {
        await CliRun.RunAsync(_env, "db", "init");
        var run = await CliRun.RunAsync(_env, "deploy");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("give --repo owner/repo, --path DIR or --url URL", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_InvalidConfig_ListsEveryProblemWithLinesAndQueuesNothing()
    {
        await CliRun.RunAsync(_env, "db", "init");
        var file = _dir.Combine("deploymind.yml");
        await File.WriteAllTextAsync(file, "name: shop\nrepository: acme/shop\nstratgy:\n  type: rolling\ntargets:\n  - name: web-1\n    port: eighty\n");

        var run = await CliRun.RunAsync(_env, "deploy", "--config", file);
        var list = await CliRun.RunAsync(_env, "list", "--json");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("deploymind.yml:3:", run.Error, StringComparison.Ordinal);
        Assert.Contains("strategy", run.Error, StringComparison.Ordinal);
        Assert.Contains("deploymind.yml:7:", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, list.Json.GetProperty("deployments").GetArrayLength());
    }

    [Fact]
    public async Task Deploy_MissingSecret_NamesTheVariableAndQueuesNothing()
    {
        var repo = await GitRepositoryAsync();
        await CliRun.RunAsync(_env, "db", "init");
        var file = _dir.Combine("deploymind.yml");
        await File.WriteAllTextAsync(file, $"name: shop\nsource:\n  path: {repo}\ntargets:\n  - name: web-1\nsecrets:\n  DATABASE_URL: {{ env: SHOP_DATABASE_URL }}\n");

        var run = await CliRun.RunAsync(_env, "deploy", "--config", file);
        var list = await CliRun.RunAsync(_env, "list", "--json");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("SHOP_DATABASE_URL", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, list.Json.GetProperty("deployments").GetArrayLength());
    }

    [Fact]
    public async Task Deploy_UnknownBranch_FailsBeforeQueueingAndNamesTheBranch()
    {
        var repo = await GitRepositoryAsync();
        await CliRun.RunAsync(_env, "db", "init");

        var run = await CliRun.RunAsync(_env, "deploy", "--path", repo, "--branch", "no-such-branch");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("no-such-branch", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRun.RunAsync(_env, "list", "--json")).Json.GetProperty("deployments").GetArrayLength());
    }

    [Fact]
    public async Task Cancel_QueuedDeployment_IsCancelledAndLogged()
    {
        var repo = await GitRepositoryAsync();
        await CliRun.RunAsync(_env, "db", "init");
        var id = (await CliRun.RunAsync(_env, "deploy", "--path", repo, "--queue-only", "--json")).Json.GetProperty("id").GetString()!;

        var cancel = await CliRun.RunAsync(_env, "cancel", id);
        var status = await CliRun.RunAsync(_env, "status", id, "--json");

        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains("cancelled before it started", cancel.Output, StringComparison.Ordinal);
        Assert.Equal("cancelled", status.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Status_UnknownDeployment_ExitsNotFound()
    {
        await CliRun.RunAsync(_env, "db", "init");
        var run = await CliRun.RunAsync(_env, "status", "deploy-20260101-abcdef");
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains("was not found", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VulnDbImport_OsvRecords_IdempotentAndStatusCountsThem()
    {
        var osv = Path.Combine(SharedTestData(), "osv");

        var first = await CliRun.RunAsync(_env, "vulndb", "import", osv);
        var second = await CliRun.RunAsync(_env, "vulndb", "import", osv);
        var status = await CliRun.RunAsync(_env, "vulndb", "status", "--json");

        Assert.Contains("76 added", first.Output, StringComparison.Ordinal);
        Assert.Contains("0 added, 0 updated, 76 unchanged", second.Output, StringComparison.Ordinal);
        Assert.Equal(76, status.Json.GetProperty("total_records").GetInt32());
    }

    [Fact]
    public async Task VulnDbImport_TruncatedZip_RejectedAndTheDatabaseKeepsItsRecords()
    {
        await CliRun.RunAsync(_env, "vulndb", "import", Path.Combine(SharedTestData(), "osv"));
        var zip = _dir.Combine("npm-all.zip");
        await File.WriteAllBytesAsync(zip, (await ZipOfAsync(Path.Combine(SharedTestData(), "osv")))[..300]);

        var run = await CliRun.RunAsync(_env, "vulndb", "import", zip);
        var status = await CliRun.RunAsync(_env, "vulndb", "status", "--json");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("npm-all.zip", run.Error, StringComparison.Ordinal);
        Assert.Equal(76, status.Json.GetProperty("total_records").GetInt32());
    }

    [Fact]
    public async Task VulnDbUpdate_FromALoopbackMirror_DownloadsAndImports()
    {
        var zip = await ZipOfAsync(Path.Combine(SharedTestData(), "osv"));
        using var mirror = new HttpListener();
        var port = FreePort();
        mirror.Prefixes.Add($"http://127.0.0.1:{port}/");
        mirror.Start();
        var serving = Task.Run(async () =>
        {
            var request = await mirror.GetContextAsync();
            request.Response.StatusCode = request.Request.Url!.AbsolutePath == "/npm/all.zip" ? 200 : 404;
            await request.Response.OutputStream.WriteAsync(zip);
            request.Response.Close();
        });

        var run = await CliRun.RunAsync(_env, "vulndb", "update", "--ecosystem", "npm", "--url", $"http://127.0.0.1:{port}/");
        await serving;

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("76 added", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VulnDbUpdate_MirrorDown_SaysHowToUpdateOffline()
    {
        var run = await CliRun.RunAsync(_env, "vulndb", "update", "--ecosystem", "npm", "--url", $"http://127.0.0.1:{FreePort()}/");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("vulndb import", run.Error, StringComparison.Ordinal);
    }

    private Task<string> GitRepositoryAsync() => SampleRepository.CreateAsync(_dir.Combine("repo"));

    private static async Task<string> GitAsync(string repo, params string[] args)
    {
        var result = await ProcessRunner.RunAsync("git", ["-C", repo, .. args], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output;
    }

    private static async Task<byte[]> ZipOfAsync(string directory)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
            {
                var entry = archive.CreateEntry(Path.GetFileName(file));
                await using var stream = entry.Open();
                await stream.WriteAsync(await File.ReadAllBytesAsync(file));
            }
        }

        return buffer.ToArray();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeployMind.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    private static string SharedTestData() => Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "testdata"));
}
