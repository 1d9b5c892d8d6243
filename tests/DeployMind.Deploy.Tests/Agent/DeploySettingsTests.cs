using System.Text.Json.Nodes;
using DeployMind.Deploy.Agent;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Tests.Agent;

public sealed class DeploySettingsTests
{
    private const string Yaml = """
        name: storefront
        repository: acme/storefront
        targets:
          - name: web-1
            type: ssh
            host: 10.0.0.5
            user: deploy
            key: { file: ~/.ssh/id_ed25519 }
            app_port: 8081
          - name: web-2
            type: ssh
            host: 10.0.0.6
            user: deploy
            key: { env: WEB2_KEY }
        strategy:
          type: canary
          steps: [20, 100]
          step_pause: 10s
          max_error_rate: 0.5
          max_p99_ms: 300
          drain_timeout: 5s
        health_check:
          path: /ready
          expected_status: 200-204
          body_contains: ok
          headers: { X-Probe: "1" }
          attempts: 7
          interval: 1s
          backoff: 2
          monitor_for: 1m
        env:
          LOG_LEVEL: info
        secrets:
          DATABASE_URL: { env: APP_DATABASE_URL }
        hooks:
          pre_deploy: [["./migrate", "--up"]]
        resources:
          cpus: 0.5
          memory: 256m
        """;

    [Fact]
    public void From_StoredSnapshot_ReadsBackTheSameConfiguration()
    {
        var app = AppConfigLoader.Parse(Yaml);

        var settings = DeploySettings.From(Deployment(app.ToSafeJson(), DeploymentStrategy.Canary, "web-1\nweb-2"));

        Assert.Equal("storefront", settings.Application);
        Assert.Equal(["web-1", "web-2"], settings.Targets.Select(t => t.Name));
        Assert.Equal(8081, settings.Targets[0].AppPort);
        Assert.Equal(TargetConfig.DefaultAppPort, settings.Targets[1].AppPort);
        Assert.Equal([20, 100], settings.Strategy.Steps);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Strategy.DrainTimeout);
        Assert.Equal("/ready", settings.Health.Path);
        Assert.Equal(new StatusCodeRange(200, 204), settings.Health.ExpectedStatus);
        Assert.Equal("ok", settings.Health.BodyContains);
        Assert.Equal("1", settings.Health.Headers["X-Probe"]);
        Assert.Equal(7, settings.Health.Attempts);
        Assert.Equal(2.0, settings.Health.Backoff);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Health.MonitorFor);
        Assert.Equal("info", settings.App.Env["LOG_LEVEL"]);
        Assert.Equal("APP_DATABASE_URL", settings.App.Secrets["DATABASE_URL"].Env);
        Assert.Equal(["./migrate", "--up"], settings.App.Hooks.PreDeploy[0]);
        Assert.Equal(0.5, settings.App.Resources.Cpus);
        Assert.Equal(256L * 1024 * 1024, settings.App.Resources.MemoryBytes);
    }

    [Fact]
    public void From_OneLockedTarget_OnlyThatTarget()
    {
        var app = AppConfigLoader.Parse(Yaml);

        var settings = DeploySettings.From(Deployment(app.ToSafeJson(), DeploymentStrategy.Canary, "web-2"));

        Assert.Equal(["web-2"], settings.Targets.Select(t => t.Name));
    }

    [Fact]
    public void From_StrategyOverriddenOnTheCommandLine_ThatStrategyWithItsDefaultsAndTheFilesDrainTimeout()
    {
        var app = AppConfigLoader.Parse(Yaml);

        var settings = DeploySettings.From(Deployment(app.ToSafeJson(), DeploymentStrategy.BlueGreen, "web-1"));

        Assert.Equal(DeploymentStrategy.BlueGreen, settings.Strategy.Type);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Strategy.KeepPreviousFor);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Strategy.DrainTimeout);
    }

    [Fact]
    public void From_NoSnapshot_LocalTargetNamedAfterTheApp()
    {
        var d = Deployment(null, DeploymentStrategy.Rolling, null);
        d.Metadata = new JsonObject { ["app"] = "hello" };

        var settings = DeploySettings.From(d);

        Assert.Equal("hello", settings.Application);
        var target = Assert.Single(settings.Targets);
        Assert.Equal(TargetType.Local, target.Type);
        Assert.Equal(DeploymentStrategy.Rolling, settings.Strategy.Type);
    }

    [Fact]
    public void From_LockedTargetNotInConfig_Refused()
    {
        var app = AppConfigLoader.Parse(Yaml);

        var ex = Assert.Throws<InvalidInputException>(() => DeploySettings.From(Deployment(app.ToSafeJson(), DeploymentStrategy.Canary, "web-9")));

        Assert.Contains("web-9", ex.Message, StringComparison.Ordinal);
    }

    private static Deployment Deployment(JsonObject? config, DeploymentStrategy strategy, string? targets) => new()
    {
        Id = "deploy-20260301-abcdef",
        Repository = "acme/storefront",
        CommitSha = "0123456789abcdef",
        Strategy = strategy,
        TargetKeys = targets,
        Metadata = config is null ? null : new JsonObject { ["app"] = "storefront", ["config"] = config },
    };
}
