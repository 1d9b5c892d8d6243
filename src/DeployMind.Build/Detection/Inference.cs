using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

/// <summary>Port, start command and health path inference shared by the language detectors.</summary>
internal static partial class Inference
{
    private static readonly string[] s_healthPriority =
        ["/health", "/healthz", "/api/health", "/healthcheck", "/health-check", "/livez", "/readyz", "/up", "/ping", "/status"];

    /// <summary>The <c>web:</c> process of a Procfile, if there is one.</summary>
    public static string? ProcfileWeb(SourceTree tree, LanguageCandidate candidate)
    {
        var text = tree.Read("Procfile");
        if (text is null)
        {
            return null;
        }

        var match = ProcfileWebLine().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var command = match.Groups[1].Value.Trim();
        candidate.Add("Procfile", $"web process: {command}", 0.1);
        return command;
    }

    /// <summary>A port given literally in a command line (--port 8000, -p 3000, -b 0.0.0.0:8000, PORT=4000, :8080).</summary>
    public static int? PortFromCommand(string? command)
    {
        if (command is null)
        {
            return null;
        }

        var match = CommandPort().Match(command);
        return match.Success ? ParsePort(match.Groups["port"].Value) : null;
    }

    /// <summary>Records a port found in a command, returning it.</summary>
    public static int? PortFromCommand(string? command, string file, LanguageCandidate candidate)
    {
        var port = PortFromCommand(command);
        if (port is not null)
        {
            candidate.Add(file, $"port {port} in command '{command}'");
        }

        return port;
    }

    /// <summary>A <c>PORT=</c> line in .env, the conventional place for local settings.</summary>
    public static int? PortFromDotEnv(SourceTree tree, LanguageCandidate candidate)
    {
        var text = tree.Read(".env");
        if (text is null)
        {
            return null;
        }

        var match = DotEnvPort().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var port = ParsePort(match.Groups[1].Value);
        if (port is not null)
        {
            candidate.Add(".env", $"PORT={port}");
        }

        return port;
    }

    /// <summary>First port any of the patterns finds in the files (each pattern has a group named 'port').</summary>
    public static int? PortFromCode(SourceTree tree, IEnumerable<string> files, LanguageCandidate candidate, params Regex[] patterns)
    {
        var fileList = files.ToList();
        foreach (var pattern in patterns)
        {
            var hit = tree.FindInFiles(fileList, pattern);
            if (hit is { } found && ParsePort(found.Match.Groups["port"].Value) is { } port)
            {
                candidate.Add(found.File, $"listens on {port} ('{Shorten(found.Match.Value)}')");
                return port;
            }
        }

        return null;
    }

    /// <summary>The best-known health route written as a string literal in the source files.</summary>
    public static string? HealthPathFromCode(SourceTree tree, IEnumerable<string> files, LanguageCandidate candidate)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files.Take(300))
        {
            var text = tree.Read(file);
            if (text is null)
            {
                continue;
            }

            foreach (Match match in HealthRoute().Matches(text))
            {
                found.TryAdd(match.Groups["path"].Value, file);
            }
        }

        foreach (var path in s_healthPriority)
        {
            if (found.TryGetValue(path, out var file))
            {
                candidate.Add(file, $"health route {path}");
                return path;
            }
        }

        return null;
    }

    public static int? ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null;

    /// <summary>The first version number in a constraint: "^20.1" -> "20", ">=3.11,<4" -> "3.11" (with minor when asked).</summary>
    public static string? VersionFrom(string? constraint, bool withMinor)
    {
        if (string.IsNullOrWhiteSpace(constraint))
        {
            return null;
        }

        var match = VersionNumber().Match(constraint);
        if (!match.Success)
        {
            return null;
        }

        return withMinor && match.Groups["minor"].Success
            ? $"{match.Groups["major"].Value}.{match.Groups["minor"].Value}"
            : match.Groups["major"].Value;
    }

    public static string Shorten(string text)
    {
        var single = WhiteSpace().Replace(text, " ").Trim();
        return single.Length <= 80 ? single : single[..77] + "...";
    }

    [GeneratedRegex(@"^web:\s*(.+)$", RegexOptions.Multiline)]
    private static partial Regex ProcfileWebLine();

    [GeneratedRegex(@"(?:--port[= ]|--bind[= ](?:[\w.\[\]]*:)|-b[= ]?(?:[\w.\[\]]*:)|-p[= ]?|\bPORT=|\blisten[= ]|(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\*):)(?<port>\d{2,5})\b")]
    private static partial Regex CommandPort();

    [GeneratedRegex(@"^\s*PORT\s*=\s*[""']?(\d{2,5})", RegexOptions.Multiline)]
    private static partial Regex DotEnvPort();

    [GeneratedRegex(@"[""'`](?<path>/(?:api/)?(?:healthz?|healthcheck|health-check|livez|readyz|up|ping|status))[""'`]")]
    private static partial Regex HealthRoute();

    [GeneratedRegex(@"(?<major>\d+)(?:\.(?<minor>\d+))?")]
    private static partial Regex VersionNumber();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
