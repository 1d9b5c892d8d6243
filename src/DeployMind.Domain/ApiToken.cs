namespace DeployMind.Domain;

/// <summary>What an API token may do; each role includes the ones before it (viewer &lt; deployer &lt; admin).</summary>
public enum ApiTokenRole
{
    /// <summary>Read deployments, logs, analytics and masked variables.</summary>
    [WireValue("viewer")] Viewer = 0,

    /// <summary>Also trigger, cancel and roll back deployments and change an app's variables.</summary>
    [WireValue("deployer")] Deployer = 1,

    /// <summary>Also delete deployments and manage tokens.</summary>
    [WireValue("admin")] Admin = 2,
}

public static class ApiTokenRoles
{
    /// <summary>True when <paramref name="role"/> grants at least <paramref name="required"/>.</summary>
    public static bool Allows(this ApiTokenRole role, ApiTokenRole required) => role >= required;
}

/// <summary>
/// An API token. Only the SHA-256 of the secret is stored; the plaintext (<c>dm_…</c>) is shown once at
/// creation. <see cref="TokenPrefix"/> (its first 8 characters) identifies it in lists and revocation.
/// </summary>
public sealed class ApiToken
{
    private DateTime _createdAt;
    private DateTime? _lastUsedAt;
    private DateTime? _revokedAt;

    /// <summary><c>tok_</c> followed by 16 lowercase hex digits.</summary>
    public required string Id { get; set; }

    public required string Name { get; set; }

    public ApiTokenRole Role { get; set; }

    /// <summary>Lowercase hex SHA-256 of the plaintext token.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The first 8 characters of the plaintext (<c>dm_</c> + 5), safe to display.</summary>
    public required string TokenPrefix { get; set; }

    public DateTime CreatedAt { get => _createdAt; set => _createdAt = UtcTimestamp.Normalize(value); }

    public DateTime? LastUsedAt { get => _lastUsedAt; set => _lastUsedAt = UtcTimestamp.Normalize(value); }

    public DateTime? RevokedAt { get => _revokedAt; set => _revokedAt = UtcTimestamp.Normalize(value); }

    /// <summary>Who created it (an OS user, or the name of the admin token that did).</summary>
    public string? CreatedBy { get; set; }

    public bool IsRevoked => RevokedAt is not null;
}
