using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Persistence.RuntimeConfig;

/// <summary>
/// An app variable as shown to people and API clients: a secret's <see cref="Value"/> is always null and
/// its <see cref="Display"/> is <see cref="AppVariableStore.Mask"/>.
/// </summary>
public sealed record AppVariableView(string Application, string Name, bool IsSecret, string? Value, string Display, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The outcome of one set: the variable (masked) and whether it was new.</summary>
public sealed record AppVariableSetResult(AppVariableView Variable, bool Created);

/// <summary>The outcome of an import: how many names were new or replaced, and the imported variables (masked).</summary>
public sealed record EnvImportResult(string Application, int Created, int Updated, IReadOnlyList<AppVariableView> Variables);

/// <summary>Which of an imported file's variables are stored encrypted.</summary>
public sealed record EnvImportSecrets(bool All, IReadOnlySet<string> Names)
{
    public static readonly EnvImportSecrets None = new(false, new HashSet<string>(StringComparer.Ordinal));

    public static EnvImportSecrets AllOf() => new(true, new HashSet<string>(StringComparer.Ordinal));

    public static EnvImportSecrets Only(IEnumerable<string> names) => new(false, names.ToHashSet(StringComparer.Ordinal));

    public bool IsSecret(string name) => All || Names.Contains(name);
}

/// <summary>
/// An application's variables decrypted for injection into its containers, and nothing else: never log,
/// print or store <see cref="Values"/>. <see cref="SecretValues"/> is what a log redactor must mask.
/// </summary>
public sealed class ResolvedAppVariables(string application, IReadOnlyDictionary<string, string> values, IReadOnlySet<string> secretNames)
{
    public string Application { get; } = application;

    /// <summary>Every variable, name → value, secrets decrypted.</summary>
    public IReadOnlyDictionary<string, string> Values { get; } = values;

    public IReadOnlySet<string> SecretNames { get; } = secretNames;

    /// <summary>The decrypted secret values (non-empty), for a redactor.</summary>
    public IEnumerable<string> SecretValues => SecretNames.Select(n => Values[n]).Where(v => v.Length > 0);

    /// <summary>Never the values: a resolved set that ends up in a log shows only its names.</summary>
    public override string ToString() => $"{Application}: {string.Join(", ", Values.Keys.Order(StringComparer.Ordinal))}";
}

/// <summary>
/// Per-application environment variables and secrets. Secrets are encrypted with AES-256-GCM under a key
/// kept outside the database (<see cref="SecretKeyRing"/>); listing never decrypts, only
/// <see cref="ResolveAsync"/> does, for container injection.
/// </summary>
public sealed class AppVariableStore(DeployMindDatabase database, SecretKeyRing keys, TimeProvider clock)
{
    /// <summary>How every secret is displayed: fully masked, revealing neither content nor length.</summary>
    public const string Mask = "••••••••";

    public const int MaxValueLength = 32 * 1024;

    public SecretKeyRing Keys => keys;

    public async Task<AppVariableSetResult> SetAsync(string application, string name, string value, bool secret, CancellationToken cancellationToken)
    {
        AppVariableNames.ValidateApplication(application);
        AppVariableNames.ValidateName(name);
        ValidateValue(name, value, secret);
        var key = secret ? await KeyForWritingAsync(cancellationToken) : null;
        return await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var existed = await db.AppVariables.AnyAsync(v => v.Application == application && v.Name == name, cancellationToken);
            await UpsertAsync(db, application, name, value, key, UtcTimestamp.Now(clock), cancellationToken);
            var row = await db.AppVariables.AsNoTracking().SingleAsync(v => v.Application == application && v.Name == name, cancellationToken);
            return new AppVariableSetResult(View(row), !existed);
        });
    }

    /// <summary>One variable, masked when secret; null when the app has no such variable.</summary>
    public Task<AppVariableView?> GetAsync(string application, string name, CancellationToken cancellationToken)
    {
        AppVariableNames.ValidateApplication(application);
        AppVariableNames.ValidateName(name);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var row = await db.AppVariables.AsNoTracking().SingleOrDefaultAsync(v => v.Application == application && v.Name == name, cancellationToken);
            return row is null ? null : View(row);
        });
    }

    /// <summary>The app's variables by name, secrets masked. Needs no key: nothing is decrypted.</summary>
    public Task<IReadOnlyList<AppVariableView>> ListAsync(string application, CancellationToken cancellationToken)
    {
        AppVariableNames.ValidateApplication(application);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            var rows = await db.AppVariables.AsNoTracking().Where(v => v.Application == application).ToListAsync(cancellationToken);
            return (IReadOnlyList<AppVariableView>)rows.OrderBy(r => r.Name, StringComparer.Ordinal).Select(View).ToList();
        });
    }

    /// <summary>The applications that have at least one variable.</summary>
    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        var apps = await db.AppVariables.AsNoTracking().Select(v => v.Application).Distinct().ToListAsync(cancellationToken);
        return (IReadOnlyList<string>)apps.Order(StringComparer.Ordinal).ToList();
    });

    /// <summary>Removes a variable; false when there was none.</summary>
    public Task<bool> UnsetAsync(string application, string name, CancellationToken cancellationToken)
    {
        AppVariableNames.ValidateApplication(application);
        AppVariableNames.ValidateName(name);
        return database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.AppVariables.Where(v => v.Application == application && v.Name == name).ExecuteDeleteAsync(cancellationToken) > 0;
        });
    }

    /// <summary>
    /// Validates a whole .env text and, only when every line is valid, stores all of it in one transaction
    /// (existing names are replaced, others kept). Otherwise throws <see cref="EnvFileException"/> listing every bad line.
    /// </summary>
    public async Task<EnvImportResult> ImportAsync(string application, string envText, EnvImportSecrets secrets, CancellationToken cancellationToken,
        string source = ".env")
    {
        AppVariableNames.ValidateApplication(application);
        var entries = EnvFile.Parse(envText).EntriesOrThrow(source);
        var unknown = secrets.Names.Where(n => entries.All(e => e.Name != n)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidInputException("secret_keys", $"{source} does not define {string.Join(", ", unknown)} named as secret; check the spelling");
        }

        var emptySecrets = entries.Where(e => secrets.IsSecret(e.Name) && e.Value.Length == 0).ToList();
        if (emptySecrets.Count > 0)
        {
            throw new EnvFileException(source, emptySecrets.Select(e => new EnvFileError(e.Line, $"{e.Name}: a secret cannot be empty")).ToList());
        }

        var key = entries.Any(e => secrets.IsSecret(e.Name)) ? await KeyForWritingAsync(cancellationToken) : null;
        return await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var names = entries.Select(e => e.Name).ToList();
            var existing = (await db.AppVariables.Where(v => v.Application == application && names.Contains(v.Name))
                .Select(v => v.Name).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            var now = UtcTimestamp.Now(clock);
            foreach (var entry in entries)
            {
                await UpsertAsync(db, application, entry.Name, entry.Value, secrets.IsSecret(entry.Name) ? key : null, now, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            var rows = await db.AppVariables.AsNoTracking().Where(v => v.Application == application && names.Contains(v.Name)).ToListAsync(cancellationToken);
            return new EnvImportResult(application, entries.Count - existing.Count, existing.Count,
                rows.OrderBy(r => r.Name, StringComparer.Ordinal).Select(View).ToList());
        });
    }

    /// <summary>
    /// The app's variables with secrets decrypted, for injecting into its containers only. Throws
    /// <see cref="SecretKeyException"/> when the key is missing or wrong, never returns garbage.
    /// </summary>
    public async Task<ResolvedAppVariables> ResolveAsync(string application, CancellationToken cancellationToken)
    {
        AppVariableNames.ValidateApplication(application);
        var rows = await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.AppVariables.AsNoTracking().Where(v => v.Application == application).ToListAsync(cancellationToken);
        });
        var key = rows.Any(r => r.IsSecret) ? await keys.GetExistingAsync(cancellationToken) : null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var secretNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            if (row.IsSecret)
            {
                values[row.Name] = SecretCipher.Decrypt(key!, row.Application, row.Name, row.EncryptedValue ?? "");
                secretNames.Add(row.Name);
            }
            else
            {
                values[row.Name] = row.Value ?? "";
            }
        }

        return new ResolvedAppVariables(application, values, secretNames);
    }

    /// <summary>
    /// The key to encrypt with. When secrets are already stored, the key must open them: a lost key file is
    /// not silently replaced by a new one, and a wrong key is not mixed in beside the right one.
    /// </summary>
    private async Task<SecretKey> KeyForWritingAsync(CancellationToken cancellationToken)
    {
        var sample = await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.AppVariables.AsNoTracking().Where(v => v.IsSecret).OrderBy(v => v.Id).FirstOrDefaultAsync(cancellationToken);
        });
        if (sample is null)
        {
            return await keys.GetOrCreateAsync(cancellationToken);
        }

        try
        {
            var key = await keys.GetExistingAsync(cancellationToken);
            SecretCipher.Decrypt(key, sample.Application, sample.Name, sample.EncryptedValue ?? "");
            return key;
        }
        catch (SecretKeyException ex)
        {
            throw new SecretKeyException(
                $"not storing the secret: the database already holds secrets (e.g. {sample.Name} of app {sample.Application}) that the current key " +
                $"cannot open, and mixing keys would leave some unreadable. {ex.Message}. To start over with a new key, unset the existing secrets first.", ex);
        }
    }

    public static AppVariableView View(AppVariable row) =>
        new(row.Application, row.Name, row.IsSecret, row.IsSecret ? null : row.Value, row.IsSecret ? Mask : row.Value ?? "", row.CreatedAt, row.UpdatedAt);

    private static void ValidateValue(string name, string value, bool secret)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidInputException("value", $"the value of {name} contains a NUL character, which an environment variable cannot hold");
        }

        if (value.Length > MaxValueLength)
        {
            throw new InvalidInputException("value", $"the value of {name} is {value.Length} characters; the limit is {MaxValueLength}");
        }

        if (secret && value.Length == 0)
        {
            throw new InvalidInputException("value", $"secret {name} cannot be empty");
        }
    }

    /// <summary>INSERT ... ON CONFLICT DO UPDATE: the same statement on SQLite and PostgreSQL, atomic under concurrent sets.</summary>
    private static Task UpsertAsync(DeployMindDbContext db, string application, string name, string value, SecretKey? key, DateTime now,
        CancellationToken cancellationToken)
    {
        var secret = key is not null;
        var plain = secret ? null : value;
        var encrypted = secret ? SecretCipher.Encrypt(key!, application, name, value) : null;
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO app_variables (application, name, value, encrypted_value, is_secret, created_at, updated_at)
            VALUES ({application}, {name}, {plain}, {encrypted}, {secret}, {now}, {now})
            ON CONFLICT (application, name) DO UPDATE SET
                value = excluded.value, encrypted_value = excluded.encrypted_value,
                is_secret = excluded.is_secret, updated_at = excluded.updated_at
            """, cancellationToken);
    }
}
