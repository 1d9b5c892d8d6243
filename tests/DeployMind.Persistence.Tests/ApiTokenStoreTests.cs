using DeployMind.Domain;
using DeployMind.Persistence.Tokens;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.Persistence.Tests;

public abstract class ApiTokenStoreTests(IDatabaseFactory factory)
{
    private static readonly DateTime s_now = SeedExamples.At("2026-06-30 12:00:00");

    [Fact]
    public async Task Create_ReturnsThePlaintextOnce_AndStoresOnlyItsHash()
    {
        await using var test = await factory.CreateAsync();
        var store = new ApiTokenStore(test.Database, TimeProvider.System);

        var created = await store.CreateAsync("ci", ApiTokenRole.Deployer, "alice", CancellationToken.None);

        Assert.Matches("^dm_[0-9A-Za-z]{40}$", created.Plaintext);
        Assert.Matches("^tok_[0-9a-f]{16}$", created.Token.Id);
        Assert.Equal(created.Plaintext[..8], created.Token.Prefix);
        Assert.DoesNotContain(created.Plaintext, created.ToString(), StringComparison.Ordinal);
        await using var db = test.Database.CreateContext();
        var row = await db.ApiTokens.AsNoTracking().SingleAsync();
        Assert.Equal(ApiTokenStore.Hash(created.Plaintext), row.TokenHash);
        Assert.Matches("^[0-9a-f]{64}$", row.TokenHash);
        Assert.Equal("alice", row.CreatedBy);
        var everyColumn = $"{row.Id}|{row.Name}|{row.TokenHash}|{row.TokenPrefix}|{row.CreatedBy}";
        Assert.DoesNotContain(created.Plaintext, everyColumn, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Plaintext[8..], everyColumn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ValidToken_ReturnsItsIdentity_AndRecordsUseThrottled()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(s_now));
        await using var test = await factory.CreateAsync(clock);
        var store = new ApiTokenStore(test.Database, clock);
        var created = await store.CreateAsync("dashboard", ApiTokenRole.Viewer, null, CancellationToken.None);

        var identity = await store.VerifyAsync(created.Plaintext, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(10));
        await store.VerifyAsync(created.Plaintext, CancellationToken.None);
        var afterShortPause = (await store.ListAsync(CancellationToken.None)).Single().LastUsedAt;
        clock.Advance(TimeSpan.FromMinutes(2));
        await store.VerifyAsync(created.Plaintext, CancellationToken.None);
        var later = (await store.ListAsync(CancellationToken.None)).Single().LastUsedAt;

        Assert.Equal(new ApiTokenIdentity(created.Token.Id, "dashboard", ApiTokenRole.Viewer), identity);
        Assert.Equal(s_now, afterShortPause);
        Assert.Equal(s_now.AddSeconds(10).AddMinutes(2), later);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("dm_")]
    [InlineData("Bearer dm_abc")]
    [InlineData("dm_' OR '1'='1")]
    [InlineData("dm_0000000000000000000000000000000000000000")]
    public async Task Verify_MalformedOrUnknown_ReturnsNull(string? presented)
    {
        await using var test = await factory.CreateAsync();
        var store = new ApiTokenStore(test.Database, TimeProvider.System);
        await store.CreateAsync("ci", ApiTokenRole.Admin, null, CancellationToken.None);

        Assert.Null(await store.VerifyAsync(presented, CancellationToken.None));
    }

    [Fact]
    public async Task Verify_SamePrefixDifferentSecret_ReturnsNull()
    {
        await using var test = await factory.CreateAsync();
        var store = new ApiTokenStore(test.Database, TimeProvider.System);
        var created = await store.CreateAsync("ci", ApiTokenRole.Admin, null, CancellationToken.None);
        var forged = created.Plaintext[..^1] + (created.Plaintext[^1] == 'a' ? 'b' : 'a');

        Assert.Null(await store.VerifyAsync(forged, CancellationToken.None));
    }

    [Fact]
    public async Task Revoke_ByIdPrefixOrPlaintext_StopsVerification()
    {
        await using var test = await factory.CreateAsync();
        var store = new ApiTokenStore(test.Database, TimeProvider.System);
        var byId = await store.CreateAsync("one", ApiTokenRole.Admin, null, CancellationToken.None);
        var byPrefix = await store.CreateAsync("two", ApiTokenRole.Deployer, null, CancellationToken.None);
        var byPlaintext = await store.CreateAsync("three", ApiTokenRole.Viewer, null, CancellationToken.None);
        var kept = await store.CreateAsync("four", ApiTokenRole.Viewer, null, CancellationToken.None);

        Assert.False((await store.RevokeAsync(byId.Token.Id, CancellationToken.None)).AlreadyRevoked);
        await store.RevokeAsync(byPrefix.Token.Prefix, CancellationToken.None);
        await store.RevokeAsync(byPlaintext.Plaintext, CancellationToken.None);
        var again = await store.RevokeAsync(byId.Token.Id, CancellationToken.None);

        Assert.True(again.AlreadyRevoked);
        Assert.Null(await store.VerifyAsync(byId.Plaintext, CancellationToken.None));
        Assert.Null(await store.VerifyAsync(byPrefix.Plaintext, CancellationToken.None));
        Assert.Null(await store.VerifyAsync(byPlaintext.Plaintext, CancellationToken.None));
        Assert.NotNull(await store.VerifyAsync(kept.Plaintext, CancellationToken.None));
        var listed = await store.ListAsync(CancellationToken.None);
        Assert.Equal(["one", "two", "three", "four"], listed.Select(t => t.Name));
        Assert.Equal([true, true, true, false], listed.Select(t => t.Revoked));
        Assert.Equal(["four"], (await store.ListAsync(CancellationToken.None, includeRevoked: false)).Select(t => t.Name));
    }

    [Fact]
    public async Task Revoke_UnknownOrMalformed_FailsClearly()
    {
        await using var test = await factory.CreateAsync();
        var store = new ApiTokenStore(test.Database, TimeProvider.System);

        await Assert.ThrowsAsync<NotFoundException>(() => store.RevokeAsync("tok_0000000000000000", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => store.RevokeAsync("whatever", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => store.RevokeAsync(" ", CancellationToken.None));
    }

    [Fact]
    public async Task Create_BadNameOrRole_IsRejected()
    {
        await using var test = await factory.CreateAsync();
        var store = new ApiTokenStore(test.Database, TimeProvider.System);

        Assert.Equal("name", (await Assert.ThrowsAsync<InvalidInputException>(() => store.CreateAsync(" ", ApiTokenRole.Viewer, null, CancellationToken.None))).Field);
        Assert.Equal("name", (await Assert.ThrowsAsync<InvalidInputException>(() => store.CreateAsync("a\nb", ApiTokenRole.Viewer, null, CancellationToken.None))).Field);
        Assert.Equal("role", (await Assert.ThrowsAsync<InvalidInputException>(() => store.CreateAsync("x", (ApiTokenRole)7, null, CancellationToken.None))).Field);
    }

    [Fact]
    public async Task Roles_AreStoredAsLowercaseWireValuesAndOrdered()
    {
        await using var test = await factory.CreateAsync();
        var store = new ApiTokenStore(test.Database, TimeProvider.System);
        await store.CreateAsync("x", ApiTokenRole.Deployer, null, CancellationToken.None);
        await using var db = test.Database.CreateContext();

        Assert.Equal("deployer", await db.Database.SqlQueryRaw<string>("SELECT role AS \"Value\" FROM api_tokens").SingleAsync());
        Assert.True(ApiTokenRole.Admin.Allows(ApiTokenRole.Deployer));
        Assert.True(ApiTokenRole.Deployer.Allows(ApiTokenRole.Viewer));
        Assert.False(ApiTokenRole.Viewer.Allows(ApiTokenRole.Deployer));
        Assert.Equal(ApiTokenRole.Admin, WireValues.Parse<ApiTokenRole>("admin", "role"));
    }
}

public sealed class SqliteApiTokenStoreTests() : ApiTokenStoreTests(new SqliteFactory());

[Collection(PostgresCollection.Name)]
public sealed class PostgresApiTokenStoreTests(PostgresServer server) : ApiTokenStoreTests(new PostgresFactory(server));
