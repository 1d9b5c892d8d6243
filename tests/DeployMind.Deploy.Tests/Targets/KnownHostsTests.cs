using System.Security.Cryptography;
using System.Text;
using DeployMind.Deploy.Targets;

namespace DeployMind.Deploy.Tests.Targets;

public sealed class KnownHostsTests
{
    private static readonly byte[] s_keyA = Blob("ssh-ed25519", 1);
    private static readonly byte[] s_keyB = Blob("ssh-ed25519", 2);
    private static readonly byte[] s_rsa = Blob("ssh-rsa", 3);

    [Fact]
    public void Check_PlainHostOnPort22_AndBracketedHostPort()
    {
        var known = Parse($"example.com {Line(s_keyA)}", $"[10.0.0.5]:2222 {Line(s_keyB)}");

        Assert.Equal(HostKeyVerdict.Trusted, known.Check("example.com", 22, s_keyA).Verdict);
        Assert.Equal(HostKeyVerdict.Changed, known.Check("example.com", 22, s_keyB).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, known.Check("example.com", 2222, s_keyA).Verdict);
        Assert.Equal(HostKeyVerdict.Trusted, known.Check("10.0.0.5", 2222, s_keyB).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, known.Check("10.0.0.5", 22, s_keyB).Verdict);
    }

    [Fact]
    public void Check_CommaListsWildcardsAndNegation()
    {
        var known = Parse($"web-*.example.com,!web-evil.example.com,db?.internal {Line(s_keyA)}");

        Assert.Equal(HostKeyVerdict.Trusted, known.Check("web-1.example.com", 22, s_keyA).Verdict);
        Assert.Equal(HostKeyVerdict.Trusted, known.Check("WEB-2.EXAMPLE.COM", 22, s_keyA).Verdict);
        Assert.Equal(HostKeyVerdict.Trusted, known.Check("db1.internal", 22, s_keyA).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, known.Check("db10.internal", 22, s_keyA).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, known.Check("web-evil.example.com", 22, s_keyA).Verdict);
    }

    [Fact]
    public void Check_HashedEntries_MatchTheirHostOnly()
    {
        var known = Parse($"{Hashed("[127.0.0.1]:2201")} {Line(s_keyA)}", $"{Hashed("host.example")} {Line(s_keyB)}");

        Assert.Equal(HostKeyVerdict.Trusted, known.Check("127.0.0.1", 2201, s_keyA).Verdict);
        Assert.Equal(HostKeyVerdict.Changed, known.Check("127.0.0.1", 2201, s_keyB).Verdict);
        Assert.Equal(HostKeyVerdict.Trusted, known.Check("host.example", 22, s_keyB).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, known.Check("127.0.0.1", 2202, s_keyA).Verdict);
    }

    [Fact]
    public void Check_OtherKeyTypeListed_IsUnknownNotChanged_AndSaysWhichTypes()
    {
        var known = Parse($"host {Line(s_rsa)}");

        var check = known.Check("host", 22, s_keyA);

        Assert.Equal(HostKeyVerdict.Unknown, check.Verdict);
        Assert.Contains("ssh-rsa", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RevokedKey_IsRefused_CommentsAndCaLinesIgnored()
    {
        var known = Parse("# comment", "", $"@cert-authority *.example {Line(s_keyB)}", $"@revoked * {Line(s_keyA)}", $"host {Line(s_keyA)}");

        var check = known.Check("host", 22, s_keyA);

        Assert.Equal(HostKeyVerdict.Changed, check.Verdict);
        Assert.Contains("@revoked", check.Detail, StringComparison.Ordinal);
        Assert.Equal(HostKeyVerdict.Unknown, known.Check("a.example", 22, s_keyB).Verdict);
    }

    [Fact]
    public void Fingerprint_MatchesSshKeygenFormat()
    {
        var fingerprint = KnownHosts.FingerprintSha256(s_keyA);

        Assert.StartsWith("SHA256:", fingerprint, StringComparison.Ordinal);
        Assert.DoesNotContain("=", fingerprint, StringComparison.Ordinal);
        Assert.Equal("ssh-ed25519", KnownHosts.KeyTypeOf(s_keyA));
        Assert.Equal($"[h]:2200 ssh-ed25519 {Convert.ToBase64String(s_keyA)}", KnownHosts.FormatLine("h", 2200, s_keyA));
    }

    private static KnownHosts Parse(params string[] lines) => KnownHosts.Parse("/tmp/known_hosts", lines);

    private static string Line(byte[] blob) => $"{KnownHosts.KeyTypeOf(blob)} {Convert.ToBase64String(blob)}";

    private static byte[] Blob(string type, byte seed)
    {
        var typeBytes = Encoding.ASCII.GetBytes(type);
        var blob = new byte[4 + typeBytes.Length + 4 + 32];
        blob[3] = (byte)typeBytes.Length;
        typeBytes.CopyTo(blob, 4);
        blob[4 + typeBytes.Length + 3] = 32;
        for (var i = 0; i < 32; i++)
        {
            blob[^(i + 1)] = (byte)(seed * 31 + i);
        }

        return blob;
    }

    private static string Hashed(string host)
    {
        var salt = RandomNumberGenerator.GetBytes(20);
#pragma warning disable CA5350 // OpenSSH's hashed known_hosts format is HMAC-SHA1.
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(host));
#pragma warning restore CA5350
        return $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)}";
    }
}
