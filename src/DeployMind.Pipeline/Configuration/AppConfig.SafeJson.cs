using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Pipeline.Configuration;

public sealed partial record AppConfig
{
    /// <summary>
    /// The effective configuration (defaults filled in) as snake_case JSON for deployments.metadata.
    /// Secrets appear as their references (<c>{"env":"NAME"}</c>), never as values; the config holds no values to leak.
    /// </summary>
    public JsonObject ToSafeJson()
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["repository"] = Repository,
            ["source"] = Source is null ? null : Compact(new JsonObject { ["url"] = Source.Url, ["path"] = Source.Path }),
            ["branch"] = Branch,
            ["environment"] = Environment.ToWire(),
            ["build"] = new JsonObject
            {
                ["directory"] = Build.Directory,
                ["dockerfile"] = Build.Dockerfile,
                ["optimize"] = Build.Optimize,
                ["timeout"] = Duration.Format(Build.Timeout),
                ["args"] = Map(Build.Args),
                ["secrets"] = References(Build.Secrets),
                ["base_images"] = Map(Build.BaseImages),
                ["push"] = Build.Push,
            },
            ["registry"] = Registry is null ? null : new JsonObject
            {
                ["url"] = Registry.Url,
                ["username"] = Registry.Username,
                ["password"] = Registry.Password?.ToJson(),
                ["insecure"] = Registry.Insecure,
            },
            ["targets"] = new JsonArray(Targets.Select(TargetJson).ToArray<JsonNode?>()),
            ["strategy"] = StrategyJson(),
            ["health_check"] = HealthCheckJson(),
            ["security"] = new JsonObject
            {
                ["policy"] = Security.Policy.ToWire(),
                ["ignore_unfixed"] = Security.IgnoreUnfixed,
                ["fail_on"] = new JsonObject(Security.FailOn.Select(p =>
                    KeyValuePair.Create(p.Key.ToWire(), (JsonNode?)JsonValue.Create(p.Value.ToWire())))),
                ["exceptions"] = new JsonArray(Security.Exceptions.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
                ["max_database_age"] = Duration.Format(Security.MaxDatabaseAge),
                ["trivy"] = Security.Trivy,
            },
            ["env"] = Map(Env),
            ["secrets"] = References(Secrets),
            ["hooks"] = new JsonObject
            {
                ["pre_deploy"] = Commands(Hooks.PreDeploy),
                ["post_deploy"] = Commands(Hooks.PostDeploy),
            },
            ["resources"] = Resources.Cpus is null && Resources.MemoryBytes is null ? null : new JsonObject
            {
                ["cpus"] = Resources.Cpus,
                ["memory"] = Resources.MemoryBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            ["llm"] = new JsonObject
            {
                ["provider"] = Llm.Provider.ToWire(),
                ["model"] = Llm.Model,
                ["base_url"] = Llm.BaseUrl,
                ["api_key_env"] = Llm.ApiKeyEnv,
            },
        };
        return json;
    }

    private static JsonObject TargetJson(TargetConfig target)
    {
        var json = new JsonObject { ["name"] = target.Name, ["type"] = target.Type.ToWire() };
        switch (target.Type)
        {
            case TargetType.Ssh:
                json["host"] = target.Host;
                json["port"] = target.Port;
                json["user"] = target.User;
                json["key"] = target.Key?.ToJson();
                json["known_hosts"] = target.KnownHosts;
                break;
            case TargetType.Ec2:
                json["instance_id"] = target.InstanceId;
                json["region"] = target.Region;
                break;
        }

        json["app_port"] = target.AppPort;
        return json;
    }

    private JsonObject StrategyJson()
    {
        var json = new JsonObject { ["type"] = Strategy.Type.ToWire() };
        switch (Strategy.Type)
        {
            case DeploymentStrategy.Rolling:
                json["batch_size"] = Strategy.BatchSize;
                json["max_unavailable"] = Strategy.MaxUnavailable;
                json["pause"] = Duration.Format(Strategy.Pause);
                break;
            case DeploymentStrategy.Canary:
                json["steps"] = new JsonArray(Strategy.Steps.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
                json["step_pause"] = Duration.Format(Strategy.StepPause);
                json["max_error_rate"] = Strategy.MaxErrorRate;
                json["max_p99_ms"] = Strategy.MaxP99Ms;
                json["canary_targets"] = Strategy.CanaryTargets;
                break;
            case DeploymentStrategy.BlueGreen:
                json["keep_previous_for"] = Duration.Format(Strategy.KeepPreviousFor);
                break;
        }

        json["drain_timeout"] = Duration.Format(Strategy.DrainTimeout);
        return Compact(json);
    }

    private JsonObject HealthCheckJson()
    {
        var check = HealthCheck;
        var json = new JsonObject { ["type"] = check.Type.ToWire() };
        if (check.Type == HealthCheckType.Http)
        {
            json["path"] = check.Path;
        }

        json["port"] = check.Port;
        if (check.Type == HealthCheckType.Http)
        {
            json["expected_status"] = check.ExpectedStatus.ToString();
            json["body_contains"] = check.BodyContains;
            json["headers"] = Map(check.Headers);
        }

        if (check.Command is not null)
        {
            json["command"] = new JsonArray(check.Command.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        }

        json["initial_delay"] = Duration.Format(check.InitialDelay);
        json["interval"] = Duration.Format(check.Interval);
        json["timeout"] = Duration.Format(check.Timeout);
        json["attempts"] = check.Attempts;
        json["backoff"] = check.Backoff;
        json["monitor_for"] = Duration.Format(check.MonitorFor);
        return json;
    }

    private static JsonObject Map(IReadOnlyDictionary<string, string> values) =>
        new(values.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));

    private static JsonObject References(IReadOnlyDictionary<string, SecretReference> references) =>
        new(references.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value.ToJson())));

    private static JsonArray Commands(IReadOnlyList<IReadOnlyList<string>> commands) =>
        new(commands.Select(c => (JsonNode?)new JsonArray(c.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray())).ToArray());

    private static JsonObject Compact(JsonObject json)
    {
        foreach (var key in json.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            json.Remove(key);
        }

        return json;
    }
}
