using System.Security.Cryptography;
using DeployMind.Domain;
using Microsoft.Extensions.Options;

namespace DeployMind.Persistence.RuntimeConfig;

/// <summary>The key that encrypts app secrets is missing, malformed or not the one the secrets were encrypted with.</summary>
public sealed class SecretKeyException(string message, Exception? inner = null) : DeployMindException(message, inner);

/// <summary>A loaded 256-bit key and where it came from (shown in errors; the key itself never is).</summary>
public sealed class SecretKey
{
    internal SecretKey(byte[] material, string source)
    {
        Material = material;
        Source = source;
        Id = Convert.ToHexStringLower(SHA256.HashData(material))[..8];
    }

    internal byte[] Material { get; }

    /// <summary>"DEPLOYMIND_SECRET_KEY" or the key file's path.</summary>
    public string Source { get; }

    /// <summary>First 8 hex digits of the key's SHA-256: tells two keys apart without revealing either.</summary>
    public string Id { get; }
}

/// <summary>
/// Loads the secret key from DEPLOYMIND_SECRET_KEY (base64) or the key file, creating the key file with
/// 0600 permissions the first time a secret is written. The key is cached for the life of the ring.
/// </summary>
public sealed class SecretKeyRing(IOptions<SecretKeyOptions> options, IOptions<DatabaseOptions> database)
{
    public const int KeyBytes = 32;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SecretKey? _key;

    /// <summary>The key file that is (or would be) used, or null when the key comes from DEPLOYMIND_SECRET_KEY.</summary>
    public string? KeyFilePath => string.IsNullOrWhiteSpace(options.Value.Key) ? ResolveKeyFile() : null;

    /// <summary>Set when an existing key file can be read by group or others (chmod 600 it).</summary>
    public string? PermissionWarning { get; private set; }

    /// <summary>The key for encrypting: created (file, 0600) when none exists yet.</summary>
    public Task<SecretKey> GetOrCreateAsync(CancellationToken cancellationToken) => LoadAsync(create: true, cancellationToken);

    /// <summary>The key for decrypting: a missing key is an error, never a fresh key that cannot decrypt anything.</summary>
    public Task<SecretKey> GetExistingAsync(CancellationToken cancellationToken) => LoadAsync(create: false, cancellationToken);

    /// <summary>Writes a new random key file (for `deploymind env key init` style set-up or tests); fails if the file exists.</summary>
    public static void CreateKeyFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, fileOptions);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(Convert.ToBase64String(key));
    }

    private async Task<SecretKey> LoadAsync(bool create, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _key) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            _key ??= await ReadAsync(create, cancellationToken);
            return _key;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<SecretKey> ReadAsync(bool create, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.Key))
        {
            return new SecretKey(Decode(options.Value.Key, SecretKeyOptions.KeyVariable), SecretKeyOptions.KeyVariable);
        }

        var path = ResolveKeyFile();
        if (!File.Exists(path))
        {
            if (!create)
            {
                throw new SecretKeyException(
                    $"the secret key file {path} does not exist, so no secret can be decrypted; restore the key file the secrets were " +
                    $"encrypted with (or set {SecretKeyOptions.KeyFileVariable} / {SecretKeyOptions.KeyVariable}), or set the secrets again");
            }

            try
            {
                CreateKeyFile(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new SecretKeyException($"cannot create the secret key file {path}: {ex.Message}; choose a writable location with {SecretKeyOptions.KeyFileVariable}", ex);
            }
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretKeyException($"cannot read the secret key file {path}: {ex.Message}", ex);
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode open = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
            PermissionWarning = (mode & open) != 0
                ? $"the secret key file {path} can be read by other users; run 'chmod 600 {path}'"
                : null;
        }

        return new SecretKey(Decode(text, path), path);
    }

    private string ResolveKeyFile() =>
        !string.IsNullOrWhiteSpace(options.Value.KeyFile)
            ? Path.GetFullPath(options.Value.KeyFile)
            : Path.Combine(database.Value.ResolveDataDirectory(), SecretKeyOptions.DefaultFileName);

    private static byte[] Decode(string text, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException ex)
        {
            throw new SecretKeyException($"the secret key from {source} is not valid base64; it must be {KeyBytes} random bytes in base64 (e.g. 'openssl rand -base64 32')", ex);
        }

        return key.Length == KeyBytes
            ? key
            : throw new SecretKeyException($"the secret key from {source} is {key.Length} bytes; it must be {KeyBytes} bytes in base64 (e.g. 'openssl rand -base64 32')");
    }
}
