using DeployMind.Domain;

namespace DeployMind.Pipeline.Configuration;

/// <summary>
/// One application's <c>deploymind.yml</c>: where its source is, how it is built, where and how it
/// is rolled out, how its health is judged, and which secrets it needs (as references, never values).
/// </summary>
public sealed partial record AppConfig
{
    /// <summary>The application name, used in image tags and container names (see <see cref="AppName"/>).</summary>
    public required string Name { get; init; }

    /// <summary>A GitHub-style <c>owner/repo</c>; null when <see cref="Source"/> is given instead.</summary>
    public string? Repository { get; init; }

    /// <summary>A git URL or local path; null when <see cref="Repository"/> is given instead.</summary>
    public SourceConfig? Source { get; init; }

    public string Branch { get; init; } = "main";

    public DeploymentEnvironment Environment { get; init; } = DeploymentEnvironment.Production;

    public BuildConfig Build { get; init; } = new();

    public RegistryConfig? Registry { get; init; }

    public required IReadOnlyList<TargetConfig> Targets { get; init; }

    public StrategyConfig Strategy { get; init; } = new();

    public HealthCheckConfig HealthCheck { get; init; } = new();

    public SecurityConfig Security { get; init; } = new();

    /// <summary>Plain environment variables of the app container.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Secret environment variables of the app container, by variable name.</summary>
    public IReadOnlyDictionary<string, SecretReference> Secrets { get; init; } = new Dictionary<string, SecretReference>();

    public HooksConfig Hooks { get; init; } = new();

    /// <summary>CPU and memory limits of each app container (none by default).</summary>
    public ResourcesConfig Resources { get; init; } = new();

    public LlmConfig Llm { get; init; } = new();

    /// <summary>
    /// The directory of the file the config was loaded from; relative secret files and a relative
    /// source path are resolved against it. Null when parsed from text (the current directory then).
    /// </summary>
    public string? BaseDirectory { get; init; }
}

/// <summary>Where the source comes from when it is not a GitHub <c>owner/repo</c>: exactly one of a git URL or a local path.</summary>
public sealed record SourceConfig
{
    public string? Url { get; init; }

    public string? Path { get; init; }
}

public sealed record BuildConfig
{
    /// <summary>The build directory inside the repository (monorepos); relative and never outside it.</summary>
    public string Directory { get; init; } = ".";

    /// <summary>The Dockerfile relative to <see cref="Directory"/>; null means one is generated.</summary>
    public string? Dockerfile { get; init; }

    public bool Optimize { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Plain build arguments.</summary>
    public IReadOnlyDictionary<string, string> Args { get; init; } = new Dictionary<string, string>();

    /// <summary>Build secrets (BuildKit <c>--secret id=NAME</c>), by id.</summary>
    public IReadOnlyDictionary<string, SecretReference> Secrets { get; init; } = new Dictionary<string, SecretReference>();

    /// <summary>Overrides of the base image per detected language (e.g. <c>node</c> → <c>node:20-alpine</c>).</summary>
    public IReadOnlyDictionary<string, string> BaseImages { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether the built image is pushed; the loader defaults it to true when a registry is configured.</summary>
    public bool Push { get; init; }
}

/// <summary>The container registry images are pushed to and pulled from.</summary>
public sealed record RegistryConfig
{
    /// <summary><c>host[:port][/namespace]</c>, without a scheme.</summary>
    public required string Url { get; init; }

    public string? Username { get; init; }

    public SecretReference? Password { get; init; }

    /// <summary>Plain HTTP or an untrusted certificate (a registry on loopback).</summary>
    public bool Insecure { get; init; }
}

public enum TargetType
{
    [WireValue("local")] Local,
    [WireValue("ssh")] Ssh,
    [WireValue("ec2")] Ec2,
}

/// <summary>One server the application is deployed to.</summary>
public sealed record TargetConfig
{
    public const int DefaultSshPort = 22;
    public const int DefaultAppPort = 8080;
    public const string DefaultKnownHosts = "~/.ssh/known_hosts";

    /// <summary>Unique among targets; follows <see cref="Domain.InstanceId"/> name rules. EC2 targets default to their instance id.</summary>
    public required string Name { get; init; }

    public TargetType Type { get; init; } = TargetType.Local;

    /// <summary>SSH: the host name or address.</summary>
    public string? Host { get; init; }

    /// <summary>SSH: the port sshd listens on.</summary>
    public int Port { get; init; } = DefaultSshPort;

    /// <summary>SSH: the login user.</summary>
    public string? User { get; init; }

    /// <summary>SSH: the private key.</summary>
    public SecretReference? Key { get; init; }

    /// <summary>SSH: the known_hosts file the host key is checked against.</summary>
    public string KnownHosts { get; init; } = DefaultKnownHosts;

    /// <summary>EC2: the instance id (<c>i-…</c>).</summary>
    public string? InstanceId { get; init; }

    /// <summary>EC2: the region code.</summary>
    public string? Region { get; init; }

    /// <summary>The host port the edge proxy listens on for this application.</summary>
    public int AppPort { get; init; } = DefaultAppPort;
}

public sealed record StrategyConfig
{
    public DeploymentStrategy Type { get; init; } = DeploymentStrategy.Rolling;

    /// <summary>Rolling: targets updated per batch. The loader sets 1 when neither this nor <see cref="MaxUnavailable"/> is given.</summary>
    public int? BatchSize { get; init; } = 1;

    /// <summary>Rolling: how many targets may be out of service at once (an alternative to <see cref="BatchSize"/>).</summary>
    public int? MaxUnavailable { get; init; }

    /// <summary>Rolling: the pause between batches.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.Zero;

    /// <summary>Canary: traffic percentages, strictly increasing, ending at 100.</summary>
    public IReadOnlyList<int> Steps { get; init; } = [10, 25, 50, 100];

    /// <summary>Canary: how long each step is observed before the next.</summary>
    public TimeSpan StepPause { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Canary analysis: the percentage of 5xx responses tolerated at a step.</summary>
    public double MaxErrorRate { get; init; } = 1.0;

    /// <summary>Canary analysis: the p99 latency tolerated at a step, in milliseconds.</summary>
    public int MaxP99Ms { get; init; } = 1000;

    /// <summary>
    /// Canary with several targets: how many of them (the first ones listed) run the canary steps; the others are switched one
    /// at a time once it has passed. At least one target always stays on the stable version until then.
    /// </summary>
    public int CanaryTargets { get; init; } = 1;

    /// <summary>Blue-green: how long the previous (blue) version is kept for an instant rollback.</summary>
    public TimeSpan KeepPreviousFor { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long in-flight requests get to finish before an old container is stopped.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>An inclusive range of HTTP status codes that count as healthy.</summary>
public readonly record struct StatusCodeRange(int Min, int Max)
{
    public static StatusCodeRange Default { get; } = new(200, 399);

    public bool Contains(int statusCode) => statusCode >= Min && statusCode <= Max;

    public override string ToString() => Min == Max ? $"{Min}" : $"{Min}-{Max}";
}

public sealed record HealthCheckConfig
{
    public HealthCheckType Type { get; init; } = HealthCheckType.Http;

    /// <summary>HTTP: the request path.</summary>
    public string Path { get; init; } = "/health";

    /// <summary>The container port the application listens on; null until detection fills it in.</summary>
    public int? Port { get; init; }

    /// <summary>HTTP: the status codes that count as healthy.</summary>
    public StatusCodeRange ExpectedStatus { get; init; } = StatusCodeRange.Default;

    /// <summary>HTTP: text the response body must contain.</summary>
    public string? BodyContains { get; init; }

    /// <summary>HTTP: request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Command: the program and its arguments, run inside the container.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The limit of one probe.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    public int Attempts { get; init; } = 5;

    /// <summary>The factor the interval grows by after each failed attempt (1.0 = constant).</summary>
    public double Backoff { get; init; } = 1.5;

    /// <summary>How long the new version keeps being watched after it is live (0 = not at all).</summary>
    public TimeSpan MonitorFor { get; init; } = TimeSpan.Zero;
}

public enum SecurityPolicyPreset
{
    [WireValue("strict")] Strict,
    [WireValue("balanced")] Balanced,
    [WireValue("permissive")] Permissive,
}

/// <summary>The lowest finding severity that rejects a deployment; <see cref="None"/> never rejects.</summary>
public enum RejectThreshold
{
    [WireValue("none")] None,
    [WireValue("low")] Low,
    [WireValue("medium")] Medium,
    [WireValue("high")] High,
    [WireValue("critical")] Critical,
}

public sealed record SecurityConfig
{
    public SecurityPolicyPreset Policy { get; init; } = SecurityPolicyPreset.Balanced;

    /// <summary>Whether vulnerabilities without a fixed version are left out of the decision.</summary>
    public bool IgnoreUnfixed { get; init; }

    /// <summary>Per-scan overrides of the preset's reject threshold; scan types not listed follow the preset.</summary>
    public IReadOnlyDictionary<ScanType, RejectThreshold> FailOn { get; init; } = new Dictionary<ScanType, RejectThreshold>();

    /// <summary>Advisory and rule ids accepted for this application.</summary>
    public IReadOnlyList<string> Exceptions { get; init; } = [];

    /// <summary>How old the offline vulnerability database may be before scans warn that it is stale.</summary>
    public TimeSpan MaxDatabaseAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Also run a `trivy` binary from PATH over the source (fs mode) and count its findings.</summary>
    public bool Trivy { get; init; }
}

/// <summary>Commands run on the target around a deployment; each command is a program and its arguments.</summary>
public sealed record HooksConfig
{
    public IReadOnlyList<IReadOnlyList<string>> PreDeploy { get; init; } = [];

    public IReadOnlyList<IReadOnlyList<string>> PostDeploy { get; init; } = [];
}

/// <summary>Limits of each app container: docker's <c>--cpus</c> and <c>--memory</c>; null leaves it unlimited.</summary>
public sealed record ResourcesConfig
{
    /// <summary>CPU cores the container may use (0.5 = half a core).</summary>
    public double? Cpus { get; init; }

    /// <summary>Memory in bytes; past it the kernel kills the app (exit 137) and the restart policy starts it again.</summary>
    public long? MemoryBytes { get; init; }
}

public enum LlmProvider
{
    [WireValue("groq")] Groq,
    [WireValue("openai")] OpenAi,
    [WireValue("ollama")] Ollama,
    [WireValue("custom")] Custom,
    [WireValue("none")] None,
}

/// <summary>The OpenAI-compatible model the agents consult; <see cref="LlmProvider.None"/> leaves the rule-based advisor alone.</summary>
public sealed record LlmConfig
{
    public LlmProvider Provider { get; init; } = LlmProvider.Groq;

    public string? Model { get; init; } = DefaultsFor(LlmProvider.Groq).Model;

    public string? BaseUrl { get; init; } = DefaultsFor(LlmProvider.Groq).BaseUrl;

    /// <summary>The name of the environment variable holding the API key, never the key itself.</summary>
    public string? ApiKeyEnv { get; init; } = DefaultsFor(LlmProvider.Groq).ApiKeyEnv;

    /// <summary>The model, endpoint and key variable a provider uses when the file does not say.</summary>
    public static (string? Model, string? BaseUrl, string? ApiKeyEnv) DefaultsFor(LlmProvider provider) => provider switch
    {
        LlmProvider.Groq => ("llama-3.1-70b-versatile", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
        LlmProvider.OpenAi => ("gpt-4o-mini", "https://api.openai.com/v1", "OPENAI_API_KEY"),
        LlmProvider.Ollama => ("llama3.1", "http://127.0.0.1:11434/v1", null),
        _ => (null, null, null),
    };
}
