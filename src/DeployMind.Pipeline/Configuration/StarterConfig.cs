using System.Globalization;
using System.Text;
using DeployMind.Domain;

namespace DeployMind.Pipeline.Configuration;

/// <summary>What <c>deploymind init</c> knows about a repository; the detected values are null until detection fills them in.</summary>
public sealed record StarterConfigInput
{
    public required string Name { get; init; }

    /// <summary>A GitHub <c>owner/repo</c>; exactly one of this, <see cref="SourceUrl"/> and <see cref="SourcePath"/>.</summary>
    public string? Repository { get; init; }

    public string? SourceUrl { get; init; }

    public string? SourcePath { get; init; }

    public string Branch { get; init; } = "main";

    /// <summary>The detected language (node, python, go, ...), if any.</summary>
    public string? Language { get; init; }

    /// <summary>The detected container port, if any.</summary>
    public int? Port { get; init; }

    /// <summary>The detected health endpoint, if any.</summary>
    public string? HealthPath { get; init; }
}

/// <summary>Writes the commented starter <c>deploymind.yml</c> that <c>deploymind init</c> puts in a repository.</summary>
public static class StarterConfig
{
    /// <summary>The file's text. It loads with no problems, and its commented-out examples load too once uncommented.</summary>
    public static string Write(StarterConfigInput input)
    {
        var name = AppName.IsValid(input.Name)
            ? input.Name
            : throw new InvalidInputException("name", $"app name '{input.Name}' is not valid; use {AppName.Form}, e.g. {AppName.Suggest(input.Name)}");
        var sources = new[] { input.Repository, input.SourceUrl, input.SourcePath }.Count(s => !string.IsNullOrWhiteSpace(s));
        if (sources != 1)
        {
            throw new InvalidInputException("source", "give exactly one of a repository (owner/repo), a git URL or a local path");
        }

        var branch = BranchName.Validate(input.Branch);
        if (input.Port is < 1 or > 65535)
        {
            throw new InvalidInputException("port", $"port {input.Port} is not from 1 to 65535");
        }

        var healthPath = input.HealthPath?.Trim() ?? "/health";
        if (!healthPath.StartsWith('/') || healthPath.Any(char.IsWhiteSpace) || healthPath.Contains('#', StringComparison.Ordinal))
        {
            throw new InvalidInputException("health_path", $"health path '{input.HealthPath}' must start with '/' and contain no spaces or '#'");
        }

        // The language only appears in comments; keep it to a plain word so it cannot break the file.
        var language = input.Language is null ? null
            : new string(input.Language.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '.' or '-' or '_').ToArray());
        if (language?.Length == 0)
        {
            language = null;
        }

        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line($"# deploymind.yml — how DeployMind checks, builds and deploys {name}.");
        Line("# Keys marked \"required\" must stay; every other key may be left out and then takes the value shown.");
        Line("# Check the file with `deploymind validate`. Durations are written 500ms, 30s, 15m, 2h or 7d.");
        Line();
        Line("# Required. The app's name: lowercase letters, digits and '-'. Used in image tags and container names.");
        Line($"name: {name}");
        Line();
        Line("# Required: where the source comes from; exactly one of 'repository' (a GitHub owner/repo) or 'source'");
        Line("# (a git URL with 'url:', or a local directory with 'path:').");
        if (input.Repository is not null)
        {
            Line($"repository: {RepositoryName.Validate(input.Repository)}");
            Line("# source:");
            Line($"#   url: https://github.com/{input.Repository.Trim()}.git");
        }
        else
        {
            Line("source:");
            Line(input.SourceUrl is not null ? $"  url: {Quote(input.SourceUrl.Trim())}" : $"  path: {Quote(input.SourcePath!.Trim())}");
        }

        Line();
        Line("# The branch deployed when no commit is named.");
        Line($"branch: {branch}");
        Line();
        Line("# development | staging | production");
        Line("environment: production");
        Line();
        Line("# How the container image is built.");
        Line("build:");
        Line("  # The folder to build, relative to the repository root (for monorepos); it cannot point outside the repository.");
        Line("  directory: .");
        Line("  # Your own Dockerfile, relative to the build directory. Without one, DeployMind generates a Dockerfile");
        Line(language is null
            ? "  # for the language it detects."
            : $"  # for the detected language ({language}).");
        Line("  # dockerfile: Dockerfile");
        Line("  # Apply image size optimizations (multi-stage build, slimmer base image, fewer layers).");
        Line("  optimize: false");
        Line("  timeout: 15m");
        Line("  # Build arguments are plain values; build secrets are references ({ env: NAME } or { file: PATH }), never values.");
        Line("  # args:");
        Line("  #   APP_VERSION: \"1.0\"");
        Line("  # secrets:");
        Line("  #   NPM_TOKEN: { env: NPM_TOKEN }");
        Line("  # The base image per language, e.g. a private mirror or images built on an air-gapped machine.");
        Line("  # base_images:");
        foreach (var (lang, image) in BaseImageExamples(language))
        {
            Line($"  #   {lang}: {image}");
        }

        Line("  # Push the image to the registry below (true by default when a registry is configured).");
        Line("  # push: true");
        Line();
        Line("# The container registry images are pushed to. Without one, images are copied to the targets directly.");
        Line("# registry:");
        Line("#   url: 127.0.0.1:5000                  # host[:port][/namespace], no https://");
        Line("#   username: deployer");
        Line("#   password: { env: REGISTRY_PASSWORD }  # a reference; the password itself never goes in this file");
        Line("#   insecure: false                      # true for a plain-HTTP registry");
        Line();
        Line("# Required: the servers the app runs on, at least one; names must be unique.");
        Line("targets:");
        Line("  - name: local");
        Line("    type: local          # local (Docker on this machine) | ssh | ec2");
        Line("    app_port: 8080       # the host port the DeployMind proxy serves this app on");
        Line("  # A server reached over SSH:");
        Line("  # - name: web-1");
        Line("  #   type: ssh");
        Line("  #   host: web-1.example.com");
        Line("  #   port: 22");
        Line("  #   user: deploy");
        Line("  #   key: { file: ~/.ssh/id_ed25519 }     # or { env: NAME }; never the key itself");
        Line("  #   known_hosts: ~/.ssh/known_hosts");
        Line("  #   app_port: 8080");
        Line("  # An EC2 instance, driven through AWS Systems Manager; its name defaults to the instance id:");
        Line("  # - instance_id: i-0123456789abcdef0");
        Line("  #   type: ec2");
        Line("  #   region: us-east-1");
        Line();
        Line("# How the new version replaces the old one: rolling | canary | blue-green.");
        Line("strategy:");
        Line("  type: rolling");
        Line("  batch_size: 1          # targets updated at a time (or max_unavailable: N, not both)");
        Line("  pause: 0s              # wait between batches");
        Line("  drain_timeout: 30s     # time in-flight requests get before an old container stops");
        Line();
        Line("# Canary: shift traffic to the new version step by step; roll back when errors or latency rise.");
        Line("# strategy:");
        Line("#   type: canary");
        Line("#   steps: [10, 25, 50, 100]   # percent of traffic, increasing, ending at 100");
        Line("#   step_pause: 30s            # how long each step is watched");
        Line("#   max_error_rate: 1.0        # percent of 5xx responses tolerated");
        Line("#   max_p99_ms: 1000           # p99 latency tolerated");
        Line("#   canary_targets: 1          # with several targets: how many take the steps before the rest switch");
        Line("#");
        Line("# Blue-green: start the new version beside the old one, switch all traffic at once, and keep the");
        Line("# old one running for an instant rollback.");
        Line("# strategy:");
        Line("#   type: blue-green");
        Line("#   keep_previous_for: 5m");
        Line();
        Line("# How DeployMind decides the new version is healthy: http | tcp | command.");
        Line("health_check:");
        Line("  type: http");
        Line($"  path: {healthPath}");
        Line(input.Port is { } port
            ? string.Create(CultureInfo.InvariantCulture, $"  port: {port}             # the port the app listens on inside the container")
            : "  # port: 3000           # the port the app listens on inside the container; detected at build time when left out");
        Line("  expected_status: 200-399   # one code (200) or a range");
        Line("  # body_contains: ok");
        Line("  # headers: { Host: example.com }");
        Line("  # For 'type: command', the program and its arguments (run without a shell):");
        Line("  #   command: [\"pg_isready\", \"-h\", \"127.0.0.1\"]");
        Line("  initial_delay: 2s");
        Line("  interval: 2s");
        Line("  timeout: 3s            # per attempt");
        Line("  attempts: 5");
        Line("  backoff: 1.5           # each wait is 1.5 times the one before");
        Line("  monitor_for: 0s        # keep watching after the switch and roll back if it turns unhealthy");
        Line();
        Line("# What the security scans block. Presets: strict | balanced | permissive.");
        Line("security:");
        Line("  policy: balanced");
        Line("  ignore_unfixed: false  # true: vulnerabilities with no fixed version do not block");
        Line("  # Per scan, the lowest severity that blocks (critical | high | medium | low | none); overrides the preset.");
        Line("  # fail_on: { dependencies: high, secrets: low, dockerfile: critical }");
        Line("  # Advisory or rule ids accepted for this app, e.g. [\"GHSA-xxxx-xxxx-xxxx\"].");
        Line("  exceptions: []");
        Line("  max_database_age: 7d   # warn when the offline vulnerability database is older");
        Line("  trivy: false           # true: also run a trivy binary from PATH (fs mode) and count its findings");
        Line();
        Line("# Plain environment variables of the app container.");
        Line("# env:");
        Line("#   LOG_LEVEL: info");
        Line();
        Line("# Secret environment variables, as references only: { env: NAME } reads a variable on the machine running");
        Line("# DeployMind, { file: PATH } reads a file. Values are never stored in the database or printed.");
        Line("# secrets:");
        Line("#   DATABASE_URL: { env: APP_DATABASE_URL }");
        Line("#   API_TOKEN: { file: /run/secrets/api_token }");
        Line();
        Line("# Commands run on each target around the switch, in list form (never through a shell).");
        Line("# One command is a list; several are a list of lists.");
        Line("# hooks:");
        Line("#   pre_deploy: [\"./scripts/migrate.sh\"]");
        Line("#   post_deploy: [[\"./scripts/warm-cache.sh\"], [\"./scripts/notify.sh\", \"deployed\"]]");
        Line();
        Line("# Limits of each app container (docker --cpus / --memory); unlimited when left out.");
        Line("# resources:");
        Line("#   cpus: 0.5");
        Line("#   memory: 256m        # b, k, m or g; at least 6m");
        Line();
        Line("# The LLM the agents ask for explanations and advice. Decisions come from the policy, so 'none' works too.");
        Line("llm:");
        Line("  provider: groq         # groq | openai | ollama | custom | none");
        Line($"  model: {LlmConfig.DefaultsFor(LlmProvider.Groq).Model}");
        Line($"  base_url: {LlmConfig.DefaultsFor(LlmProvider.Groq).BaseUrl}");
        Line("  api_key_env: GROQ_API_KEY   # the NAME of the variable holding the key, never the key");
        return text.ToString();
    }

    private static IEnumerable<(string Language, string Image)> BaseImageExamples(string? detected)
    {
        (string, string)[] examples = [("node", "node:20-alpine"), ("python", "python:3.12-slim"), ("go", "golang:1.22-bookworm")];
        var first = examples.Where(e => e.Item1 == detected);
        return first.Concat(examples.Where(e => e.Item1 != detected));
    }

    /// <summary>A YAML double-quoted scalar, so paths and URLs with '#', ': ' or quotes survive.</summary>
    private static string Quote(string value)
    {
        if (value.Any(char.IsControl))
        {
            throw new InvalidInputException("source", "the source URL or path contains control characters");
        }

        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
