using Cronos;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployMind.Server.Configuration;

/// <summary>A cron schedule of one application: deploy its branch head at each occurrence, in a time zone.</summary>
public sealed record AppSchedule(
    string Key,
    string Cron,
    CronExpression Expression,
    TimeZoneInfo TimeZone,
    string? Branch,
    DeploymentEnvironment? Environment,
    DeploymentStrategy? Strategy);

/// <summary>An application the server deploys: its deploymind.yml and schedules.</summary>
public sealed record ServerApp(AppConfig Config, string ConfigPath, IReadOnlyList<AppSchedule> Schedules)
{
    public string Name => Config.Name;
}

/// <summary>Where commit statuses go and how deployments are linked from them.</summary>
public sealed record GitHubStatusConfig(Uri ApiUrl, SecretReference? Token, string Context, Uri? PublicUrl);

/// <summary>
/// The server's own file (<c>server.yml</c>, path from DEPLOYMIND_SERVER_CONFIG): the applications it deploys (by their
/// deploymind.yml), their cron schedules, the per-repository GitHub webhook secrets and the commit status settings.
/// Secrets are references (<c>{ env: NAME }</c> or <c>{ file: PATH }</c>), never values.
/// </summary>
public sealed class ServerConfig
{
    public static readonly ServerConfig Empty = new([], new Dictionary<string, SecretReference>(StringComparer.OrdinalIgnoreCase), null, null);

    private ServerConfig(IReadOnlyList<ServerApp> apps, IReadOnlyDictionary<string, SecretReference> webhookSecrets, GitHubStatusConfig? gitHub, string? baseDirectory)
    {
        Apps = apps;
        WebhookSecrets = webhookSecrets;
        GitHub = gitHub;
        BaseDirectory = baseDirectory;
    }

    public IReadOnlyList<ServerApp> Apps { get; }

    /// <summary>Webhook secrets by repository (owner/repo, case-insensitive as GitHub treats them).</summary>
    public IReadOnlyDictionary<string, SecretReference> WebhookSecrets { get; }

    public GitHubStatusConfig? GitHub { get; }

    /// <summary>The directory of the file; relative secret files resolve against it.</summary>
    public string? BaseDirectory { get; }

    public ServerApp? FindApp(string name) => Apps.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    /// <summary>The apps a push to <paramref name="repository"/>'s <paramref name="branch"/> deploys.</summary>
    public IEnumerable<ServerApp> AppsFor(string repository, string branch) => Apps.Where(a =>
        string.Equals(a.Config.Repository ?? RepositoryOfUrl(a.Config.Source?.Url), repository, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Config.Branch, branch, StringComparison.Ordinal));

    public static ServerConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException("DEPLOYMIND_SERVER_CONFIG", $"the server configuration '{path}' cannot be read: {e.Message}");
        }

        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Reads the file's text; every problem is reported at once as file:line:column: key: problem — fix.</summary>
    public static ServerConfig Parse(string text, string fileName, string? baseDirectory)
    {
        var reader = new Reader(fileName);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw reader.Fail(e.Start, "", $"not valid YAML: {e.Message}", "check the indentation and quoting on that line");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return Empty;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw reader.Fail(stream.Documents[0].RootNode.Start, "", "expected 'key: value' lines at the top level", "start with 'apps:', 'webhooks:' or 'github:'");
        }

        var apps = new List<ServerApp>();
        var secrets = new Dictionary<string, SecretReference>(StringComparer.OrdinalIgnoreCase);
        GitHubStatusConfig? gitHub = null;
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            switch (key)
            {
                case "apps":
                    ReadApps(reader, value, baseDirectory, apps);
                    break;
                case "webhooks":
                    ReadWebhooks(reader, value, secrets);
                    break;
                case "github":
                    gitHub = ReadGitHub(reader, value);
                    break;
                default:
                    reader.Report(keyNode.Start, key, "unknown key", "use apps, webhooks or github");
                    break;
            }
        }

        var duplicate = apps.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            reader.Report(Mark.Empty, "apps", $"two apps are named '{duplicate.Key}'", "give each deploymind.yml its own name");
        }

        reader.ThrowIfProblems();
        return new ServerConfig(apps, secrets, gitHub, baseDirectory);
    }

    internal static string? RepositoryOfUrl(string? url)
    {
        if (url is null)
        {
            return null;
        }

        var trimmed = url.TrimEnd('/');
        if (trimmed.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^4];
        }

        var parts = trimmed.Split('/', ':');
        return parts.Length >= 2 ? $"{parts[^2]}/{parts[^1]}" : null;
    }

    private static void ReadApps(Reader reader, YamlNode node, string? baseDirectory, List<ServerApp> apps)
    {
        if (node is not YamlSequenceNode list)
        {
            reader.Report(node.Start, "apps", "expected a list", "write each app as '- config: path/to/deploymind.yml'");
            return;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"apps[{i}]";
            if (list.Children[i] is not YamlMappingNode app)
            {
                reader.Report(list.Children[i].Start, path, "expected 'config:' and optional 'schedules:'", "write '- config: path/to/deploymind.yml'");
                continue;
            }

            string? configPath = null;
            var schedules = new List<(YamlMappingNode Node, string Path)>();
            foreach (var (k, v) in app.Children)
            {
                var key = ((YamlScalarNode)k).Value;
                if (key == "config" && v is YamlScalarNode { Value: { Length: > 0 } file })
                {
                    configPath = Path.GetFullPath(Path.Combine(baseDirectory ?? ".", file));
                }
                else if (key == "schedules" && v is YamlSequenceNode s)
                {
                    for (var j = 0; j < s.Children.Count; j++)
                    {
                        if (s.Children[j] is YamlMappingNode m)
                        {
                            schedules.Add((m, $"{path}.schedules[{j}]"));
                        }
                        else
                        {
                            reader.Report(s.Children[j].Start, $"{path}.schedules[{j}]", "expected 'cron:' and optional 'time_zone:', 'branch:', 'environment:', 'strategy:'", "write '- cron: \"0 3 * * *\"'");
                        }
                    }
                }
                else
                {
                    reader.Report(k.Start, $"{path}.{key}", "unknown key or wrong value", "use 'config: PATH' and 'schedules: [ ... ]'");
                }
            }

            if (configPath is null)
            {
                reader.Report(app.Start, $"{path}.config", "missing", "name the app's deploymind.yml, e.g. 'config: apps/web/deploymind.yml'");
                continue;
            }

            var check = AppConfigLoader.Check(configPath);
            if (!check.IsValid)
            {
                foreach (var problem in check.Problems)
                {
                    reader.Report(app.Start, $"{path}.config", problem.ToString(), "fix the app's deploymind.yml");
                }

                continue;
            }

            var config = check.Config!;
            var parsed = schedules.Select(s => ReadSchedule(reader, s.Node, s.Path, config.Name)).OfType<AppSchedule>().ToList();
            apps.Add(new ServerApp(config, configPath, parsed));
        }
    }

    private static AppSchedule? ReadSchedule(Reader reader, YamlMappingNode node, string path, string app)
    {
        string? cron = null, zone = null, branch = null;
        DeploymentEnvironment? environment = null;
        DeploymentStrategy? strategy = null;
        foreach (var (k, v) in node.Children)
        {
            var key = ((YamlScalarNode)k).Value;
            var value = (v as YamlScalarNode)?.Value;
            switch (key)
            {
                case "cron": cron = value; break;
                case "time_zone": zone = value; break;
                case "branch": branch = value; break;
                case "environment":
                    if (WireValues.TryParse<DeploymentEnvironment>(value, out var e)) { environment = e; }
                    else { reader.Report(v.Start, $"{path}.environment", $"'{value}' is not an environment", "use development, staging or production"); }
                    break;
                case "strategy":
                    if (WireValues.TryParse<DeploymentStrategy>(value, out var st)) { strategy = st; }
                    else { reader.Report(v.Start, $"{path}.strategy", $"'{value}' is not a strategy", "use rolling, canary or blue-green"); }
                    break;
                default:
                    reader.Report(k.Start, $"{path}.{key}", "unknown key", "use cron, time_zone, branch, environment or strategy");
                    break;
            }
        }

        CronExpression? expression = null;
        if (string.IsNullOrWhiteSpace(cron))
        {
            reader.Report(node.Start, $"{path}.cron", "missing", "give a cron expression, e.g. \"0 3 * * 1-5\" (5 fields) or with seconds (6 fields)");
        }
        else
        {
            try
            {
                var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                expression = CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            }
            catch (CronFormatException e)
            {
                reader.Report(node.Start, $"{path}.cron", $"'{cron}' is not a cron expression: {e.Message}", "use 5 fields (minute hour day month weekday) or 6 with seconds first");
            }
        }

        var timeZone = TimeZoneInfo.Utc;
        if (!string.IsNullOrWhiteSpace(zone))
        {
            try
            {
                timeZone = TimeZoneInfo.FindSystemTimeZoneById(zone);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                reader.Report(node.Start, $"{path}.time_zone", $"'{zone}' is not a known time zone", "use an IANA name such as Europe/Berlin or America/New_York (tzdata must be installed)");
            }
        }

        if (branch is not null)
        {
            try
            {
                BranchName.Validate(branch, $"{path}.branch");
            }
            catch (InvalidInputException e)
            {
                reader.Report(node.Start, $"{path}.branch", e.Message, "use a git branch name such as main");
            }
        }

        return expression is null || cron is null
            ? null
            : new AppSchedule($"schedule:{app}:{cron}:{timeZone.Id}:{branch}", cron, expression, timeZone, branch, environment, strategy);
    }

    private static void ReadWebhooks(Reader reader, YamlNode node, Dictionary<string, SecretReference> secrets)
    {
        if (node is not YamlMappingNode map)
        {
            reader.Report(node.Start, "webhooks", "expected repositories as keys", "write 'owner/repo: { secret: { env: NAME } }'");
            return;
        }

        foreach (var (k, v) in map.Children)
        {
            var repository = ((YamlScalarNode)k).Value ?? "";
            try
            {
                RepositoryName.Validate(repository, $"webhooks.{repository}");
            }
            catch (InvalidInputException e)
            {
                reader.Report(k.Start, $"webhooks.{repository}", e.Message, "key each entry by the repository as GitHub names it, e.g. acme/web");
                continue;
            }

            var secret = v is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("secret"), out var s) ? ReadSecret(reader, s, $"webhooks.{repository}.secret") : null;
            if (secret is null)
            {
                reader.Report(v.Start, $"webhooks.{repository}.secret", "missing", "write 'secret: { env: NAME }' or 'secret: { file: PATH }' (the value GitHub signs with)");
                continue;
            }

            secrets[repository] = secret;
        }
    }

    private static GitHubStatusConfig? ReadGitHub(Reader reader, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            reader.Report(node.Start, "github", "expected a mapping", "write 'api_url:', 'token:', 'context:' and 'public_url:' under github");
            return null;
        }

        var api = new Uri("https://api.github.com/");
        SecretReference? token = null;
        var context = "deploymind";
        Uri? publicUrl = null;
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value;
            var value = (v as YamlScalarNode)?.Value;
            switch (key)
            {
                case "api_url" or "public_url":
                    if (Uri.TryCreate(value?.EndsWith('/') == true ? value : value + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                    {
                        if (key == "api_url") { api = uri; } else { publicUrl = uri; }
                    }
                    else
                    {
                        reader.Report(v.Start, $"github.{key}", $"'{value}' is not an http(s) URL", "e.g. https://api.github.com or https://github.example.com/api/v3");
                    }

                    break;
                case "token":
                    token = ReadSecret(reader, v, "github.token");
                    break;
                case "context":
                    context = string.IsNullOrWhiteSpace(value) ? context : value.Trim();
                    break;
                default:
                    reader.Report(k.Start, $"github.{key}", "unknown key", "use api_url, token, context or public_url");
                    break;
            }
        }

        return new GitHubStatusConfig(api, token, context, publicUrl);
    }

    private static SecretReference? ReadSecret(Reader reader, YamlNode node, string path)
    {
        if (node is YamlMappingNode { Children.Count: 1 } map && map.Children.First() is var (k, v) && v is YamlScalarNode { Value: { Length: > 0 } value })
        {
            switch (((YamlScalarNode)k).Value)
            {
                case "env": return SecretReference.FromEnv(value);
                case "file": return SecretReference.FromFile(value);
            }
        }

        reader.Report(node.Start, path, "expected a secret reference", "write '{ env: NAME }' or '{ file: PATH }'; never the secret itself");
        return null;
    }

    private sealed class Reader(string file)
    {
        private readonly List<ConfigProblem> _problems = [];

        public void Report(Mark at, string key, string message, string fix) =>
            _problems.Add(new ConfigProblem(file, (int)at.Line, (int)at.Column, key, message, fix));

        public ConfigValidationException Fail(Mark at, string key, string message, string fix)
        {
            Report(at, key, message, fix);
            return new ConfigValidationException(_problems);
        }

        public void ThrowIfProblems()
        {
            if (_problems.Count > 0)
            {
                throw new ConfigValidationException(_problems);
            }
        }
    }
}
