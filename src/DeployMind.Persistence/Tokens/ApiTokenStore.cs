using System.Security.Cryptography;
using System.Text;
using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence.Tokens;

/// <summary>A token as listed: never its secret or hash.</summary>
public sealed record ApiTokenInfo(string Id, string Name, ApiTokenRole Role, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt,
    DateTime? RevokedAt, string? CreatedBy)
{
    public bool Revoked => RevokedAt is not null;
}

/// <summary>A freshly created token. <see cref="Plaintext"/> exists only here: show it once, it cannot be recovered.</summary>
public sealed record CreatedApiToken(ApiTokenInfo Token, string Plaintext)
{
    public override string ToString() => $"{Token.Id} ({Token.Name}, {Token.Role.ToWire()})";
}

/// <summary>Who a verified token belongs to.</summary>
public sealed record ApiTokenIdentity(string Id, string Name, ApiTokenRole Role);

/// <summary>The outcome of a revocation: the token, and whether it had already been revoked before.</summary>
public sealed record RevokedApiToken(ApiTokenInfo Token, bool AlreadyRevoked);

/// <summary>
/// API tokens: <c>dm_</c> + 40 base62 characters (≈238 bits), stored only as their SHA-256. Verification
/// looks candidates up by the non-secret 8-character prefix and compares hashes in constant time.
/// </summary>
public sealed class ApiTokenStore(DeployMindDatabase database, TimeProvider clock)
{
    public const string TokenPrefix = "dm_";
    public const int RandomLength = 40;
    public const int PrefixLength = 8;
    public const int MaxNameLength = 128;

    /// <summary>last_used_at is written at most this often per token, so busy clients do not turn reads into writes.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly System.Buffers.SearchValues<char> s_base62 = System.Buffers.SearchValues.Create(Base62);

    public Task<CreatedApiToken> CreateAsync(string name, ApiTokenRole role, string? createdBy, CancellationToken cancellationToken)
    {
        var trimmed = ValidateName(name);
        if (!Enum.IsDefined(role))
        {
            throw new InvalidInputException("role", $"role {(int)role} is not valid; expected one of: {string.Join(", ", WireValues.AllOf<ApiTokenRole>())}");
        }

        var plaintext = TokenPrefix + RandomNumberGenerator.GetString(Base62, RandomLength);
        var token = new ApiToken
        {
            Id = "tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Name = trimmed,
            Role = role,
            TokenHash = Hash(plaintext),
            TokenPrefix = plaintext[..PrefixLength],
            CreatedAt = UtcTimestamp.Now(clock),
            CreatedBy = string.IsNullOrWhiteSpace(createdBy) ? null : createdBy.Trim()[..Math.Min(createdBy.Trim().Length, 255)],
        };
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            db.ApiTokens.Add(token);
            await db.SaveChangesAsync(cancellationToken);
            return new CreatedApiToken(Info(token), plaintext);
        });
    }

    public Task<IReadOnlyList<ApiTokenInfo>> ListAsync(CancellationToken cancellationToken, bool includeRevoked = true) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        var query = db.ApiTokens.AsNoTracking();
        if (!includeRevoked)
        {
            query = query.Where(t => t.RevokedAt == null);
        }

        var rows = await query.ToListAsync(cancellationToken);
        return (IReadOnlyList<ApiTokenInfo>)rows.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).Select(Info).ToList();
    });

    /// <summary>
    /// Revokes a token named by its id (<c>tok_…</c>), its 8-character prefix (<c>dm_xxxxx</c>) or its full
    /// plaintext. Revoking twice is harmless. Throws <see cref="NotFoundException"/> or, for a prefix shared by
    /// several tokens, <see cref="InvalidInputException"/>.
    /// </summary>
    public Task<RevokedApiToken> RevokeAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        var key = idOrPrefix?.Trim() ?? "";
        if (key.Length == 0)
        {
            throw new InvalidInputException("id", "name the token to revoke by its id (tok_...) or its prefix (dm_xxxxx)");
        }

        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            List<ApiToken> matches;
            if (key.StartsWith("tok_", StringComparison.Ordinal))
            {
                matches = await db.ApiTokens.Where(t => t.Id == key).ToListAsync(cancellationToken);
            }
            else if (key.StartsWith(TokenPrefix, StringComparison.Ordinal) && key.Length == PrefixLength)
            {
                matches = await db.ApiTokens.Where(t => t.TokenPrefix == key).ToListAsync(cancellationToken);
            }
            else if (key.StartsWith(TokenPrefix, StringComparison.Ordinal) && key.Length > PrefixLength)
            {
                var hash = Hash(key);
                matches = await db.ApiTokens.Where(t => t.TokenHash == hash).ToListAsync(cancellationToken);
            }
            else
            {
                throw new InvalidInputException("id", $"'{Shorten(key)}' is neither a token id (tok_ followed by 16 hex digits) nor a token prefix (the first {PrefixLength} characters, dm_xxxxx)");
            }

            var active = matches.Where(t => t.RevokedAt is null).ToList();
            if (matches.Count == 0)
            {
                throw new NotFoundException("token", Shorten(key));
            }

            if (active.Count > 1)
            {
                throw new InvalidInputException("id", $"prefix {key} matches {active.Count} tokens ({string.Join(", ", active.Select(t => t.Id))}); revoke one by its id");
            }

            if (active.Count == 0)
            {
                return new RevokedApiToken(Info(matches.OrderByDescending(t => t.RevokedAt).First()), AlreadyRevoked: true);
            }

            var token = active[0];
            token.RevokedAt = UtcTimestamp.Now(clock);
            await db.SaveChangesAsync(cancellationToken);
            return new RevokedApiToken(Info(token), AlreadyRevoked: false);
        });
    }

    /// <summary>
    /// The identity of a valid, unrevoked token; null for anything else (malformed, unknown, revoked). The
    /// hash comparison takes the same time however many characters match.
    /// </summary>
    public async Task<ApiTokenIdentity?> VerifyAsync(string? plaintext, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(plaintext))
        {
            return null;
        }

        var prefix = plaintext![..PrefixLength];
        var presented = Convert.FromHexString(Hash(plaintext));
        return await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var candidates = await db.ApiTokens.AsNoTracking()
                .Where(t => t.TokenPrefix == prefix && t.RevokedAt == null)
                .Select(t => new { t.Id, t.Name, t.Role, t.TokenHash, t.LastUsedAt })
                .ToListAsync(cancellationToken);
            var match = candidates.FirstOrDefault(c => CryptographicOperations.FixedTimeEquals(Convert.FromHexString(c.TokenHash), presented));
            if (match is null)
            {
                return null;
            }

            var now = UtcTimestamp.Now(clock);
            if (match.LastUsedAt is null || now - match.LastUsedAt.Value >= LastUsedResolution)
            {
                var stale = now - LastUsedResolution;
                // Conditional, so concurrent requests with one token write once per resolution at most.
                await db.ApiTokens.Where(t => t.Id == match.Id && (t.LastUsedAt == null || t.LastUsedAt <= stale))
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
            }

            return new ApiTokenIdentity(match.Id, match.Name, match.Role);
        });
    }

    /// <summary>Lowercase hex SHA-256 of the token, as stored in api_tokens.token_hash.</summary>
    public static string Hash(string plaintext) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plaintext)));

    /// <summary>True for <c>dm_</c> followed by exactly 40 base62 characters.</summary>
    public static bool IsWellFormed(string? plaintext) =>
        plaintext is { Length: 3 + RandomLength } && plaintext.StartsWith(TokenPrefix, StringComparison.Ordinal)
        && plaintext.AsSpan(3).IndexOfAnyExcept(s_base62) < 0;

    private static string ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw new InvalidInputException("name", $"token name must be 1 to {MaxNameLength} printable characters, e.g. ci-deployer");
        }

        return trimmed;
    }

    private static ApiTokenInfo Info(ApiToken t) => new(t.Id, t.Name, t.Role, t.TokenPrefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt, t.CreatedBy);

    /// <summary>Never echoes more than a prefix of something that may be a full token.</summary>
    private static string Shorten(string key) => key.Length <= 24 ? (key.StartsWith(TokenPrefix, StringComparison.Ordinal) && key.Length > PrefixLength ? key[..PrefixLength] + "…" : key) : key[..PrefixLength] + "…";
}
