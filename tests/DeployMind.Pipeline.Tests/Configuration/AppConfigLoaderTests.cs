using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Testing;
using static DeployMind.Pipeline.Tests.Configuration.ConfigAssert;

namespace DeployMind.Pipeline.Tests.Configuration;

public sealed class AppConfigLoaderTests
{
    private const string FullExample = """
        name: storefront
        repository: acme/storefront
        branch: release/2.0
        environment: staging
        build:
          directory: services/web
          dockerfile: Dockerfile.prod
          optimize: true
          timeout: 20m
          args: { NODE_VERSION: "20", DEBUG: false }
          secrets: { NPM_TOKEN: { env: NPM_TOKEN } }
          base_images: { node: "node:20-alpine", python: "python:3.12-slim" }
          push: true
        registry:
          url: 127.0.0.1:5000/acme
          username: deployer
          password: { env: REGISTRY_PASSWORD }
          insecure: true
        targets:
          - name: web-1
            type: local
            app_port: 8081
          - name: web-2
            type: ssh
            host: 127.0.0.2
            port: 2222
            user: deploy
            key: { file: ~/.ssh/id_ed25519 }
            known_hosts: /etc/deploymind/known_hosts
          - type: ec2
            instance_id: i-0123456789abcdef0
            region: us-east-1
        strategy:
          type: canary
          steps: [5, 20, 100]
          step_pause: 45s
          max_error_rate: 0.5
          max_p99_ms: 800
          drain_timeout: 1m
        health_check:
          type: http
          path: /healthz
          port: 3000
          expected_status: 200
          body_contains: ok
          headers: { Host: example.com }
          initial_delay: 500ms
          interval: 1s
          timeout: 4s
          attempts: 7
          backoff: 2
          monitor_for: 2m
        security:
          policy: strict
          ignore_unfixed: true
          fail_on: { dependencies: high, secrets: low, dockerfile: none }
          exceptions: ["GHSA-abcd-efgh-ijkl", "DL3008"]
          max_database_age: 3d
        env:
          NODE_ENV: production
          WORKERS: 4
        secrets:
          DATABASE_URL: { env: APP_DATABASE_URL }
          API_TOKEN: { file: /run/secrets/api_token }
        hooks:
          pre_deploy: ["./scripts/migrate.sh", "--fast"]
          post_deploy: [["./a.sh"], ["./b.sh", "x"]]
        llm:
          provider: ollama
          model: qwen2.5
          base_url: http://127.0.0.1:11434/v1
        """;

    [Fact]
    public void Parse_FullExample_ReadsEveryField()
    {
        var config = AppConfigLoader.Parse(FullExample);

        Assert.Equal("storefront", config.Name);
        Assert.Equal("acme/storefront", config.Repository);
        Assert.Null(config.Source);
        Assert.Equal("release/2.0", config.Branch);
        Assert.Equal(DeploymentEnvironment.Staging, config.Environment);

        Assert.Equal("services/web", config.Build.Directory);
        Assert.Equal("Dockerfile.prod", config.Build.Dockerfile);
        Assert.True(config.Build.Optimize);
        Assert.Equal(TimeSpan.FromMinutes(20), config.Build.Timeout);
        Assert.Equal(new Dictionary<string, string> { ["NODE_VERSION"] = "20", ["DEBUG"] = "false" }, config.Build.Args);
        Assert.Equal("NPM_TOKEN", config.Build.Secrets["NPM_TOKEN"].Env);
        Assert.Equal("node:20-alpine", config.Build.BaseImages["node"]);
        Assert.Equal("python:3.12-slim", config.Build.BaseImages["python"]);
        Assert.True(config.Build.Push);

        Assert.NotNull(config.Registry);
        Assert.Equal("127.0.0.1:5000/acme", config.Registry.Url);
        Assert.Equal("deployer", config.Registry.Username);
        Assert.Equal("REGISTRY_PASSWORD", config.Registry.Password!.Env);
        Assert.True(config.Registry.Insecure);

        Assert.Equal(3, config.Targets.Count);
        var local = config.Targets[0];
        Assert.Equal(("web-1", TargetType.Local, 8081), (local.Name, local.Type, local.AppPort));
        var ssh = config.Targets[1];
        Assert.Equal(("web-2", TargetType.Ssh, "127.0.0.2", 2222, "deploy"), (ssh.Name, ssh.Type, ssh.Host, ssh.Port, ssh.User));
        Assert.Equal("~/.ssh/id_ed25519", ssh.Key!.File);
        Assert.Equal("/etc/deploymind/known_hosts", ssh.KnownHosts);
        Assert.Equal(8080, ssh.AppPort);
        var ec2 = config.Targets[2];
        Assert.Equal(("i-0123456789abcdef0", TargetType.Ec2, "i-0123456789abcdef0", "us-east-1"),
            (ec2.Name, ec2.Type, ec2.InstanceId, ec2.Region));

        Assert.Equal(DeploymentStrategy.Canary, config.Strategy.Type);
        Assert.Equal([5, 20, 100], config.Strategy.Steps);
        Assert.Equal(TimeSpan.FromSeconds(45), config.Strategy.StepPause);
        Assert.Equal(0.5, config.Strategy.MaxErrorRate);
        Assert.Equal(800, config.Strategy.MaxP99Ms);
        Assert.Equal(TimeSpan.FromMinutes(1), config.Strategy.DrainTimeout);

        var health = config.HealthCheck;
        Assert.Equal(HealthCheckType.Http, health.Type);
        Assert.Equal("/healthz", health.Path);
        Assert.Equal(3000, health.Port);
        Assert.Equal(new StatusCodeRange(200, 200), health.ExpectedStatus);
        Assert.Equal("ok", health.BodyContains);
        Assert.Equal("example.com", health.Headers["Host"]);
        Assert.Equal(TimeSpan.FromMilliseconds(500), health.InitialDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), health.Interval);
        Assert.Equal(TimeSpan.FromSeconds(4), health.Timeout);
        Assert.Equal(7, health.Attempts);
        Assert.Equal(2.0, health.Backoff);
        Assert.Equal(TimeSpan.FromMinutes(2), health.MonitorFor);

        Assert.Equal(SecurityPolicyPreset.Strict, config.Security.Policy);
        Assert.True(config.Security.IgnoreUnfixed);
        Assert.Equal(RejectThreshold.High, config.Security.FailOn[ScanType.Dependencies]);
        Assert.Equal(RejectThreshold.Low, config.Security.FailOn[ScanType.Secrets]);
        Assert.Equal(RejectThreshold.None, config.Security.FailOn[ScanType.Dockerfile]);
        Assert.Equal(["GHSA-abcd-efgh-ijkl", "DL3008"], config.Security.Exceptions);
        Assert.Equal(TimeSpan.FromDays(3), config.Security.MaxDatabaseAge);

        Assert.Equal(new Dictionary<string, string> { ["NODE_ENV"] = "production", ["WORKERS"] = "4" }, config.Env);
        Assert.Equal("APP_DATABASE_URL", config.Secrets["DATABASE_URL"].Env);
        Assert.Equal("/run/secrets/api_token", config.Secrets["API_TOKEN"].File);

        Assert.Equal([["./scripts/migrate.sh", "--fast"]], config.Hooks.PreDeploy);
        Assert.Equal([["./a.sh"], ["./b.sh", "x"]], config.Hooks.PostDeploy);

        Assert.Equal(LlmProvider.Ollama, config.Llm.Provider);
        Assert.Equal("qwen2.5", config.Llm.Model);
        Assert.Equal("http://127.0.0.1:11434/v1", config.Llm.BaseUrl);
        Assert.Null(config.Llm.ApiKeyEnv);
    }

    [Fact]
    public void Parse_MinimalFile_FillsInDefaults()
    {
        var config = AppConfigLoader.Parse(Minimal);

        Assert.Equal("main", config.Branch);
        Assert.Equal(DeploymentEnvironment.Production, config.Environment);
        Assert.Null(config.Registry);
        Assert.Equal(".", config.Build.Directory);
        Assert.Null(config.Build.Dockerfile);
        Assert.False(config.Build.Push);
        Assert.Equal(TimeSpan.FromMinutes(15), config.Build.Timeout);

        var target = Assert.Single(config.Targets);
        Assert.Equal(("local", TargetType.Local, 8080), (target.Name, target.Type, target.AppPort));

        Assert.Equal(DeploymentStrategy.Rolling, config.Strategy.Type);
        Assert.Equal(1, config.Strategy.BatchSize);
        Assert.Null(config.Strategy.MaxUnavailable);
        Assert.Equal(TimeSpan.Zero, config.Strategy.Pause);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Strategy.DrainTimeout);

        Assert.Equal(HealthCheckType.Http, config.HealthCheck.Type);
        Assert.Equal("/health", config.HealthCheck.Path);
        Assert.Null(config.HealthCheck.Port);
        Assert.Equal(new StatusCodeRange(200, 399), config.HealthCheck.ExpectedStatus);
        Assert.Equal(TimeSpan.Zero, config.HealthCheck.MonitorFor);

        Assert.Equal(SecurityPolicyPreset.Balanced, config.Security.Policy);
        Assert.Empty(config.Security.FailOn);
        Assert.Equal(TimeSpan.FromDays(7), config.Security.MaxDatabaseAge);
        Assert.Empty(config.Env);
        Assert.Empty(config.Secrets);
        Assert.Empty(config.Hooks.PreDeploy);

        Assert.Equal(LlmProvider.Groq, config.Llm.Provider);
        Assert.Equal("llama-3.1-70b-versatile", config.Llm.Model);
        Assert.Equal("GROQ_API_KEY", config.Llm.ApiKeyEnv);
    }

    [Fact]
    public void Parse_RegistryWithoutPush_PushesByDefault()
    {
        var config = Valid(MinimalWith("registry: { url: 127.0.0.1:5000 }"));

        Assert.True(config.Build.Push);
    }

    [Fact]
    public void CheckText_SeveralMistakes_ReportsEveryOneWithItsPosition()
    {
        const string Yaml = """
            name: Store Front
            repository: acme/storefront
            stratgy:
              type: rolling
            targets:
              - name: web-1
                type: ssh
                port: eighty
            health_check:
              attempts: 0
            """;

        var problems = Problems(Yaml);

        var found = problems.Select(p => (p.Line, p.Column, p.Key)).ToList();
        Assert.Equal(
        [
            (1, 7, "name"),
            (3, 1, "stratgy"),
            (6, 5, "targets[0].host"),
            (6, 5, "targets[0].user"),
            (6, 5, "targets[0].key"),
            (8, 11, "targets[0].port"),
            (10, 13, "health_check.attempts"),
        ], found);
        Assert.All(problems, p => Assert.Equal("deploymind.yml", p.File));
    }

    [Fact]
    public void Parse_InvalidFile_ThrowsWithOneLinePerProblem()
    {
        const string Yaml = """
            name: storefront
            repository: acme/storefront
            targets:
              - name: web-1
                type: ssh
                host: 127.0.0.1
                user: deploy
                key: { env: SSH_KEY }
                port: eighty
            environment: prod
            """;

        var error = Assert.Throws<ConfigValidationException>(() => AppConfigLoader.Parse(Yaml));

        Assert.Equal("deploymind.yml", error.Field);
        Assert.Equal(2, error.Problems.Count);
        var lines = error.Message.Split('\n');
        Assert.Equal("deploymind.yml has 2 problems:", lines[0]);
        Assert.StartsWith(
            "deploymind.yml:9:11: targets[0].port: expected a whole number from 1 to 65535, got 'eighty' — fix: ",
            lines[1], StringComparison.Ordinal);
        Assert.StartsWith(
            "deploymind.yml:10:14: environment: expected one of development, staging, production, got 'prod' — fix: ",
            lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stratgy: { type: rolling }", "stratgy", "strategy")]
    [InlineData("healthCheck: { port: 80 }", "healthCheck", "health_check")]
    [InlineData("enviroment: staging", "enviroment", "environment")]
    [InlineData("strategy: { batchsize: 2 }", "strategy.batchsize", "batch_size")]
    [InlineData("llm: { api_key: GROQ_API_KEY }", "llm.api_key", "api_key_env")]
    public void CheckText_MisspelledKey_SuggestsTheKnownKey(string extra, string key, string suggestion)
    {
        var problem = Only(MinimalWith(extra), key);

        Assert.Contains($"did you mean '{suggestion}'?", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"to '{suggestion}'", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_UnrelatedUnknownKey_ListsTheAllowedKeys()
    {
        var problem = Only(MinimalWith("colour: red"), "colour");

        Assert.Equal("unknown key 'colour'", problem.Message);
        Assert.Contains("name, repository, source, branch", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_UnknownKeyInsideTarget_UsesTheIndexedPath()
    {
        var problem = Only("""
            name: storefront
            repository: acme/storefront
            targets:
              - name: a
              - name: b
                app_prot: 9000
            """, "targets[1].app_prot");

        Assert.Equal((6, 5), (problem.Line, problem.Column));
        Assert.Contains("did you mean 'app_port'?", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("build: { optimize: maybe }", "build.optimize", "expected true or false, got 'maybe'")]
    [InlineData("strategy: { pause: soon }", "strategy.pause", "expected a duration from 0s to 1d, got 'soon'")]
    [InlineData("health_check: { port: 3000.5 }", "health_check.port", "expected a whole number from 1 to 65535, got '3000.5'")]
    [InlineData("health_check: { backoff: 0.5 }", "health_check.backoff", "expected a number from 1 to 10, got '0.5'")]
    [InlineData("health_check: { command: \"curl -f http://x\", type: command }", "health_check.command", "expected a list, got 'curl -f http://x'")]
    [InlineData("env: [A, B]", "env", "expected a mapping of names to values, got a list")]
    [InlineData("build: fast", "build", "expected a mapping (key: value pairs), got 'fast'")]
    [InlineData("health_check: { expected_status: 200-99 }", "health_check.expected_status", "expected a status code or range, got '200-99'")]
    [InlineData("strategy: { max_p99_ms: -5, type: canary }", "strategy.max_p99_ms", "expected a whole number from 1 to 600000, got '-5'")]
    [InlineData("hooks: { pre_deploy: ./migrate.sh }", "hooks.pre_deploy", "expected a command in list form, got './migrate.sh'")]
    [InlineData("resources: { cpus: 0 }", "resources.cpus", "expected a number from 0.01 to 1024, got '0'")]
    [InlineData("resources: { memory: lots }", "resources.memory", "'lots' is not a memory size")]
    [InlineData("resources: { memory: 4m }", "resources.memory", "4m is outside what docker accepts")]
    public void CheckText_WrongType_SaysWhatWasExpectedAndWhatWasFound(string extra, string key, string message)
    {
        var problem = Only(MinimalWith(extra), key);

        Assert.Equal(message, problem.Message);
        Assert.NotEmpty(problem.Fix);
    }

    [Theory]
    [InlineData("resources: { cpus: 1.5, memory: 512m }", 1.5, 536870912L)]
    [InlineData("resources: { memory: 1.5g }", null, 1610612736L)]
    [InlineData("resources: { memory: 67108864 }", null, 67108864L)]
    [InlineData("resources: { cpus: 2 }", 2.0, null)]
    public void Parse_Resources_GivesDockersLimits(string extra, double? cpus, long? memory)
    {
        var config = Valid(MinimalWith(extra));

        Assert.Equal(cpus, config.Resources.Cpus);
        Assert.Equal(memory, config.Resources.MemoryBytes);
    }

    [Fact]
    public void CheckText_CanaryTargetsCoveringEveryTarget_IsRefused()
    {
        var problem = Only("""
            name: storefront
            repository: acme/storefront
            targets:
              - name: a
              - name: b
            strategy: { type: canary, canary_targets: 2 }
            """, "strategy.canary_targets");

        Assert.Equal("canary_targets 2 leaves none of the 2 target(s) on the stable version", problem.Message);
    }

    [Fact]
    public void Parse_NoResources_LeavesContainersUnlimited()
    {
        var config = Valid(MinimalWith(""));

        Assert.Null(config.Resources.Cpus);
        Assert.Null(config.Resources.MemoryBytes);
    }

    [Fact]
    public void CheckText_TargetsNotAList_ReportsTheTargetsKey()
    {
        var problem = Only("""
            name: storefront
            repository: acme/storefront
            targets: web-1
            """, "targets");

        Assert.Equal("expected a list of targets, got 'web-1'", problem.Message);
        Assert.Equal((3, 10), (problem.Line, problem.Column));
    }

    [Theory]
    [InlineData("environment: prod", "environment", "development, staging, production")]
    [InlineData("strategy: { type: bluegreen }", "strategy.type", "rolling, canary, blue-green")]
    [InlineData("health_check: { type: grpc }", "health_check.type", "http, tcp, command")]
    [InlineData("security: { policy: paranoid }", "security.policy", "strict, balanced, permissive")]
    [InlineData("security: { fail_on: { secrets: severe } }", "security.fail_on.secrets", "none, low, medium, high, critical")]
    [InlineData("llm: { provider: anthropic }", "llm.provider", "groq, openai, ollama, custom, none")]
    public void CheckText_UnknownEnumValue_ListsTheAllowedValues(string extra, string key, string allowed)
    {
        var problem = Only(MinimalWith(extra), key);

        Assert.StartsWith($"expected one of {allowed}, got '", problem.Message, StringComparison.Ordinal);
        Assert.Equal($"use one of: {allowed}", problem.Fix);
    }

    [Fact]
    public void CheckText_EnumValueInOtherCase_IsAccepted()
    {
        var config = Valid(MinimalWith("environment: Staging"));

        Assert.Equal(DeploymentEnvironment.Staging, config.Environment);
    }

    [Fact]
    public void CheckText_MissingNameAndTargets_ReportsBothAsRequired()
    {
        var problems = Problems("repository: acme/storefront\n");

        Assert.Equal(2, problems.Count);
        Assert.Equal("'name' is required", Single(problems, "name").Message);
        Assert.Equal("'targets' is required", Single(problems, "targets").Message);
    }

    [Fact]
    public void CheckText_InvalidAppName_SuggestsAValidOne()
    {
        var problem = Only(Minimal.Replace("name: storefront", "name: Store_Front", StringComparison.Ordinal), "name");

        Assert.Equal("'Store_Front' is not a valid app name", problem.Message);
        Assert.Contains("'store-front'", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_SshTargetWithoutConnectionDetails_NamesEachMissingKey()
    {
        var problems = Problems("""
            name: storefront
            repository: acme/storefront
            targets:
              - name: web-1
                type: ssh
            """);

        Assert.Equal(["targets[0].host", "targets[0].user", "targets[0].key"], problems.Select(p => p.Key));
        Assert.All(problems, p => Assert.EndsWith("is required", p.Message, StringComparison.Ordinal));
        Assert.Contains("{ file: ~/.ssh/id_ed25519 }", Single(problems, "targets[0].key").Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_Ec2TargetWithoutInstanceAndRegion_NamesBoth()
    {
        var problems = Problems("""
            name: storefront
            repository: acme/storefront
            targets:
              - name: web-1
                type: ec2
            """);

        Assert.Equal(["targets[0].instance_id", "targets[0].region"], problems.Select(p => p.Key));
    }

    [Fact]
    public void CheckText_Ec2TargetWithMalformedIds_RejectsThem()
    {
        var problems = Problems("""
            name: storefront
            repository: acme/storefront
            targets:
              - type: ec2
                instance_id: web-1
                region: local
            """);

        Assert.Contains("i- followed by 8 to 17", Single(problems, "targets[0].instance_id").Fix, StringComparison.Ordinal);
        Assert.Equal("'local' is not a valid EC2 region", Single(problems, "targets[0].region").Message);
    }

    [Fact]
    public void CheckText_SshKeysOnALocalTarget_AreReportedAsNotApplying()
    {
        var problem = Only("""
            name: storefront
            repository: acme/storefront
            targets:
              - name: web-1
                host: 127.0.0.1
            """, "targets[0].host");

        Assert.Equal("'host' applies only to ssh targets, and this is a local target", problem.Message);
        Assert.Equal("remove it, or set 'type: ssh'", problem.Fix);
    }

    [Fact]
    public void CheckText_MistypedSshKeyOnALocalTarget_IsReportedOnceAsNotApplying()
    {
        var problem = Only("""
            name: storefront
            repository: acme/storefront
            targets:
              - name: web-1
                port: eighty
            """, "targets[0].port");

        Assert.StartsWith("'port' applies only to ssh targets", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_DuplicateTargetNames_PointsAtTheSecondAndNamesTheFirstLine()
    {
        var problem = Only("""
            name: storefront
            repository: acme/storefront
            targets:
              - name: web-1
              - name: web-2
              - name: Web-1
            """, "targets[2].name");

        Assert.Equal(6, problem.Line);
        Assert.Equal("target name 'Web-1' is already used on line 4", problem.Message);
    }

    [Fact]
    public void CheckText_EmptyTargetList_NeedsAtLeastOne()
    {
        var problem = Only("name: storefront\nrepository: acme/storefront\ntargets: []\n", "targets");

        Assert.Contains("at least one target", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_BatchSizeAndMaxUnavailable_AreMutuallyExclusive()
    {
        var problem = Only(MinimalWith("strategy: { batch_size: 2, max_unavailable: 1 }"), "strategy.max_unavailable");

        Assert.Contains("both batch_size and max_unavailable", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_MaxUnavailableAlone_LeavesBatchSizeUnset()
    {
        var config = Valid(MinimalWith("strategy: { max_unavailable: 2 }"));

        Assert.Null(config.Strategy.BatchSize);
        Assert.Equal(2, config.Strategy.MaxUnavailable);
    }

    [Theory]
    [InlineData("[10, 10, 100]", "strategy.steps[1]", "10 is not larger than the step before it (10)")]
    [InlineData("[10, 50]", "strategy.steps[1]", "the last step is 50%, so the new version would never take all traffic")]
    [InlineData("[0, 100]", "strategy.steps[0]", "expected a whole number from 1 to 100, got '0'")]
    [InlineData("[]", "strategy.steps", "expected a non-empty list of percentages, got a list")]
    public void CheckText_BadCanarySteps_AreRejected(string steps, string key, string message)
    {
        var problem = Only(MinimalWith($"strategy: {{ type: canary, steps: {steps} }}"), key);

        Assert.Equal(message, problem.Message);
    }

    [Fact]
    public void CheckText_CanaryKeysOnARollingStrategy_AreReportedAsNotApplying()
    {
        var problems = Problems(MinimalWith("strategy:\n  type: rolling\n  steps: [50, 100]\n  keep_previous_for: 5m"));

        Assert.Equal("'steps' applies only to the canary strategy, and this is rolling", Single(problems, "strategy.steps").Message);
        Assert.Equal("remove it, or set 'type: blue-green'", Single(problems, "strategy.keep_previous_for").Fix);
    }

    [Fact]
    public void CheckText_BlueGreen_ReadsItsKeys()
    {
        var config = Valid(MinimalWith("strategy: { type: blue-green, keep_previous_for: 10m }"));

        Assert.Equal(DeploymentStrategy.BlueGreen, config.Strategy.Type);
        Assert.Equal(TimeSpan.FromMinutes(10), config.Strategy.KeepPreviousFor);
    }

    [Fact]
    public void CheckText_RepositoryAndSource_OnlyOneSourceAllowed()
    {
        var problem = Only(MinimalWith("source: { path: ./app }"), "source");

        Assert.Contains("both 'repository' and 'source'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_NoSource_AsksForOne()
    {
        var problem = Only("name: storefront\ntargets: [{ name: local }]\n", "repository");

        Assert.Equal("no source is given", problem.Message);
    }

    [Fact]
    public void CheckText_SourceWithUrlAndPath_AsksForExactlyOne()
    {
        var problem = Only("""
            name: storefront
            source: { url: "https://github.com/acme/storefront.git", path: ./app }
            targets: [{ name: local }]
            """, "source");

        Assert.Equal("names both url and path", problem.Message);
    }

    [Theory]
    [InlineData("https://github.com/acme/storefront.git")]
    [InlineData("git@github.com:acme/storefront.git")]
    [InlineData("file:///srv/git/storefront")]
    public void CheckText_GitUrlSource_IsAccepted(string url)
    {
        var config = Valid($"name: storefront\nsource:\n  url: \"{url}\"\ntargets: [{{ name: local }}]\n");

        Assert.Equal(url, config.Source!.Url);
        Assert.Null(config.Repository);
    }

    [Fact]
    public void CheckText_RepositoryGivenAsUrl_PointsToSourceUrl()
    {
        var problem = Only(Minimal.Replace("acme/storefront", "https://github.com/acme/storefront", StringComparison.Ordinal),
            "repository");

        Assert.Contains("source: { url: https://github.com/acme/storefront }", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_VariableInEnvAndSecrets_IsReported()
    {
        var problem = Only(MinimalWith("env: { DB: x }\nsecrets: { DB: { env: APP_DB } }"), "secrets.DB");

        Assert.Equal("'DB' is both a plain variable (env) and a secret", problem.Message);
    }

    [Fact]
    public void CheckText_InvalidEnvironmentVariableName_IsReported()
    {
        var problem = Only(MinimalWith("env:\n  1BAD: x"), "env.1BAD");

        Assert.Equal((6, 3), (problem.Line, problem.Column));
    }

    [Fact]
    public void CheckText_PushWithoutRegistry_IsReported()
    {
        var problem = Only(MinimalWith("build: { push: true }"), "build.push");

        Assert.Contains("no registry", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../shared")]
    [InlineData("/srv/app")]
    [InlineData("apps/../../etc")]
    public void CheckText_BuildDirectoryOutsideTheRepository_IsRejected(string directory)
    {
        var problem = Only(MinimalWith($"build: {{ directory: \"{directory}\" }}"), "build.directory");

        Assert.EndsWith("must be a path inside the repository", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_CommandCheckWithoutCommand_IsReported()
    {
        var problem = Only(MinimalWith("health_check: { type: command }"), "health_check.command");

        Assert.Equal("'command' is required", problem.Message);
    }

    [Fact]
    public void CheckText_RegistryPasswordWithoutUsername_IsReported()
    {
        var problem = Only(MinimalWith("registry: { url: 127.0.0.1:5000, password: { env: REG_PW } }"), "registry.password");

        Assert.Equal("a password is given without a username", problem.Message);
    }

    [Fact]
    public void CheckText_RegistryUrlWithScheme_IsReported()
    {
        var problem = Only(MinimalWith("registry: { url: \"https://registry.example.com/\" }"), "registry.url");

        Assert.Contains("e.g. registry.example.com;", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_CustomLlmWithoutEndpoint_IsReported()
    {
        var problems = Problems(MinimalWith("llm: { provider: custom }"));

        Assert.Equal(["llm.base_url", "llm.model"], problems.Select(p => p.Key).Order());
    }

    [Fact]
    public void CheckText_DuplicateKey_IsReported()
    {
        var problems = Problems("name: storefront\nname: shop\nrepository: acme/storefront\ntargets: [{ name: local }]\n");

        var problem = Assert.Single(problems);
        Assert.Equal((2, 1, "name"), (problem.Line, problem.Column, problem.Key));
        Assert.Equal("'name' appears twice in the same section; only one can count", problem.Message);
    }

    [Fact]
    public void CheckText_TabIndentation_PointsAtTheTab()
    {
        var problem = Assert.Single(Problems("name: app\nrepository: acme/app\ntargets:\n\t- name: a\n"));

        Assert.Equal((4, 1), (problem.Line, problem.Column));
        Assert.Equal("YAML syntax error: a tab is used for indentation", problem.Message);
    }

    [Fact]
    public void CheckText_BadIndentation_ReportsTheSyntaxErrorPosition()
    {
        const string Yaml = "name: storefront\nrepository: acme/storefront\ntargets:\n  - name: web-1\n   type: local\n";

        var problem = Assert.Single(Problems(Yaml));

        Assert.StartsWith("YAML syntax error: ", problem.Message, StringComparison.Ordinal);
        Assert.Equal(5, problem.Line);
        Assert.DoesNotContain("(Line:", problem.Message, StringComparison.Ordinal);
        Assert.Contains("indentation", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_UnclosedFlowList_ReportsTheSyntaxErrorLine()
    {
        const string Yaml = "name: storefront\nrepository: acme/storefront\ntargets: [{ name: web-1 }\nstrategy: { type: rolling }\n";

        var problem = Assert.Single(Problems(Yaml));

        Assert.Equal("YAML syntax error: this '[' is never closed", problem.Message);
        Assert.Equal((3, 10), (problem.Line, problem.Column));
    }

    [Fact]
    public void CheckText_EmptyFile_SuggestsInit()
    {
        var problem = Assert.Single(Problems("# nothing yet\n"));

        Assert.Equal("the file is empty", problem.Message);
        Assert.Contains("deploymind init", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_TopLevelList_IsReported()
    {
        var problem = Assert.Single(Problems("- name: storefront\n"));

        Assert.StartsWith("expected 'key: value' lines at the top level", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_SuggestsInit()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("deploymind.yml");

        var error = Assert.Throws<ConfigValidationException>(() => AppConfigLoader.Load(path));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(path, problem.File);
        Assert.Contains("deploymind init", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_File_UsesThePathInProblemsAndItsDirectoryAsBase()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("deploymind.yml");
        await File.WriteAllTextAsync(path, Minimal, CancellationToken.None);
        var config = await AppConfigLoader.LoadAsync(path, CancellationToken.None);
        await File.WriteAllTextAsync(path, MinimalWith("branch: \"a..b\""), CancellationToken.None);

        var error = await Assert.ThrowsAsync<ConfigValidationException>(() => AppConfigLoader.LoadAsync(path, CancellationToken.None));

        Assert.Equal(dir.Path, config.BaseDirectory);
        Assert.StartsWith($"{path}:5:9: branch: 'a..b' is not a valid git branch name", error.Problems[0].ToString(), StringComparison.Ordinal);
    }
}
