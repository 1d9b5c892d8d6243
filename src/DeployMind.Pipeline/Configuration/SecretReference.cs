using System.Collections;

namespace DeployMind.Pipeline.Configuration;

/// <summary>Where in a config file a value was written: the file, 1-based line and column, and the dotted key.</summary>
public sealed record ConfigLocation(string File, int Line, int Column, string Key);

/// <summary>
/// Points at a secret without holding it: <c>{ env: NAME }</c> reads an environment variable,
/// <c>{ file: PATH }</c> reads a file (<c>~</c> is the home directory; relative paths start at the
/// config file's directory). Exactly one of <see cref="Env"/> and <see cref="File"/> is set.
/// </summary>
public sealed record SecretReference
{
    /// <summary>Files bigger than this are not secrets but a wrong path (a disk image, /dev/zero, ...).</summary>
    public const long MaxFileBytes = 1024 * 1024;

    public string? Env { get; init; }

    public string? File { get; init; }

    /// <summary>Where the reference was declared, so a missing secret is reported at its line; null when built in code.</summary>
    public ConfigLocation? DeclaredAt { get; init; }

    public static SecretReference FromEnv(string name) => new() { Env = name };

    public static SecretReference FromFile(string path) => new() { File = path };

    /// <summary>A snapshot of this process's environment variables, in the form the resolve methods take.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    /// <summary>Reads the secret, or throws a <see cref="ConfigValidationException"/> naming the variable or file and the fix.</summary>
    public SecretValue Resolve(IReadOnlyDictionary<string, string?> environment, string? baseDirectory = null)
    {
        var (value, problem) = TryResolve(environment, baseDirectory);
        return value ?? throw new ConfigValidationException([problem!]);
    }

    public async Task<SecretValue> ResolveAsync(IReadOnlyDictionary<string, string?> environment, string? baseDirectory,
        CancellationToken cancellationToken)
    {
        var (value, problem) = await TryResolveAsync(environment, baseDirectory, cancellationToken);
        return value ?? throw new ConfigValidationException([problem!]);
    }

    /// <summary>The reference as JSON, <c>{"env":"NAME"}</c> or <c>{"file":"PATH"}</c>, for stored snapshots.</summary>
    public System.Text.Json.Nodes.JsonObject ToJson() => Env is not null ? new() { ["env"] = Env } : new() { ["file"] = File };

    /// <summary>The reference as written, e.g. <c>env:APP_DATABASE_URL</c>; it never contains the secret.</summary>
    public override string ToString() => Env is not null ? $"env:{Env}" : $"file:{File}";

    internal (SecretValue? Value, ConfigProblem? Problem) TryResolve(IReadOnlyDictionary<string, string?> environment,
        string? baseDirectory)
    {
        if (Env is not null)
        {
            return FromEnvironment(environment);
        }

        var path = FullPath(environment, baseDirectory);
        if (CheckFile(path) is { } problem)
        {
            return (null, problem);
        }

        try
        {
            return FromText(System.IO.File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, Unreadable(path, e));
        }
    }

    internal async Task<(SecretValue? Value, ConfigProblem? Problem)> TryResolveAsync(
        IReadOnlyDictionary<string, string?> environment, string? baseDirectory, CancellationToken cancellationToken)
    {
        if (Env is not null)
        {
            return FromEnvironment(environment);
        }

        var path = FullPath(environment, baseDirectory);
        if (CheckFile(path) is { } problem)
        {
            return (null, problem);
        }

        try
        {
            return FromText(await System.IO.File.ReadAllTextAsync(path, cancellationToken), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, Unreadable(path, e));
        }
    }

    private (SecretValue?, ConfigProblem?) FromEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        if (!environment.TryGetValue(Env!, out var value) || value is null)
        {
            return (null, Problem($"environment variable {Env} is not set",
                $"export {Env} before running deploymind, or point the secret at a file with {{ file: PATH }}"));
        }

        return value.Length == 0
            ? (null, Problem($"environment variable {Env} is set but empty", $"give {Env} the secret's value"))
            : (new SecretValue(value), null);
    }

    private (SecretValue?, ConfigProblem?) FromText(string text, string path)
    {
        // `echo secret > file` leaves a line break that is not part of the secret.
        var value = text.TrimEnd('\r', '\n');
        return value.Length == 0
            ? (null, Problem($"secret file {path} is empty", $"write the secret's value into {path}"))
            : (new SecretValue(value), null);
    }

    private ConfigProblem? CheckFile(string path)
    {
        if (Directory.Exists(path))
        {
            return Problem($"secret file {path} is a directory", "point 'file:' at the file that holds the secret");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Problem($"secret file {path} does not exist",
                $"create {path} with the secret's value, fix the path (relative paths start at the config file's directory), or use {{ env: NAME }}");
        }

        return info.Length > MaxFileBytes
            ? Problem($"secret file {path} is larger than 1 MiB, so it is not a secret", "point 'file:' at the file that holds only the secret")
            : null;
    }

    private ConfigProblem Unreadable(string path, Exception e) =>
        Problem($"secret file {path} cannot be read ({e.GetType().Name})",
            $"make {path} readable by the user running deploymind (e.g. chmod 600 and the right owner)");

    private string FullPath(IReadOnlyDictionary<string, string?> environment, string? baseDirectory)
    {
        var path = File!;
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            var home = environment.TryGetValue("HOME", out var h) && !string.IsNullOrEmpty(h)
                ? h
                : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
            path = Path.Join(home, path.Length > 2 ? path[2..] : "");
        }

        return Path.GetFullPath(path, baseDirectory ?? Directory.GetCurrentDirectory());
    }

    private ConfigProblem Problem(string message, string fix) =>
        new(DeclaredAt?.File ?? ConfigValidationException.ConfigField, DeclaredAt?.Line ?? 0, DeclaredAt?.Column ?? 0,
            DeclaredAt?.Key ?? "", message, fix);
}
