namespace DeployMind.Persistence.RuntimeConfig;

/// <summary>
/// Where the key that encrypts app secrets comes from. It is never stored in the database, so a copy of
/// the database without the key reveals no secret value.
/// </summary>
public sealed class SecretKeyOptions
{
    public const string KeyVariable = "DEPLOYMIND_SECRET_KEY";
    public const string KeyFileVariable = "DEPLOYMIND_SECRET_KEY_FILE";
    public const string DefaultFileName = "secret.key";

    /// <summary>The 32-byte key as base64 (DEPLOYMIND_SECRET_KEY); wins over <see cref="KeyFile"/>.</summary>
    public string? Key { get; set; }

    /// <summary>The key file (DEPLOYMIND_SECRET_KEY_FILE); default <c>secret.key</c> in the data directory, created 0600 on first use.</summary>
    public string? KeyFile { get; set; }
}
