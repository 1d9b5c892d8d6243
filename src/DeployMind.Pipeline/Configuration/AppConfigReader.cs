using System.Text.RegularExpressions;
using DeployMind.Domain;
using YamlDotNet.RepresentationModel;

namespace DeployMind.Pipeline.Configuration;

/// <summary>The <c>deploymind.yml</c> schema: walks the YAML tree section by section, applying defaults and every rule.</summary>
internal sealed partial class AppConfigReader(ConfigNodeReader reader)
{
    private static readonly string[] s_rootKeys =
    [
        "name", "repository", "source", "branch", "environment", "build", "registry", "targets", "strategy",
        "health_check", "security", "env", "secrets", "hooks", "resources", "llm",
    ];

    private static readonly string[] s_sourceKeys = ["url", "path"];
    private static readonly string[] s_buildKeys = ["directory", "dockerfile", "optimize", "timeout", "args", "secrets", "base_images", "push"];
    private static readonly string[] s_registryKeys = ["url", "username", "password", "insecure"];
    private static readonly string[] s_targetKeys = ["name", "type", "host", "port", "user", "key", "known_hosts", "instance_id", "region", "app_port"];
    private static readonly string[] s_sshOnlyKeys = ["host", "port", "user", "key", "known_hosts"];
    private static readonly string[] s_ec2OnlyKeys = ["instance_id", "region"];

    private static readonly string[] s_strategyKeys =
    [
        "type", "batch_size", "max_unavailable", "pause", "steps", "step_pause", "max_error_rate", "max_p99_ms",
        "canary_targets", "keep_previous_for", "drain_timeout",
    ];

    private static readonly Dictionary<string, DeploymentStrategy> s_strategyOnlyKeys = new(StringComparer.Ordinal)
    {
        ["batch_size"] = DeploymentStrategy.Rolling,
        ["max_unavailable"] = DeploymentStrategy.Rolling,
        ["pause"] = DeploymentStrategy.Rolling,
        ["steps"] = DeploymentStrategy.Canary,
        ["step_pause"] = DeploymentStrategy.Canary,
        ["max_error_rate"] = DeploymentStrategy.Canary,
        ["max_p99_ms"] = DeploymentStrategy.Canary,
        ["canary_targets"] = DeploymentStrategy.Canary,
        ["keep_previous_for"] = DeploymentStrategy.BlueGreen,
    };

    private static readonly string[] s_healthKeys =
    [
        "type", "path", "port", "expected_status", "body_contains", "headers", "command", "initial_delay", "interval",
        "timeout", "attempts", "backoff", "monitor_for",
    ];

    private static readonly Dictionary<string, HealthCheckType> s_healthOnlyKeys = new(StringComparer.Ordinal)
    {
        ["path"] = HealthCheckType.Http,
        ["expected_status"] = HealthCheckType.Http,
        ["body_contains"] = HealthCheckType.Http,
        ["headers"] = HealthCheckType.Http,
        ["command"] = HealthCheckType.Command,
    };

    private static readonly string[] s_securityKeys = ["policy", "ignore_unfixed", "fail_on", "exceptions", "max_database_age", "trivy"];
    private static readonly string[] s_hooksKeys = ["pre_deploy", "post_deploy"];
    private static readonly string[] s_resourcesKeys = ["cpus", "memory"];
    private static readonly string[] s_llmKeys = ["provider", "model", "base_url", "api_key_env"];

    private const string EnvNameRule = "letters, digits and '_', not starting with a digit (e.g. DATABASE_URL)";
    private const string PortRange = "a port from 1 to 65535";

    public AppConfig? Read(YamlMappingNode root, string? baseDirectory)
    {
        var map = new ConfigMapping(reader, root, "", s_rootKeys);

        var name = ReadName(map);
        var (repository, source) = ReadSource(map);
        var branch = Optional(map, "branch", (n, p) => ValidBranch(n, p)) ?? "main";
        var environment = Optional(map, "environment", (n, p) => reader.Enum<DeploymentEnvironment>(n, p)) ?? DeploymentEnvironment.Production;
        var registry = Optional(map, "registry", ReadRegistry);
        var build = ReadBuild(map.Value("build"), registry is not null) ?? new BuildConfig { Push = registry is not null };
        var targets = ReadTargets(map);
        var strategy = Optional(map, "strategy", ReadStrategy) ?? new StrategyConfig();
        var health = Optional(map, "health_check", ReadHealthCheck) ?? new HealthCheckConfig();
        var security = Optional(map, "security", ReadSecurity) ?? new SecurityConfig();
        var env = Optional(map, "env", (n, p) => reader.TextMap(n, p, ConfigNodeReader.IsEnvironmentName, EnvNameRule))
            ?? new Dictionary<string, string>();
        var secrets = Optional(map, "secrets", (n, p) => reader.SecretMap(n, p, EnvNameRule)) ?? new Dictionary<string, SecretReference>();
        var hooks = Optional(map, "hooks", ReadHooks) ?? new HooksConfig();
        var resources = Optional(map, "resources", ReadResources) ?? new ResourcesConfig();
        var llm = Optional(map, "llm", ReadLlm) ?? new LlmConfig();

        if (strategy.CanaryTargets > 1 && targets is not null && strategy.CanaryTargets >= targets.Count
            && map.Value("strategy") is YamlMappingNode strategyNode && strategyNode.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "canary_targets" }).Value is { } canaryNode)
        {
            reader.Report(canaryNode, "strategy.canary_targets", $"canary_targets {strategy.CanaryTargets} leaves none of the {targets.Count} target(s) on the stable version",
                $"set it below {targets.Count}, or list more targets");
        }

        if (map.Value("secrets") is YamlMappingNode secretsNode)
        {
            foreach (var (keyNode, _) in secretsNode.Children)
            {
                if (keyNode is YamlScalarNode { Value: { } key } && env.ContainsKey(key))
                {
                    reader.Report(keyNode, $"secrets.{key}", $"'{key}' is both a plain variable (env) and a secret",
                        $"keep '{key}' only under secrets if it is sensitive, otherwise only under env");
                }
            }
        }

        if (reader.Problems.Count > 0 || name is null || targets is null)
        {
            return null;
        }

        return new AppConfig
        {
            Name = name,
            Repository = repository,
            Source = source,
            Branch = branch,
            Environment = environment,
            Build = build,
            Registry = registry,
            Targets = targets,
            Strategy = strategy,
            HealthCheck = health,
            Security = security,
            Env = env,
            Secrets = secrets,
            Hooks = hooks,
            Resources = resources,
            Llm = llm,
            BaseDirectory = baseDirectory,
        };
    }

    private T? Optional<T>(ConfigMapping map, string key, Func<YamlNode, string, T?> read) where T : class =>
        map.Value(key) is { } node ? read(node, map.KeyPath(key)) : null;

    private T? Optional<T>(ConfigMapping map, string key, Func<YamlNode, string, T?> read) where T : struct =>
        map.Value(key) is { } node ? read(node, map.KeyPath(key)) : null;

    private void Missing(ConfigMapping map, string key, string fix) =>
        reader.Report(map.KeyNode(key) ?? (YamlNode)map.Node, map.KeyPath(key), $"'{key}' is required", fix);

    /// <summary>Reports a key that the chosen type ignores, so a typo in the type or a stale key does not pass silently.</summary>
    private void NotApplicable(ConfigMapping map, string key, string appliesTo, string current, string fix) =>
        reader.Report(map.KeyNode(key)!, map.KeyPath(key), $"'{key}' applies only to {appliesTo}, and this is {current}", fix);

    private string? ReadName(ConfigMapping map)
    {
        if (map.Value("name") is not { } node)
        {
            Missing(map, "name", "add 'name: my-app' at the top of the file: " + AppName.Form);
            return null;
        }

        var name = reader.Text(node, "name")?.Trim();
        if (name is null || AppName.IsValid(name))
        {
            return name;
        }

        reader.Report(node, "name", $"'{ConfigNodeReader.Shorten(name)}' is not a valid app name",
            $"use {AppName.Form}; for example '{AppName.Suggest(name)}'");
        return null;
    }

    private (string? Repository, SourceConfig? Source) ReadSource(ConfigMapping map)
    {
        var repositoryNode = map.Value("repository");
        var sourceNode = map.Value("source");
        if (repositoryNode is null && sourceNode is null)
        {
            reader.Report(map.Node, "repository", "no source is given",
                "add 'repository: owner/repo', or 'source:' with 'url: <git URL>' or 'path: <local directory>'");
            return (null, null);
        }

        if (repositoryNode is not null && sourceNode is not null)
        {
            reader.Report(sourceNode, "source", "both 'repository' and 'source' are given; exactly one source must be",
                "keep 'repository' for a GitHub owner/repo, or 'source' for a git URL or local path, not both");
        }

        string? repository = null;
        if (repositoryNode is not null && reader.Text(repositoryNode, "repository") is { } text)
        {
            if (text.Contains("://", StringComparison.Ordinal) || text.Contains('@', StringComparison.Ordinal))
            {
                reader.Report(repositoryNode, "repository", $"'{ConfigNodeReader.Shorten(text)}' is a URL, not owner/repo",
                    $"write 'repository: owner/repo', or use 'source: {{ url: {ConfigNodeReader.Shorten(text)} }}'");
            }
            else
            {
                repository = Validated(repositoryNode, "repository", text, "owner/repo name", v => RepositoryName.Validate(v),
                    $"use {RepositoryName.Form}, e.g. acme/storefront");
            }
        }

        SourceConfig? source = null;
        if (sourceNode is not null && reader.Mapping(sourceNode, "source", s_sourceKeys) is { } sourceMap)
        {
            var urlNode = sourceMap.Value("url");
            var pathNode = sourceMap.Value("path");
            if ((urlNode is null) == (pathNode is null))
            {
                reader.Report(sourceNode, "source", urlNode is null ? "names neither url nor path" : "names both url and path",
                    "keep exactly one: 'url: https://host/owner/repo.git' for a git repository, or 'path: ./app' for a local directory");
            }

            var url = urlNode is null ? null : reader.Text(urlNode, "source.url")?.Trim();
            if (url is not null && !IsGitUrl(url))
            {
                reader.Report(urlNode!, "source.url", $"'{ConfigNodeReader.Shorten(url)}' is not a git URL",
                    "use https://host/owner/repo.git, ssh://git@host/owner/repo.git, git@host:owner/repo.git or file:///path/to/repo; for a directory use 'path:'");
                url = null;
            }

            var path = pathNode is null ? null : reader.Text(pathNode, "source.path")?.Trim();
            if (path is { Length: 0 })
            {
                reader.Report(pathNode!, "source.path", "is empty", "write the directory of the application, e.g. ./app");
            }

            source = new SourceConfig { Url = url, Path = path };
        }

        return (repository, source);
    }

    private static bool IsGitUrl(string url)
    {
        if (ScpLikeGitUrl().IsMatch(url))
        {
            return true;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && uri.Scheme is "https" or "http" or "ssh" or "git" or "file"
            && (uri.Scheme == "file" || uri.Host.Length > 0)
            && uri.AbsolutePath.Trim('/').Length > 0;
    }

    private string? ValidBranch(YamlNode node, string path) =>
        reader.Text(node, path) is { } text
            ? Validated(node, path, text, "git branch name", v => BranchName.Validate(v, path),
                "use letters, digits and . _ - / (no '..', no leading '-'), e.g. main or release/1.2")
            : null;

    /// <summary>Runs a domain validator and turns its exception into a problem with the domain's own words.</summary>
    private string? Validated(YamlNode node, string path, string text, string what, Func<string, string> validate, string fix)
    {
        try
        {
            return validate(text);
        }
        catch (InvalidInputException)
        {
            reader.Report(node, path, $"'{ConfigNodeReader.Shorten(text)}' is not a valid {what}", fix);
            return null;
        }
    }

    private BuildConfig? ReadBuild(YamlNode? node, bool hasRegistry)
    {
        if (node is null || reader.Mapping(node, "build", s_buildKeys) is not { } map)
        {
            return null;
        }

        var defaults = new BuildConfig();
        var push = Optional(map, "push", reader.Bool);
        if (push == true && !hasRegistry)
        {
            reader.Report(map.Value("push")!, "build.push", "is true, but no registry is configured to push to",
                "add a 'registry:' section, or set 'push: false' (the image is then copied to the targets directly)");
        }

        return new BuildConfig
        {
            Directory = Optional(map, "directory", (n, p) => RelativePath(n, p, "the application's folder, e.g. services/api")) ?? defaults.Directory,
            Dockerfile = Optional(map, "dockerfile", (n, p) => RelativePath(n, p, "the Dockerfile's path inside the build directory, e.g. Dockerfile")),
            Optimize = Optional(map, "optimize", reader.Bool) ?? defaults.Optimize,
            Timeout = Optional(map, "timeout", (n, p) => reader.Duration(n, p, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24))) ?? defaults.Timeout,
            Args = Optional(map, "args", (n, p) => reader.TextMap(n, p, ConfigNodeReader.IsEnvironmentName, EnvNameRule)) ?? defaults.Args,
            Secrets = Optional(map, "secrets", (n, p) => reader.SecretMap(n, p, EnvNameRule)) ?? defaults.Secrets,
            BaseImages = Optional(map, "base_images", (n, p) => reader.TextMap(n, p,
                key => LanguageKey().IsMatch(key), "a lowercase language name such as node, python or go",
                (_, value) => ImageReference().IsMatch(value), "an image reference such as node:20-alpine or registry:5000/base/python:3.12"))
                ?? defaults.BaseImages,
            Push = push ?? hasRegistry,
        };
    }

    /// <summary>A path inside the repository: relative, and never climbing out of it with '..'.</summary>
    private string? RelativePath(YamlNode node, string path, string example)
    {
        if (reader.Text(node, path)?.Trim() is not { } text)
        {
            return null;
        }

        var segments = text.Split('/', '\\');
        if (text.Length == 0 || text.StartsWith('/') || text.StartsWith('\\') || text.StartsWith('~') || Path.IsPathRooted(text)
            || segments.Contains(".."))
        {
            reader.Report(node, path, $"'{ConfigNodeReader.Shorten(text)}' must be a path inside the repository",
                $"write a relative path without '..', e.g. {example}");
            return null;
        }

        return text;
    }

    private RegistryConfig? ReadRegistry(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, s_registryKeys) is not { } map)
        {
            return null;
        }

        string? url = null;
        if (map.Value("url") is not { } urlNode)
        {
            Missing(map, "url", "add 'url: host[:port][/namespace]', e.g. url: 127.0.0.1:5000");
        }
        else if (reader.Text(urlNode, "registry.url")?.Trim() is { } text)
        {
            if (text.Contains("://", StringComparison.Ordinal))
            {
                reader.Report(urlNode, "registry.url", $"'{ConfigNodeReader.Shorten(text)}' includes a scheme",
                    $"write only host[:port][/namespace], e.g. {text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/')}; use 'insecure: true' for plain HTTP");
            }
            else if (!RegistryAddress().IsMatch(text))
            {
                reader.Report(urlNode, "registry.url", $"'{ConfigNodeReader.Shorten(text)}' is not a registry address",
                    "write host[:port][/namespace], e.g. 127.0.0.1:5000 or registry.example.com/team");
            }
            else
            {
                url = text;
            }
        }

        var username = Optional(map, "username", reader.Text)?.Trim();
        var password = Optional(map, "password", reader.Secret);
        if (map.Value("password") is not null && username is null)
        {
            reader.Report(map.Value("password")!, "registry.password", "a password is given without a username",
                "add 'username:' next to the password");
        }

        if (username is not null && map.Value("password") is null)
        {
            reader.Report(map.Value("username")!, "registry.username", "a username is given without a password",
                "add 'password: { env: REGISTRY_PASSWORD }' (or { file: PATH })");
        }

        return url is null ? null : new RegistryConfig
        {
            Url = url,
            Username = username,
            Password = password,
            Insecure = Optional(map, "insecure", reader.Bool) ?? false,
        };
    }

    private List<TargetConfig>? ReadTargets(ConfigMapping map)
    {
        const string Example = "add a list under 'targets:', e.g.\n  - name: local\n    type: local";
        if (map.Value("targets") is not { } node)
        {
            Missing(map, "targets", "add at least one target: 'targets: [{ name: local, type: local }]'");
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            reader.Report(node, "targets", $"expected a list of targets, got {ConfigNodeReader.Describe(node)}", Example);
            return null;
        }

        if (sequence.Children.Count == 0)
        {
            reader.Report(node, "targets", "the list is empty; at least one target is needed", Example);
            return null;
        }

        var targets = new List<TargetConfig>();
        var seen = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"targets[{i}]";
            if (reader.Mapping(sequence.Children[i], path, s_targetKeys) is not { } targetMap
                || ReadTarget(targetMap, path) is not { } target)
            {
                continue;
            }

            var at = targetMap.Value("name") ?? targetMap.Value("instance_id") ?? targetMap.Node;
            if (seen.TryGetValue(target.Name, out var firstLine))
            {
                reader.Report(at, $"{path}.name", $"target name '{target.Name}' is already used on line {firstLine}",
                    "give every target a different name");
                continue;
            }

            seen[target.Name] = at.Start.Line;
            targets.Add(target);
        }

        return targets;
    }

    private TargetConfig? ReadTarget(ConfigMapping map, string path)
    {
        var type = Optional(map, "type", reader.Enum<TargetType>);
        var typeValid = map.Value("type") is null || type is not null;
        type ??= TargetType.Local;

        if (typeValid)
        {
            var wire = type.Value.ToWire();
            foreach (var key in map.PresentKeys)
            {
                if (type != TargetType.Ssh && s_sshOnlyKeys.Contains(key))
                {
                    NotApplicable(map, key, "ssh targets", $"a {wire} target", "remove it, or set 'type: ssh'");
                }
                else if (type != TargetType.Ec2 && s_ec2OnlyKeys.Contains(key))
                {
                    NotApplicable(map, key, "ec2 targets", $"a {wire} target", "remove it, or set 'type: ec2'");
                }
            }
        }

        string? host = null, user = null, instanceId = null, region = null;
        SecretReference? sshKey = null;
        var isSsh = typeValid && type == TargetType.Ssh;
        if (isSsh)
        {
            host = Required(map, "host", "add 'host:' with the server's name or address, e.g. host: 127.0.0.1", ValidHost);
            user = Required(map, "user", "add 'user:' with the login name, e.g. user: deploy", ValidUser);
            sshKey = Required(map, "key", "add 'key: { file: ~/.ssh/id_ed25519 }' (or { env: NAME }) with the private key", reader.Secret);
        }

        if (typeValid && type == TargetType.Ec2)
        {
            instanceId = Required(map, "instance_id", $"add 'instance_id:' with the EC2 instance: {InstanceId.Ec2Form}", ValidEc2Id);
            region = Required(map, "region", "add 'region:' with the instance's AWS region, e.g. region: us-east-1", ValidRegion);
        }

        string? name = null;
        if (map.Value("name") is { } nameNode)
        {
            if (reader.Text(nameNode, map.KeyPath("name"))?.Trim() is { } text)
            {
                name = Validated(nameNode, map.KeyPath("name"), text, "target name", v => ValidTargetName(v, map.KeyPath("name")),
                    $"use {InstanceId.NameForm}; names starting with 'i-' are kept for EC2 instance ids");
            }
        }
        else if (typeValid && type == TargetType.Ec2)
        {
            name = instanceId;
        }
        else
        {
            Missing(map, "name", "add 'name:' with a unique target name, e.g. name: web-1");
        }

        var defaults = new TargetConfig { Name = "" };
        var target = new TargetConfig
        {
            Name = name ?? "",
            Type = type.Value,
            Host = host,
            Port = (isSsh ? Optional(map, "port", (n, p) => reader.Int(n, p, 1, 65535)) : null) ?? defaults.Port,
            User = user,
            Key = sshKey,
            KnownHosts = (isSsh ? Optional(map, "known_hosts", reader.Text)?.Trim() : null) ?? defaults.KnownHosts,
            InstanceId = instanceId,
            Region = region,
            AppPort = Optional(map, "app_port", (n, p) => reader.Int(n, p, 1, 65535)) ?? defaults.AppPort,
        };
        return name is null ? null : target;
    }

    private static string ValidTargetName(string text, string path)
    {
        var name = InstanceId.Validate(text, path);
        return InstanceId.IsEc2(name) ? throw new InvalidInputException(path, "reserved for EC2 ids") : name;
    }

    private T? Required<T>(ConfigMapping map, string key, string fix, Func<YamlNode, string, T?> read) where T : class
    {
        if (map.Value(key) is { } node)
        {
            return read(node, map.KeyPath(key));
        }

        Missing(map, key, fix);
        return null;
    }

    private string? ValidHost(YamlNode node, string path)
    {
        if (reader.Text(node, path)?.Trim() is not { } host)
        {
            return null;
        }

        if (HostName().IsMatch(host) || (host.Contains(':', StringComparison.Ordinal) && Ipv6().IsMatch(host)))
        {
            return host;
        }

        var fix = host.Contains('@', StringComparison.Ordinal) ? "write only the host; the login name goes in 'user:'"
            : host.Contains("://", StringComparison.Ordinal) ? "write only the host name or address, without a scheme"
            : host.Contains(':', StringComparison.Ordinal) ? "write only the host; the SSH port goes in 'port:'"
            : "write a host name or IP address, e.g. 127.0.0.1 or web-1.example.com";
        reader.Report(node, path, $"'{ConfigNodeReader.Shorten(host)}' is not a host name or address", fix);
        return null;
    }

    private string? ValidUser(YamlNode node, string path)
    {
        if (reader.Text(node, path)?.Trim() is not { } user)
        {
            return null;
        }

        if (UserName().IsMatch(user))
        {
            return user;
        }

        reader.Report(node, path, $"'{ConfigNodeReader.Shorten(user)}' is not a login name",
            "write the user name only, e.g. deploy (letters, digits, '.', '_' or '-')");
        return null;
    }

    private string? ValidEc2Id(YamlNode node, string path) =>
        reader.Text(node, path)?.Trim() is { } text
            ? Validated(node, path, text, "EC2 instance id", v => InstanceId.IsEc2(v) ? InstanceId.Validate(v, path) : throw new InvalidInputException(path, "not ec2"),
                $"use {InstanceId.Ec2Form}")
            : null;

    private string? ValidRegion(YamlNode node, string path) =>
        reader.Text(node, path)?.Trim() is { } text
            ? Validated(node, path, text, "EC2 region", v => v == RegionCode.Local ? throw new InvalidInputException(path, "local") : RegionCode.Validate(v, path),
                "use the instance's AWS region code, e.g. us-east-1, eu-west-2 or ap-south-1")
            : null;

    private StrategyConfig? ReadStrategy(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, s_strategyKeys) is not { } map)
        {
            return null;
        }

        var defaults = new StrategyConfig();
        var type = Optional(map, "type", reader.Enum<DeploymentStrategy>);
        if (map.Value("type") is null || type is not null)
        {
            var current = type ?? DeploymentStrategy.Rolling;
            foreach (var key in map.PresentKeys)
            {
                if (s_strategyOnlyKeys.TryGetValue(key, out var only) && only != current)
                {
                    NotApplicable(map, key, $"the {only.ToWire()} strategy", $"{current.ToWire()}",
                        $"remove it, or set 'type: {only.ToWire()}'");
                }
            }
        }

        var batchSize = Optional(map, "batch_size", (n, p) => reader.Int(n, p, 1, 10_000));
        var maxUnavailable = Optional(map, "max_unavailable", (n, p) => reader.Int(n, p, 1, 10_000));
        if (map.Value("batch_size") is not null && map.Value("max_unavailable") is { } both)
        {
            reader.Report(both, "strategy.max_unavailable", "both batch_size and max_unavailable are set; they size the same batches",
                "keep only one of them");
        }

        var steps = defaults.Steps;
        if (map.Value("steps") is { } stepsNode)
        {
            steps = ReadSteps(stepsNode) ?? steps;
        }

        return new StrategyConfig
        {
            Type = type ?? defaults.Type,
            BatchSize = batchSize ?? (maxUnavailable is null ? defaults.BatchSize : null),
            MaxUnavailable = maxUnavailable,
            Pause = Optional(map, "pause", (n, p) => reader.Duration(n, p, TimeSpan.Zero, TimeSpan.FromHours(24))) ?? defaults.Pause,
            Steps = steps,
            StepPause = Optional(map, "step_pause", (n, p) => reader.Duration(n, p, TimeSpan.Zero, TimeSpan.FromHours(24))) ?? defaults.StepPause,
            MaxErrorRate = Optional(map, "max_error_rate", (n, p) => reader.Number(n, p, 0, 100)) ?? defaults.MaxErrorRate,
            MaxP99Ms = Optional(map, "max_p99_ms", (n, p) => reader.Int(n, p, 1, 600_000)) ?? defaults.MaxP99Ms,
            CanaryTargets = Optional(map, "canary_targets", (n, p) => reader.Int(n, p, 1, 10_000)) ?? defaults.CanaryTargets,
            KeepPreviousFor = Optional(map, "keep_previous_for", (n, p) => reader.Duration(n, p, TimeSpan.Zero, TimeSpan.FromDays(30))) ?? defaults.KeepPreviousFor,
            DrainTimeout = Optional(map, "drain_timeout", (n, p) => reader.Duration(n, p, TimeSpan.Zero, TimeSpan.FromHours(1))) ?? defaults.DrainTimeout,
        };
    }

    private List<int>? ReadSteps(YamlNode node)
    {
        const string Fix = "list traffic percentages from 1 to 100, each larger than the one before, ending at 100, e.g. [10, 25, 50, 100]";
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            reader.Report(node, "strategy.steps", $"expected a non-empty list of percentages, got {ConfigNodeReader.Describe(node)}", Fix);
            return null;
        }

        var steps = new List<int>();
        var ok = true;
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            if (reader.Int(item, $"strategy.steps[{i}]", 1, 100) is not { } step)
            {
                ok = false;
                continue;
            }

            if (steps.Count > 0 && step <= steps[^1])
            {
                reader.Report(item, $"strategy.steps[{i}]", $"{step} is not larger than the step before it ({steps[^1]})", Fix);
                ok = false;
            }

            steps.Add(step);
        }

        if (ok && steps[^1] != 100)
        {
            reader.Report(sequence.Children[^1], $"strategy.steps[{steps.Count - 1}]",
                $"the last step is {steps[^1]}%, so the new version would never take all traffic", "end the list with 100");
            ok = false;
        }

        return ok ? steps : null;
    }

    private HealthCheckConfig? ReadHealthCheck(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, s_healthKeys) is not { } map)
        {
            return null;
        }

        var defaults = new HealthCheckConfig();
        var type = Optional(map, "type", reader.Enum<HealthCheckType>);
        var typeValid = map.Value("type") is null || type is not null;
        type ??= defaults.Type;
        if (typeValid)
        {
            foreach (var key in map.PresentKeys)
            {
                if (s_healthOnlyKeys.TryGetValue(key, out var only) && only != type)
                {
                    NotApplicable(map, key, $"{only.ToWire()} health checks", $"a {type.Value.ToWire()} check",
                        $"remove it, or set 'type: {only.ToWire()}'");
                }
            }
        }

        IReadOnlyList<string>? command = null;
        if (map.Value("command") is { } commandNode)
        {
            command = reader.TextList(commandNode, "health_check.command", "[\"curl\", \"-f\", \"http://127.0.0.1:3000/health\"]");
        }
        else if (typeValid && type == HealthCheckType.Command)
        {
            Missing(map, "command", "add the command in list form, e.g. command: [\"pg_isready\", \"-h\", \"127.0.0.1\"]");
        }

        var pathText = Optional(map, "path", reader.Text)?.Trim();
        if (pathText is not null && !pathText.StartsWith('/'))
        {
            reader.Report(map.Value("path")!, "health_check.path", $"'{ConfigNodeReader.Shorten(pathText)}' does not start with '/'",
                $"write the path part of the URL only, e.g. /{pathText.TrimStart('/')}");
            pathText = null;
        }

        return new HealthCheckConfig
        {
            Type = type.Value,
            Path = pathText ?? defaults.Path,
            Port = Optional(map, "port", (n, p) => reader.Int(n, p, 1, 65535)),
            ExpectedStatus = Optional(map, "expected_status", ReadStatusRange) ?? defaults.ExpectedStatus,
            BodyContains = Optional(map, "body_contains", reader.Text),
            Headers = Optional(map, "headers", (n, p) => reader.TextMap(n, p, h => HeaderName().IsMatch(h),
                "an HTTP header name such as Host or X-Health-Token")) ?? defaults.Headers,
            Command = command,
            InitialDelay = Optional(map, "initial_delay", (n, p) => reader.Duration(n, p, TimeSpan.Zero, TimeSpan.FromHours(1))) ?? defaults.InitialDelay,
            Interval = Optional(map, "interval", (n, p) => reader.Duration(n, p, TimeSpan.Zero, TimeSpan.FromHours(1))) ?? defaults.Interval,
            Timeout = Optional(map, "timeout", (n, p) => reader.Duration(n, p, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10))) ?? defaults.Timeout,
            Attempts = Optional(map, "attempts", (n, p) => reader.Int(n, p, 1, 1000)) ?? defaults.Attempts,
            Backoff = Optional(map, "backoff", (n, p) => reader.Number(n, p, 1.0, 10.0)) ?? defaults.Backoff,
            MonitorFor = Optional(map, "monitor_for", (n, p) => reader.Duration(n, p, TimeSpan.Zero, TimeSpan.FromHours(24))) ?? defaults.MonitorFor,
        };
    }

    private StatusCodeRange? ReadStatusRange(YamlNode node, string path)
    {
        const string Fix = "write one status code (200) or a range (200-399), with codes from 100 to 599";
        var text = node is YamlScalarNode { Value: { } value } ? value.Trim() : null;
        var match = text is null ? null : StatusRange().Match(text);
        if (match is { Success: true })
        {
            var min = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var max = match.Groups[2].Success ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : min;
            if (min is >= 100 and <= 599 && max is >= 100 and <= 599 && min <= max)
            {
                return new StatusCodeRange(min, max);
            }
        }

        reader.Report(node, path, $"expected a status code or range, got {ConfigNodeReader.Describe(node)}", Fix);
        return null;
    }

    private SecurityConfig? ReadSecurity(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, s_securityKeys) is not { } map)
        {
            return null;
        }

        var defaults = new SecurityConfig();
        var failOn = new Dictionary<ScanType, RejectThreshold>();
        if (map.Value("fail_on") is { } failOnNode
            && reader.Mapping(failOnNode, "security.fail_on", WireValues.AllOf<ScanType>()) is { } failOnMap)
        {
            foreach (var scan in WireValues.AllOf<ScanType>())
            {
                if (Optional(failOnMap, scan, reader.Enum<RejectThreshold>) is { } threshold)
                {
                    failOn[WireValues.Parse<ScanType>(scan, "scan_type")] = threshold;
                }
            }
        }

        return new SecurityConfig
        {
            Policy = Optional(map, "policy", reader.Enum<SecurityPolicyPreset>) ?? defaults.Policy,
            IgnoreUnfixed = Optional(map, "ignore_unfixed", reader.Bool) ?? defaults.IgnoreUnfixed,
            FailOn = failOn,
            Exceptions = Optional(map, "exceptions", ReadExceptions) ?? defaults.Exceptions,
            MaxDatabaseAge = Optional(map, "max_database_age", (n, p) => reader.Duration(n, p, TimeSpan.FromMinutes(1), TimeSpan.FromDays(366))) ?? defaults.MaxDatabaseAge,
            Trivy = Optional(map, "trivy", reader.Bool) ?? defaults.Trivy,
        };
    }

    private List<string>? ReadExceptions(YamlNode node, string path)
    {
        if (reader.TextList(node, path, "[\"GHSA-xxxx-xxxx-xxxx\", \"CVE-2024-12345\"]") is not { } ids)
        {
            return null;
        }

        var sequence = (YamlSequenceNode)node;
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i].Any(char.IsWhiteSpace))
            {
                reader.Report(sequence.Children[i], $"{path}[{i}]", $"'{ConfigNodeReader.Shorten(ids[i])}' is not an advisory or rule id",
                    "write one id per item, without spaces, e.g. GHSA-xxxx-xxxx-xxxx, CVE-2024-12345 or a scanner rule id");
                return null;
            }
        }

        return ids.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private ResourcesConfig? ReadResources(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, s_resourcesKeys) is not { } map)
        {
            return null;
        }

        return new ResourcesConfig
        {
            Cpus = Optional(map, "cpus", (n, p) => reader.Number(n, p, 0.01, 1024)),
            MemoryBytes = Optional(map, "memory", ReadMemory),
        };
    }

    /// <summary>A memory size as docker writes it: bytes, or a number with b, k, m or g (binary units), at least docker's 6 MiB.</summary>
    private long? ReadMemory(YamlNode node, string path)
    {
        const string Fix = "write a size such as 256m, 1.5g or 536870912 (bytes); docker needs at least 6m";
        if (node is not YamlScalarNode { Value: { Length: > 0 } text } || ConfigNodeReader.IsNull(node))
        {
            reader.Report(node, path, $"expected a memory size, got {ConfigNodeReader.Describe(node)}", Fix);
            return null;
        }

        var match = MemorySize().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups[1].Value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var amount))
        {
            reader.Report(node, path, $"'{ConfigNodeReader.Shorten(text)}' is not a memory size", Fix);
            return null;
        }

        var unit = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "k" or "kb" or "kib" => 1024L,
            "m" or "mb" or "mib" => 1024L * 1024,
            "g" or "gb" or "gib" => 1024L * 1024 * 1024,
            _ => 1L,
        };
        var bytes = amount * unit;
        if (bytes < 6 * 1024 * 1024 || bytes > 1L << 50)
        {
            reader.Report(node, path, $"{ConfigNodeReader.Shorten(text)} is outside what docker accepts", Fix);
            return null;
        }

        return (long)bytes;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex MemorySize();

    private HooksConfig? ReadHooks(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, s_hooksKeys) is not { } map)
        {
            return null;
        }

        return new HooksConfig
        {
            PreDeploy = Optional(map, "pre_deploy", ReadCommands) ?? [],
            PostDeploy = Optional(map, "post_deploy", ReadCommands) ?? [],
        };
    }

    /// <summary>
    /// Hook commands in list form: a flat list is one command (<c>["./migrate.sh", "--fast"]</c>);
    /// a list of lists is several, run in order. A shell string is refused: commands are never run through a shell.
    /// </summary>
    private List<IReadOnlyList<string>>? ReadCommands(YamlNode node, string path)
    {
        const string Example = "[\"./scripts/migrate.sh\", \"--fast\"] for one command, or [[\"./a.sh\"], [\"./b.sh\", \"x\"]] for several";
        if (node is not YamlSequenceNode sequence)
        {
            reader.Report(node, path, $"expected a command in list form, got {ConfigNodeReader.Describe(node)}",
                $"write the program and its arguments as a list, e.g. {Example}");
            return null;
        }

        if (sequence.Children.Count == 0)
        {
            return [];
        }

        if (sequence.Children.All(c => c is YamlSequenceNode))
        {
            var commands = new List<IReadOnlyList<string>>();
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                var item = reader.TextList(sequence.Children[i], $"{path}[{i}]", Example);
                if (item is { Count: 0 })
                {
                    reader.Report(sequence.Children[i], $"{path}[{i}]", "the command is empty", $"write the program and its arguments, e.g. {Example}");
                }
                else if (item is not null)
                {
                    commands.Add(item);
                }
            }

            return commands;
        }

        if (sequence.Children.Any(c => c is YamlSequenceNode))
        {
            reader.Report(node, path, "mixes commands (lists) and arguments (text)", $"use either one command or a list of commands: {Example}");
            return null;
        }

        return reader.TextList(node, path, Example) is { } single ? [single] : null;
    }

    private LlmConfig? ReadLlm(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, s_llmKeys) is not { } map)
        {
            return null;
        }

        var provider = Optional(map, "provider", reader.Enum<LlmProvider>) ?? LlmProvider.Groq;
        var defaults = LlmConfig.DefaultsFor(provider);
        var model = Optional(map, "model", reader.Text)?.Trim();
        var baseUrl = Optional(map, "base_url", reader.Text)?.Trim();
        if (baseUrl is not null && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            reader.Report(map.Value("base_url")!, "llm.base_url", $"'{ConfigNodeReader.Shorten(baseUrl)}' is not an http(s) URL",
                "write the OpenAI-compatible endpoint, e.g. https://api.groq.com/openai/v1 or http://127.0.0.1:11434/v1");
            baseUrl = null;
        }

        string? apiKeyEnv = null;
        if (map.Value("api_key_env") is { } keyNode)
        {
            var text = keyNode is YamlScalarNode { Value: { } v } ? v.Trim() : null;
            if (!ConfigNodeReader.IsEnvironmentName(text) || LooksLikeApiKey(text!))
            {
                // Never echoed: people paste the key itself here.
                reader.Report(keyNode, "llm.api_key_env", "must be the NAME of the environment variable that holds the API key, not the key",
                    "write e.g. 'api_key_env: GROQ_API_KEY' and export the key in that variable; if a real key was in this file, rotate it");
            }
            else
            {
                apiKeyEnv = text;
            }
        }

        if (provider == LlmProvider.Custom)
        {
            if (map.Value("base_url") is null)
            {
                Missing(map, "base_url", "a custom provider needs its OpenAI-compatible endpoint, e.g. base_url: http://127.0.0.1:8000/v1");
            }

            if (map.Value("model") is null)
            {
                Missing(map, "model", "a custom provider needs the model name it serves, e.g. model: my-model");
            }
        }

        return new LlmConfig
        {
            Provider = provider,
            Model = model ?? defaults.Model,
            BaseUrl = baseUrl ?? defaults.BaseUrl,
            ApiKeyEnv = apiKeyEnv ?? defaults.ApiKeyEnv,
        };
    }

    private static bool LooksLikeApiKey(string text) =>
        text.StartsWith("gsk_", StringComparison.Ordinal) || text.StartsWith("sk_", StringComparison.Ordinal)
        || (text.Length >= 32 && text.Any(char.IsLower) && text.Any(char.IsDigit));

    [GeneratedRegex(@"^(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9.-]+:(?!//).+$", RegexOptions.CultureInvariant)]
    private static partial Regex ScpLikeGitUrl();

    [GeneratedRegex("^[a-z0-9][a-z0-9+._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageKey();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/:@-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ImageReference();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:/[a-z0-9._-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryAddress();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();

    [GeneratedRegex(@"^\[?[0-9A-Fa-f:.]+\]?$", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9._-]*\$?$", RegexOptions.CultureInvariant)]
    private static partial Regex UserName();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderName();

    [GeneratedRegex("^([0-9]{3})(?:-([0-9]{3}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusRange();
}
