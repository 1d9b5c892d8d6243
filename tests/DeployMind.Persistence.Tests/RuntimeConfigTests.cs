using System.Text;
using DeployMind.Domain;
using DeployMind.Persistence.RuntimeConfig;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DeployMind.Persistence.Tests;

public abstract class RuntimeConfigTests(IDatabaseFactory factory) : IDisposable
{
    private const string Secret = "hunter2-Sup3r-S3cret-value";
    private readonly TempDirectory _keys = new("deploymind-keys");

    public void Dispose() => _keys.Dispose();

    internal static AppVariableStore Store(TestDatabase test, string keyFile, TimeProvider? clock = null) =>
        new(test.Database, new SecretKeyRing(Options.Create(new SecretKeyOptions { KeyFile = keyFile }), Options.Create(new DatabaseOptions())),
            clock ?? TimeProvider.System);

    [Fact]
    public async Task SetSecret_ResolvesToThePlaintext_AndIsStoredOnlyEncrypted()
    {
        await using var test = await factory.CreateAsync();
        var store = Store(test, _keys.Combine("secret.key"));

        var set = await store.SetAsync("storefront", "API_KEY", Secret, secret: true, CancellationToken.None);
        await store.SetAsync("storefront", "LOG_LEVEL", "debug", secret: false, CancellationToken.None);
        var resolved = await store.ResolveAsync("storefront", CancellationToken.None);

        Assert.True(set.Created);
        Assert.Equal(AppVariableStore.Mask, set.Variable.Display);
        Assert.Null(set.Variable.Value);
        Assert.Equal(Secret, resolved.Values["API_KEY"]);
        Assert.Equal("debug", resolved.Values["LOG_LEVEL"]);
        Assert.Equal(["API_KEY"], resolved.SecretNames);
        Assert.Equal([Secret], resolved.SecretValues);
        Assert.DoesNotContain(Secret, resolved.ToString(), StringComparison.Ordinal);
        await using var db = test.Database.CreateContext();
        var row = await db.AppVariables.SingleAsync(v => v.Name == "API_KEY");
        Assert.Null(row.Value);
        Assert.True(row.IsSecret);
        Assert.DoesNotContain(Secret, row.EncryptedValue!, StringComparison.Ordinal);
        // nonce (12) + ciphertext + tag (16)
        Assert.Equal(12 + Encoding.UTF8.GetByteCount(Secret) + 16, Convert.FromBase64String(row.EncryptedValue!).Length);
    }

    [Fact]
    public async Task KeyFile_CreatedOnFirstSecretWith0600()
    {
        await using var test = await factory.CreateAsync();
        var keyFile = _keys.Combine("nested", "secret.key");
        var store = Store(test, keyFile);

        await store.SetAsync("storefront", "PLAIN", "1", secret: false, CancellationToken.None);
        Assert.False(File.Exists(keyFile));
        await store.SetAsync("storefront", "TOKEN", Secret, secret: true, CancellationToken.None);

        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(keyFile).Trim()).Length);
        Assert.Null(store.Keys.PermissionWarning);
    }

    [Fact]
    public async Task ListAndGet_NeverReturnSecretValues()
    {
        await using var test = await factory.CreateAsync();
        var store = Store(test, _keys.Combine("secret.key"));
        await store.SetAsync("storefront", "API_KEY", Secret, secret: true, CancellationToken.None);
        await store.SetAsync("storefront", "REGION", "eu-west-1", secret: false, CancellationToken.None);
        await store.SetAsync("other-app", "API_KEY", "other", secret: false, CancellationToken.None);

        var list = await store.ListAsync("storefront", CancellationToken.None);
        var one = await store.GetAsync("storefront", "API_KEY", CancellationToken.None);

        Assert.Equal(["API_KEY", "REGION"], list.Select(v => v.Name));
        Assert.Equal(AppVariableStore.Mask, list[0].Display);
        Assert.Null(list[0].Value);
        Assert.Equal("eu-west-1", list[1].Value);
        Assert.DoesNotContain(list, v => (v.Value ?? "").Contains("hunter", StringComparison.Ordinal) || v.Display.Contains("hunter", StringComparison.Ordinal));
        Assert.Null(one!.Value);
        Assert.Equal(["other-app", "storefront"], await store.ListApplicationsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DatabaseWithoutItsKey_ListsMaskedButRevealsNothing()
    {
        await using var test = await factory.CreateAsync();
        await Store(test, _keys.Combine("secret.key")).SetAsync("storefront", "API_KEY", Secret, secret: true, CancellationToken.None);

        // Another machine: the same database, no key file.
        var thief = Store(test, _keys.Combine("elsewhere", "secret.key"));
        var list = await thief.ListAsync("storefront", CancellationToken.None);
        var error = await Assert.ThrowsAsync<SecretKeyException>(() => thief.ResolveAsync("storefront", CancellationToken.None));

        Assert.Equal(AppVariableStore.Mask, list.Single().Display);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_keys.Combine("elsewhere", "secret.key")), "resolving must not invent a key");
        await using var db = test.Database.CreateContext();
        var everything = await db.AppVariables.AsNoTracking().ToListAsync();
        Assert.DoesNotContain(everything, v => $"{v.Value}|{v.EncryptedValue}|{v.Name}".Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongKey_FailsWithAClearErrorNotGarbage()
    {
        await using var test = await factory.CreateAsync();
        await Store(test, _keys.Combine("secret.key")).SetAsync("storefront", "API_KEY", Secret, secret: true, CancellationToken.None);
        var otherKey = _keys.Combine("other.key");
        SecretKeyRing.CreateKeyFile(otherKey);

        var error = await Assert.ThrowsAsync<SecretKeyException>(() => Store(test, otherKey).ResolveAsync("storefront", CancellationToken.None));

        Assert.Contains("API_KEY", error.Message, StringComparison.Ordinal);
        Assert.Contains("storefront", error.Message, StringComparison.Ordinal);
        Assert.Contains(otherKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("not the one it was encrypted with", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetSecret_KeyFileLostOrWrong_RefusesInsteadOfMixingKeys()
    {
        await using var test = await factory.CreateAsync();
        await Store(test, _keys.Combine("secret.key")).SetAsync("storefront", "API_KEY", Secret, secret: true, CancellationToken.None);
        var otherKey = _keys.Combine("other.key");
        SecretKeyRing.CreateKeyFile(otherKey);

        var lost = await Assert.ThrowsAsync<SecretKeyException>(() =>
            Store(test, _keys.Combine("lost", "secret.key")).SetAsync("storefront", "NEW", "x", secret: true, CancellationToken.None));
        var wrong = await Assert.ThrowsAsync<SecretKeyException>(() =>
            Store(test, otherKey).ImportAsync("storefront", "NEW=x\n", EnvImportSecrets.AllOf(), CancellationToken.None));

        Assert.Contains("already holds secrets", lost.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", lost.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_keys.Combine("lost", "secret.key")), "a lost key must not be replaced silently");
        Assert.Contains("not the one it was encrypted with", wrong.Message, StringComparison.Ordinal);
        await Store(test, otherKey).SetAsync("storefront", "PLAIN_STILL_OK", "1", secret: false, CancellationToken.None);
        await Store(test, _keys.Combine("secret.key")).SetAsync("storefront", "NEW", "x", secret: true, CancellationToken.None);
        Assert.Equal(3, (await Store(test, _keys.Combine("secret.key")).ResolveAsync("storefront", CancellationToken.None)).Values.Count);
    }

    [Fact]
    public async Task CiphertextMovedToAnotherRow_DoesNotDecrypt()
    {
        await using var test = await factory.CreateAsync();
        var store = Store(test, _keys.Combine("secret.key"));
        await store.SetAsync("storefront", "ADMIN_PASSWORD", Secret, secret: true, CancellationToken.None);
        await store.SetAsync("attacker", "ECHO_ME", "placeholder", secret: true, CancellationToken.None);
        await using (var db = test.Database.CreateContext())
        {
            var stolen = await db.AppVariables.Where(v => v.Name == "ADMIN_PASSWORD").Select(v => v.EncryptedValue).SingleAsync();
            await db.AppVariables.Where(v => v.Name == "ECHO_ME").ExecuteUpdateAsync(s => s.SetProperty(v => v.EncryptedValue, stolen));
        }

        await Assert.ThrowsAsync<SecretKeyException>(() => store.ResolveAsync("attacker", CancellationToken.None));
        Assert.Equal(Secret, (await store.ResolveAsync("storefront", CancellationToken.None)).Values["ADMIN_PASSWORD"]);
    }

    [Fact]
    public async Task KeyFromEnvironmentValue_WorksAndMalformedKeysAreRejected()
    {
        await using var test = await factory.CreateAsync();
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        AppVariableStore WithKey(string k) => new(test.Database,
            new SecretKeyRing(Options.Create(new SecretKeyOptions { Key = k, KeyFile = _keys.Combine("unused.key") }), Options.Create(new DatabaseOptions())),
            TimeProvider.System);

        await WithKey(key).SetAsync("storefront", "TOKEN", Secret, secret: true, CancellationToken.None);

        Assert.Equal(Secret, (await WithKey(key).ResolveAsync("storefront", CancellationToken.None)).Values["TOKEN"]);
        Assert.False(File.Exists(_keys.Combine("unused.key")));
        var shortKey = await Assert.ThrowsAsync<SecretKeyException>(() => WithKey(Convert.ToBase64String(new byte[16])).ResolveAsync("storefront", CancellationToken.None));
        Assert.Contains("16 bytes", shortKey.Message, StringComparison.Ordinal);
        var notBase64 = await Assert.ThrowsAsync<SecretKeyException>(() => WithKey("not base64!").ResolveAsync("storefront", CancellationToken.None));
        Assert.Contains(SecretKeyOptions.KeyVariable, notBase64.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetAgainAndUnset_ReplaceAndRemove()
    {
        await using var test = await factory.CreateAsync();
        var store = Store(test, _keys.Combine("secret.key"));
        await store.SetAsync("storefront", "MODE", "a", secret: true, CancellationToken.None);

        var second = await store.SetAsync("storefront", "MODE", "plain-now", secret: false, CancellationToken.None);

        Assert.False(second.Created);
        Assert.Equal("plain-now", second.Variable.Value);
        await using (var db = test.Database.CreateContext())
        {
            var row = await db.AppVariables.SingleAsync();
            Assert.Null(row.EncryptedValue);
            Assert.False(row.IsSecret);
        }

        Assert.True(await store.UnsetAsync("storefront", "MODE", CancellationToken.None));
        Assert.False(await store.UnsetAsync("storefront", "MODE", CancellationToken.None));
        Assert.Empty(await store.ListAsync("storefront", CancellationToken.None));
    }

    [Fact]
    public async Task Import_ValidFile_StoresAllWithChosenSecrets()
    {
        await using var test = await factory.CreateAsync();
        var store = Store(test, _keys.Combine("secret.key"));
        await store.SetAsync("storefront", "LOG_LEVEL", "info", secret: false, CancellationToken.None);

        var result = await store.ImportAsync("storefront", "LOG_LEVEL=debug\nDB_PASSWORD=\"p@ss word\"\nPORT=8080\n",
            EnvImportSecrets.Only(["DB_PASSWORD"]), CancellationToken.None);

        Assert.Equal(2, result.Created);
        Assert.Equal(1, result.Updated);
        Assert.Equal(AppVariableStore.Mask, result.Variables.Single(v => v.Name == "DB_PASSWORD").Display);
        var resolved = await store.ResolveAsync("storefront", CancellationToken.None);
        Assert.Equal("p@ss word", resolved.Values["DB_PASSWORD"]);
        Assert.Equal("debug", resolved.Values["LOG_LEVEL"]);
        Assert.Equal(["DB_PASSWORD"], resolved.SecretNames);
    }

    [Fact]
    public async Task Import_FileWithErrors_WritesNothingAndReportsEveryLine()
    {
        await using var test = await factory.CreateAsync();
        var store = Store(test, _keys.Combine("secret.key"));

        var error = await Assert.ThrowsAsync<EnvFileException>(() =>
            store.ImportAsync("storefront", "A=1\nB C=2\nD=3\n4E=5\n", EnvImportSecrets.AllOf(), CancellationToken.None, "app.env"));

        Assert.Equal([2, 4], error.Errors.Select(e => e.Line));
        Assert.Contains("app.env:2:", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListAsync("storefront", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() =>
            store.ImportAsync("storefront", "A=1\n", EnvImportSecrets.Only(["A", "MISSING"]), CancellationToken.None));
    }

    [Fact]
    public async Task InvalidNamesAndValues_AreRejectedNamingTheField()
    {
        await using var test = await factory.CreateAsync();
        var store = Store(test, _keys.Combine("secret.key"));

        Assert.Equal("app", (await Assert.ThrowsAsync<InvalidInputException>(() => store.SetAsync("Store Front", "A", "1", false, CancellationToken.None))).Field);
        Assert.Equal("name", (await Assert.ThrowsAsync<InvalidInputException>(() => store.SetAsync("storefront", "A-B", "1", false, CancellationToken.None))).Field);
        Assert.Equal("name", (await Assert.ThrowsAsync<InvalidInputException>(() => store.SetAsync("storefront", "x'; DROP TABLE app_variables;--", "1", false, CancellationToken.None))).Field);
        Assert.Equal("value", (await Assert.ThrowsAsync<InvalidInputException>(() => store.SetAsync("storefront", "A", "a\0b", false, CancellationToken.None))).Field);
        Assert.Equal("value", (await Assert.ThrowsAsync<InvalidInputException>(() => store.SetAsync("storefront", "A", "", true, CancellationToken.None))).Field);
    }

    [Fact]
    public async Task ConcurrentSetsOfOneName_LeaveExactlyOneRow()
    {
        await using var test = await factory.CreateAsync();
        var store = Store(test, _keys.Combine("secret.key"));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            store.SetAsync("storefront", "RACE", $"value-{i}", secret: i % 2 == 0, CancellationToken.None))));

        var resolved = await store.ResolveAsync("storefront", CancellationToken.None);
        Assert.StartsWith("value-", resolved.Values["RACE"], StringComparison.Ordinal);
        await using var db = test.Database.CreateContext();
        Assert.Equal(1, await db.AppVariables.CountAsync());
    }
}

public sealed class SqliteRuntimeConfigTests() : RuntimeConfigTests(new SqliteFactory())
{
    [Fact]
    public async Task DatabaseFileCopiedWithoutKey_ContainsNoSecretBytes()
    {
        using var keys = new TempDirectory("deploymind-keys");
        await using var test = await TestDatabase.SqliteAsync();
        await Store(test, keys.Combine("secret.key")).SetAsync("storefront", "API_KEY", "very-distinctive-secret-4711", secret: true, CancellationToken.None);
        await using (var db = test.Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        var file = test.Url["sqlite://".Length..];
        var bytes = string.Concat(new[] { file, file + "-wal" }.Where(File.Exists).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));

        Assert.Contains("API_KEY", bytes, StringComparison.Ordinal);
        Assert.DoesNotContain("very-distinctive-secret-4711", bytes, StringComparison.Ordinal);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRuntimeConfigTests(PostgresServer server) : RuntimeConfigTests(new PostgresFactory(server));
