using System.Text;
using DeployMind.Build.Detection;

namespace DeployMind.Build.Generation;

/// <summary>Accumulates one generated Dockerfile: stages from the base image map, the runtime stage's user, port, probe and command.</summary>
internal sealed class DockerfileWriter(DetectionReport report, BaseImageMap images, DockerfileGenerationOptions options)
{
    private const string HealthCheckTiming = "--interval=30s --timeout=5s --start-period=15s --retries=3";

    private readonly StringBuilder _text = new();
    private readonly Dictionary<string, string> _baseImages = new(StringComparer.Ordinal);

    public DetectionReport Report { get; } = report;

    public DockerfileGenerationOptions Options { get; } = options;

    public List<string> Notes { get; } = [];

    public string HealthUrl => $"http://127.0.0.1:{Report.Port}{Report.HealthPath}";

    public BaseImage From(string role, string? alias = null)
    {
        var image = images[role];
        var reference = image.Resolve(Report.LanguageVersion);
        if (_baseImages.Count > 0)
        {
            _text.AppendLine();
        }

        _baseImages[role] = reference;

        _text.AppendLine(alias is null ? $"FROM {reference}" : $"FROM {reference} AS {alias}");
        return image;
    }

    public void Line(string instruction) => _text.AppendLine(instruction);

    public void Comment(string text) => _text.AppendLine("# " + text);

    /// <summary>Copies dependency manifests (relative paths) before the sources, one COPY per folder.</summary>
    public bool CopyManifests(IEnumerable<string> files)
    {
        var any = false;
        foreach (var group in files.GroupBy(f => f.Contains('/', StringComparison.Ordinal) ? f[..(f.LastIndexOf('/') + 1)] : "./"))
        {
            Line($"COPY {string.Join(' ', group)} {group.Key}");
            any = true;
        }

        return any;
    }

    public void Env(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var list = variables.ToList();
        if (list.Count > 0)
        {
            Line("ENV " + string.Join(" \\\n    ", list.Select(v => $"{v.Key}={EnvValue(v.Value)}")));
        }
    }

    /// <summary>Creates the runtime user when the image needs it (before files are copied in).</summary>
    public void CreateUser(BaseImage runtime)
    {
        if (runtime.EffectiveCreateUserCommand is { } command)
        {
            Line($"RUN {command}");
        }
    }

    /// <summary>USER, EXPOSE, HEALTHCHECK and CMD of the runtime stage.</summary>
    public void Finish(BaseImage runtime, IReadOnlyList<string>? healthCheck, IReadOnlyList<string> command)
    {
        Line($"USER {runtime.User}");
        Line($"EXPOSE {Report.Port}");
        if (Report.Port < 1024)
        {
            Notes.Add($"port {Report.Port} is below 1024, which a non-root user cannot bind on most runtimes; prefer a port such as 8080 and map it at deploy time");
        }

        if (healthCheck is not null)
        {
            Line($"HEALTHCHECK {HealthCheckTiming} CMD {ExecForm.Json(healthCheck)}");
        }
        else
        {
            Notes.Add($"no HEALTHCHECK: the runtime image has no way to probe {HealthUrl} (no shell HTTP client); " +
                      "DeployMind's own health checks still verify the deployment (scanner reports DS-0026, LOW)");
        }

        Line($"CMD {ExecForm.Json(command)}");
    }

    /// <summary>A probe with the image's HTTP client, or null when it has none.</summary>
    public IReadOnlyList<string>? ProbeWithClient(BaseImage runtime) => runtime.EffectiveProbe switch
    {
        HttpProbeTool.Wget => ["wget", "-q", "-O", "/dev/null", HealthUrl],
        HttpProbeTool.Curl => ["curl", "-fsS", "-o", "/dev/null", HealthUrl],
        _ => null,
    };

    /// <summary>Installs OS packages the way the image's family does, cleaning caches in the same layer.</summary>
    public bool InstallPackages(BaseImage image, string apkPackages, string aptPackages)
    {
        switch (image.Family)
        {
            case PackageFamily.Apk:
                Line($"RUN apk add --no-cache {apkPackages}");
                return true;
            case PackageFamily.Apt:
                Line($"RUN apt-get update && apt-get install -y --no-install-recommends {aptPackages} && rm -rf /var/lib/apt/lists/*");
                return true;
            default:
                Notes.Add($"the build image has no package manager; it must already contain: {aptPackages}");
                return false;
        }
    }

    /// <summary>The start command in exec form, with leading NAME=value moved to ENV; the options' command wins.</summary>
    public IReadOnlyList<string> StartArguments(Func<IReadOnlyList<string>, IReadOnlyList<string>>? adapt = null)
    {
        if (Options.Command is { Count: > 0 } configured)
        {
            return adapt is null ? configured : adapt(configured);
        }

        var (arguments, environment) = ExecForm.Parse(Report.StartCommand);
        Env(environment);
        if (arguments is ["sh", "-c", _])
        {
            Notes.Add($"the start command uses shell syntax, so CMD runs it through sh -c: {Report.StartCommand}");
            return arguments;
        }

        return adapt is null ? arguments : adapt(arguments);
    }

    public GeneratedDockerfile Build(string dockerIgnore) => new()
    {
        Dockerfile = _text.ToString(),
        DockerIgnore = dockerIgnore,
        BaseImages = new Dictionary<string, string>(_baseImages),
        Notes = Notes,
    };

    private static string EnvValue(string value) =>
        value.Length > 0 && value.All(c => !char.IsWhiteSpace(c) && c is not '"' and not '\'' and not '\\') ? value : ExecForm.Quote(value);
}
