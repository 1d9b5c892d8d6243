using System.Text.Json;
using DeployMind.Testing;
using Microsoft.Data.Sqlite;

namespace DeployMind.Cli.Tests;

public sealed class SecurityStageTests : IDisposable
{
    // Built from parts so this file itself holds no key-shaped string.
    private static readonly string s_awsKey = "AKIA" + "Q3EGXRT7" + "NVB4LK2M";
    private readonly TempDirectory _dir = new("deploymind-security");
    private readonly Dictionary<string, string?> _env;

    public SecurityStageTests() => _env = new() { ["DEPLOYMIND_DATA_DIR"] = _dir.Combine("data") };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Deploy_RepositoryWithACommittedKey_RejectedBeforeBuildWithThreeScanRowsAndTheKeyRedacted()
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"), extraFiles: new() { ["config/aws.env"] = $"AWS_ACCESS_KEY_ID={s_awsKey}\n" });
        await CliRun.RunAsync(_env, "db", "init");

        var run = await CliRun.RunAsync(_env, "deploy", "--path", repo, "--json");

        Assert.Equal(ExitCodes.PolicyRejected, run.ExitCode);
        var json = run.Json;
        Assert.Equal("security_failed", json.GetProperty("status").GetString());
        var scans = json.GetProperty("security_scans").EnumerateArray().ToList();
        Assert.Equal(["dockerfile", "dependencies", "secrets"], scans.Select(s => s.GetProperty("scan_type").GetString()));
        var secrets = scans.Single(s => s.GetProperty("scan_type").GetString() == "secrets");
        Assert.False(secrets.GetProperty("passed").GetBoolean());
        Assert.Equal("reject", secrets.GetProperty("agent_decision").GetString());
        Assert.DoesNotContain(json.GetProperty("agent_executions").EnumerateArray(), a => a.GetProperty("agent_name").GetString() == "build");
        Assert.DoesNotContain(s_awsKey, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(s_awsKey, await DatabaseTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_CleanSample_PassesTheGateWithWarningsAndRecordsTheDecision()
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        await CliRun.RunAsync(_env, "db", "init");

        var run = await CliRun.RunAsync(_env, "deploy", "--path", repo, "--json");

        var json = run.Json;
        var security = json.GetProperty("agent_executions").EnumerateArray().Single(a => a.GetProperty("agent_name").GetString() == "security");
        Assert.True(security.GetProperty("success").GetBoolean());
        Assert.Equal("rules", security.GetProperty("llm_model").GetString());
        var dockerfile = json.GetProperty("security_scans").EnumerateArray().Single(s => s.GetProperty("scan_type").GetString() == "dockerfile");
        // The sample's hand-written Dockerfile runs as root (DS-0002, HIGH): balanced policy warns, it does not reject.
        Assert.Equal("warn", dockerfile.GetProperty("agent_decision").GetString());
        Assert.True(dockerfile.GetProperty("high_count").GetInt32() >= 1);
        Assert.NotEqual("security_failed", json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Deploy_StrictPolicyInTheFile_RejectsWhatBalancedOnlyWarnsAbout()
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        var config = _dir.Combine("deploymind.yml");
        await File.WriteAllTextAsync(config, $"name: shop\nsource:\n  path: {repo}\ntargets:\n  - name: web-1\nsecurity:\n  policy: strict\n");
        await CliRun.RunAsync(_env, "db", "init");

        var run = await CliRun.RunAsync(_env, "deploy", "--config", config, "--json");

        Assert.Equal(ExitCodes.PolicyRejected, run.ExitCode);
        Assert.Contains("strict", run.Json.GetProperty("failure").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_Sarif_IsSarif210WithRuleMetadataAndRelativeLocations()
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"), extraFiles: new() { ["config/aws.env"] = $"AWS_ACCESS_KEY_ID={s_awsKey}\n" });

        var run = await CliRun.RunAsync(_env, "scan", repo, "--format", "sarif");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(s_awsKey, run.Output, StringComparison.Ordinal);
        var sarif = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal("2.1.0", sarif.GetProperty("version").GetString());
        var results = sarif.GetProperty("runs").EnumerateArray().SelectMany(r => r.GetProperty("results").EnumerateArray()).ToList();
        Assert.Contains(results, r => r.GetProperty("ruleId").GetString() == "DS-0002");
        var secret = results.Single(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString() == "config/aws.env");
        Assert.Equal("error", secret.GetProperty("level").GetString());
    }

    [Theory]
    [InlineData("HIGH", 7, 7)]
    [InlineData("CRITICAL", 7, 0)]
    public async Task Scan_ExitCodeGate_FiresOnlyForFindingsAtTheChosenSeverity(string severity, int exitCode, int expected)
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        var run = await CliRun.RunAsync(_env, "scan", repo, "--type", "dockerfile", "--severity", severity, "--exit-code", exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, run.ExitCode);
    }

    [Fact]
    public async Task Scan_Dependencies_MatchesTheLocalVulnerabilityDatabase()
    {
        var testdata = Path.GetFullPath(Path.Combine(DeployCommandTests.RepositoryRoot(), "..", "shared", "testdata"));
        await CliRun.RunAsync(_env, "vulndb", "import", Path.Combine(testdata, "osv"));

        var run = await CliRun.RunAsync(_env, "scan", Path.Combine(testdata, "lockfiles", "npm"), "--type", "dependencies", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("GHSA-gxpj-cx7g-858c", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_Dependencies_WithoutADatabase_SaysNothingCouldBeChecked()
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        var run = await CliRun.RunAsync(_env, "scan", repo, "--type", "dependencies");
        Assert.Contains("vulnerability database is missing", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_TrivyReport_FindingsJoinTheReport()
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        var report = _dir.Combine("trivy.json");
        await File.WriteAllTextAsync(report, """
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Trivy": {"Version": "0.50.1"},
             "Results": [{"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [
               {"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "InstalledVersion": "4.17.20", "FixedVersion": "4.17.21",
                "Severity": "HIGH", "Title": "Command injection in lodash"}]}]}
            """);

        var run = await CliRun.RunAsync(_env, "scan", repo, "--type", "dependencies", "--trivy-report", report, "--format", "json",
            "--severity", "HIGH", "--exit-code", "5");

        Assert.Equal(5, run.ExitCode);
        Assert.Contains("CVE-2021-23337", run.Output, StringComparison.Ordinal);
        Assert.Contains("trivy", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_TrivySelectedButNotInstalled_FailsTheSecurityStageWithThatReason()
    {
        var repo = await SampleRepository.CreateAsync(_dir.Combine("repo"));
        var config = _dir.Combine("deploymind.yml");
        await File.WriteAllTextAsync(config, $"name: shop\nsource:\n  path: {repo}\ntargets:\n  - name: web-1\nsecurity:\n  trivy: true\n");
        await CliRun.RunAsync(_env, "db", "init");

        var run = await CliRun.RunAsync(_env, "deploy", "--config", config, "--json");

        Assert.Equal(ExitCodes.DeploymentFailed, run.ExitCode);
        Assert.Equal("failed", run.Json.GetProperty("status").GetString());
        Assert.Contains("trivy", run.Json.GetProperty("failure").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_UnknownFormat_IsInvalidInput()
    {
        var run = await CliRun.RunAsync(_env, "scan", ".", "--format", "xml");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Contains("--format 'xml' is not supported", run.Error, StringComparison.Ordinal);
    }

    private async Task<string> DatabaseTextAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir.Combine("data"), "deploymind.db")};Pooling=False");
        await connection.OpenAsync();
        var text = new System.Text.StringBuilder();
        foreach (var table in new[] { "deployments", "security_scans", "deployment_logs", "agent_executions" })
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
