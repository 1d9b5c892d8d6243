using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployMind.Pipeline.Configuration;

/// <summary>The outcome of checking a <c>deploymind.yml</c>: the config when it is valid, and every problem found.</summary>
public sealed record AppConfigCheck(AppConfig? Config, IReadOnlyList<ConfigProblem> Problems)
{
    public bool IsValid => Config is not null && Problems.Count == 0;
}

/// <summary>
/// Loads and validates <c>deploymind.yml</c>. Validation never stops at the first mistake: every
/// problem comes back at once with its file, line, column, key and fix. Secrets are resolved in a
/// separate step (<see cref="ResolveSecrets"/>) so a file can be validated where they are absent.
/// </summary>
public static class AppConfigLoader
{
    public const string FileName = "deploymind.yml";

    /// <summary>Reads and validates the file; throws <see cref="ConfigValidationException"/> listing every problem.</summary>
    public static AppConfig Load(string path) => OrThrow(Check(path));

    public static async Task<AppConfig> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var (text, problem) = await ReadFileAsync(path, cancellationToken);
        return OrThrow(text is null ? new AppConfigCheck(null, [problem!]) : CheckText(text, path, DirectoryOf(path)));
    }

    /// <summary>Validates YAML text; <paramref name="fileName"/> is only used in problem locations.</summary>
    public static AppConfig Parse(string text, string fileName = FileName, string? baseDirectory = null) =>
        OrThrow(CheckText(text, fileName, baseDirectory));

    /// <summary>Like <see cref="Load"/>, but returns the problems instead of throwing (for <c>deploymind validate</c>).</summary>
    public static AppConfigCheck Check(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new AppConfigCheck(null, [Unreadable(path, e)]);
        }

        return CheckText(text, path, DirectoryOf(path));
    }

    public static AppConfigCheck CheckText(string text, string fileName = FileName, string? baseDirectory = null)
    {
        var reader = new ConfigNodeReader(fileName);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return new AppConfigCheck(null, [SyntaxProblem(fileName, text, e)]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way (without a position) on some unclosed flow collections.
            return new AppConfigCheck(null, [UnclosedFlowProblem(fileName, text)]);
        }

        if (stream.Documents.Count == 0 || ConfigNodeReader.IsNull(stream.Documents[0].RootNode))
        {
            reader.Report(Mark.Empty, "", "the file is empty", "run 'deploymind init' to write a commented starter file");
        }
        else if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            reader.Report(stream.Documents[0].RootNode, "", $"expected 'key: value' lines at the top level, got {ConfigNodeReader.Describe(stream.Documents[0].RootNode)}",
                "start the file with 'name: my-app' and the other top-level keys; 'deploymind init' writes an example");
        }
        else
        {
            if (stream.Documents.Count > 1)
            {
                reader.Report(stream.Documents[1].RootNode, "", "the file holds more than one YAML document",
                    "remove the '---' separator and everything after it; one file configures one application");
            }

            var config = new AppConfigReader(reader).Read(root, baseDirectory);
            if (reader.Problems.Count == 0)
            {
                return new AppConfigCheck(config, []);
            }
        }

        return new AppConfigCheck(null, Sorted(reader.Problems));
    }

    /// <summary>
    /// Reads every secret the config references (app secrets, build secrets, registry password, SSH
    /// keys) and throws one <see cref="ConfigValidationException"/> listing all that are missing.
    /// </summary>
    public static ResolvedSecrets ResolveSecrets(AppConfig config, IReadOnlyDictionary<string, string?> environment)
    {
        var results = References(config).Select(r => (r.Group, r.Key, Result: r.Reference.TryResolve(environment, config.BaseDirectory)));
        return Collect(results.ToList());
    }

    public static async Task<ResolvedSecrets> ResolveSecretsAsync(AppConfig config, IReadOnlyDictionary<string, string?> environment,
        CancellationToken cancellationToken)
    {
        var results = new List<(SecretGroup, string, (SecretValue?, ConfigProblem?))>();
        foreach (var (group, key, reference) in References(config))
        {
            results.Add((group, key, await reference.TryResolveAsync(environment, config.BaseDirectory, cancellationToken)));
        }

        return Collect(results);
    }

    private enum SecretGroup
    {
        Environment,
        Build,
        Registry,
        TargetKey,
    }

    private static IEnumerable<(SecretGroup Group, string Key, SecretReference Reference)> References(AppConfig config)
    {
        foreach (var (name, reference) in config.Secrets)
        {
            yield return (SecretGroup.Environment, name, Located(reference, $"secrets.{name}"));
        }

        foreach (var (name, reference) in config.Build.Secrets)
        {
            yield return (SecretGroup.Build, name, Located(reference, $"build.secrets.{name}"));
        }

        if (config.Registry?.Password is { } password)
        {
            yield return (SecretGroup.Registry, "", Located(password, "registry.password"));
        }

        for (var i = 0; i < config.Targets.Count; i++)
        {
            if (config.Targets[i].Key is { } key)
            {
                yield return (SecretGroup.TargetKey, config.Targets[i].Name, Located(key, $"targets[{i}].key"));
            }
        }
    }

    /// <summary>References built in code have no position; they still get the key they sit under.</summary>
    private static SecretReference Located(SecretReference reference, string key) =>
        reference.DeclaredAt is null ? reference with { DeclaredAt = new ConfigLocation(FileName, 0, 0, key) } : reference;

    private static ResolvedSecrets Collect(IReadOnlyList<(SecretGroup Group, string Key, (SecretValue? Value, ConfigProblem? Problem) Result)> results)
    {
        var problems = results.Select(r => r.Result.Problem).OfType<ConfigProblem>().ToList();
        if (problems.Count > 0)
        {
            throw new ConfigValidationException(Sorted(problems));
        }

        Dictionary<string, SecretValue> Group(SecretGroup group) => results.Where(r => r.Group == group)
            .ToDictionary(r => r.Key, r => r.Result.Value!, StringComparer.Ordinal);

        return new ResolvedSecrets(Group(SecretGroup.Environment), Group(SecretGroup.Build),
            results.FirstOrDefault(r => r.Group == SecretGroup.Registry).Result.Value, Group(SecretGroup.TargetKey));
    }

    private static List<ConfigProblem> Sorted(IEnumerable<ConfigProblem> problems) =>
        problems.OrderBy(p => p.Line).ThenBy(p => p.Column).ToList();

    private static AppConfig OrThrow(AppConfigCheck check) =>
        check.IsValid ? check.Config! : throw new ConfigValidationException(check.Problems);

    private static async Task<(string? Text, ConfigProblem? Problem)> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(path, cancellationToken), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, Unreadable(path, e));
        }
    }

    private static ConfigProblem Unreadable(string path, Exception e) => e is FileNotFoundException or DirectoryNotFoundException
        ? new ConfigProblem(path, 0, 0, "", "the file does not exist",
            $"run 'deploymind init' in the repository to write a starter {FileName}, or pass the right path")
        : new ConfigProblem(path, 0, 0, "", $"the file cannot be read ({e.GetType().Name})",
            "make it readable by the user running deploymind");

    private static string? DirectoryOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path));

    /// <summary>Finds the innermost '[' or '{' still open where scanning broke down, which is where the mistake is.</summary>
    private static ConfigProblem UnclosedFlowProblem(string fileName, string text)
    {
        var open = new Stack<YamlDotNet.Core.Tokens.Token>();
        var last = Mark.Empty;
        var scanner = new Scanner(new StringReader(text));
        try
        {
            while (scanner.MoveNext())
            {
                var token = scanner.Current!;
                last = token.Start;
                if (token is YamlDotNet.Core.Tokens.FlowSequenceStart or YamlDotNet.Core.Tokens.FlowMappingStart)
                {
                    open.Push(token);
                }
                else if (token is YamlDotNet.Core.Tokens.FlowSequenceEnd or YamlDotNet.Core.Tokens.FlowMappingEnd && open.Count > 0)
                {
                    open.Pop();
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // Expected: this is the failure being located.
        }

        if (open.TryPeek(out var opener))
        {
            var bracket = opener is YamlDotNet.Core.Tokens.FlowSequenceStart ? "[" : "{";
            var closer = bracket == "[" ? "]" : "}";
            return new ConfigProblem(fileName, (int)opener.Start.Line, (int)opener.Start.Column, "",
                $"YAML syntax error: this '{bracket}' is never closed", $"add the matching '{closer}' at the end of the value");
        }

        return new ConfigProblem(fileName, (int)last.Line, (int)last.Column, "", "YAML syntax error: the file cannot be read past this point",
            "check the brackets, quotes and indentation near this line");
    }

    private static ConfigProblem SyntaxProblem(string fileName, string text, YamlException e)
    {
        // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; the position is reported separately.
        var message = e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
        {
            message = message[(cut + 3)..];
        }

        message = message.Trim();
        var (line, column) = ((int)e.Start.Line, (int)e.Start.Column);
        if (message.StartsWith("Duplicate key ", StringComparison.Ordinal))
        {
            var key = ConfigNodeReader.Shorten(message["Duplicate key ".Length..]);
            return new ConfigProblem(fileName, line, column, key, $"'{key}' appears twice in the same section; only one can count",
                "keep one of them (checking of the rest of the file resumes once the file is readable)");
        }

        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text) is { } tab)
        {
            // The parser marks the start of the enclosing mapping; the tab itself is what needs fixing.
            return new ConfigProblem(fileName, tab.Line, tab.Column, "", "YAML syntax error: a tab is used for indentation",
                "indent with spaces only (YAML does not allow tabs there)");
        }

        return new ConfigProblem(fileName, line, column, "", $"YAML syntax error: {message}",
            "check the indentation (spaces, not tabs) and quoting near this line; quote values that contain ': ' or start with '{', '[', '*', '&', '!', '%' or '@'");
    }

    private static (int Line, int Column)? FirstTabIndent(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent)
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }
}
