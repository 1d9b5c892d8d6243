using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DeployMind.Deploy.Targets;

/// <summary>What a known_hosts file says about a host key.</summary>
public enum HostKeyVerdict
{
    /// <summary>The file lists this exact key for the host.</summary>
    Trusted,

    /// <summary>The file lists no key of this type for the host.</summary>
    Unknown,

    /// <summary>The file lists a different key of the same type for the host (or marks this key revoked).</summary>
    Changed,
}

/// <summary>The outcome of checking one host key, with the line that decided it.</summary>
public sealed record HostKeyCheck(HostKeyVerdict Verdict, string KeyType, string FingerprintSha256, int? Line, string? Detail);

/// <summary>
/// An OpenSSH known_hosts file: plain (<c>host</c>, <c>[host]:port</c>, comma lists, <c>*</c>/<c>?</c> wildcards,
/// <c>!</c> negation) and hashed (<c>|1|salt|hash</c>) host patterns, and <c>@revoked</c> markers.
/// </summary>
public sealed class KnownHosts
{
    private readonly List<Entry> _entries;

    private KnownHosts(string path, bool exists, List<Entry> entries)
    {
        Path = path;
        Exists = exists;
        _entries = entries;
    }

    public string Path { get; }

    /// <summary>False when the file did not exist (every host is then unknown).</summary>
    public bool Exists { get; }

    public static KnownHosts Load(string path)
    {
        if (!File.Exists(path))
        {
            return new KnownHosts(path, false, []);
        }

        return Parse(path, File.ReadAllLines(path));
    }

    public static KnownHosts Parse(string path, IEnumerable<string> lines)
    {
        var entries = new List<Entry>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var marker = (string?)null;
            if (fields[0].StartsWith('@'))
            {
                marker = fields[0];
                fields = fields[1..];
            }

            if (fields.Length < 3 || marker == "@cert-authority")
            {
                continue;
            }

            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(fields[2]);
            }
            catch (FormatException)
            {
                continue;
            }

            entries.Add(new Entry(number, fields[0], KeyTypeOf(blob) ?? fields[1], blob, marker == "@revoked"));
        }

        return new KnownHosts(path, true, entries);
    }

    /// <summary>The name a host is listed under: <c>host</c> on port 22, <c>[host]:port</c> otherwise.</summary>
    public static string HostName(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    /// <summary>As <c>ssh</c> prints it: <c>SHA256:</c> and unpadded base64 of the key blob's SHA-256.</summary>
    public static string FingerprintSha256(byte[] keyBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    /// <summary>The key type written inside an SSH public key blob (e.g. <c>ssh-ed25519</c>, <c>ssh-rsa</c>).</summary>
    public static string? KeyTypeOf(byte[] blob)
    {
        if (blob.Length < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        return length == 0 || length > 64 || length > blob.Length - 4 ? null : Encoding.ASCII.GetString(blob, 4, (int)length);
    }

    /// <summary>A known_hosts line for the key, in the plain form (<c>[host]:port type base64</c>).</summary>
    public static string FormatLine(string host, int port, byte[] keyBlob) =>
        $"{HostName(host, port)} {KeyTypeOf(keyBlob)} {Convert.ToBase64String(keyBlob)}";

    public HostKeyCheck Check(string host, int port, byte[] keyBlob)
    {
        var type = KeyTypeOf(keyBlob) ?? "unknown";
        var fingerprint = FingerprintSha256(keyBlob);
        var name = HostName(host, port);
        var matching = _entries.Where(e => e.Matches(name)).ToList();
        if (matching.FirstOrDefault(e => e.Revoked && e.Blob.AsSpan().SequenceEqual(keyBlob)) is { } revoked)
        {
            return new HostKeyCheck(HostKeyVerdict.Changed, type, fingerprint, revoked.Line, "the key is marked @revoked");
        }

        var sameType = matching.Where(e => !e.Revoked && e.KeyType == type).ToList();
        if (sameType.FirstOrDefault(e => e.Blob.AsSpan().SequenceEqual(keyBlob)) is { } trusted)
        {
            return new HostKeyCheck(HostKeyVerdict.Trusted, type, fingerprint, trusted.Line, null);
        }

        if (sameType.Count > 0)
        {
            return new HostKeyCheck(HostKeyVerdict.Changed, type, fingerprint, sameType[0].Line,
                $"line {sameType[0].Line} lists a different {type} key ({FingerprintSha256(sameType[0].Blob)})");
        }

        var otherTypes = matching.Where(e => !e.Revoked).Select(e => e.KeyType).Distinct().ToList();
        return new HostKeyCheck(HostKeyVerdict.Unknown, type, fingerprint, null,
            otherTypes.Count == 0 ? null : $"it lists only {string.Join(", ", otherTypes)} keys for this host");
    }

    private sealed record Entry(int Line, string Patterns, string KeyType, byte[] Blob, bool Revoked)
    {
        public bool Matches(string name)
        {
            if (Patterns.StartsWith("|1|", StringComparison.Ordinal))
            {
                return HashedMatches(Patterns, name);
            }

            var matched = false;
            foreach (var pattern in Patterns.Split(','))
            {
                if (pattern.StartsWith('!'))
                {
                    if (Glob(pattern[1..], name))
                    {
                        return false;
                    }
                }
                else if (Glob(pattern, name))
                {
                    matched = true;
                }
            }

            return matched;
        }

        private static bool HashedMatches(string pattern, string name)
        {
            var parts = pattern.Split('|');
            if (parts.Length != 4)
            {
                return false;
            }

            try
            {
                var salt = Convert.FromBase64String(parts[2]);
                var hash = Convert.FromBase64String(parts[3]);
                // OpenSSH's HashKnownHosts format is defined as HMAC-SHA1; it hides names, it does not authenticate.
#pragma warning disable CA5350
                var computed = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
#pragma warning restore CA5350
                return CryptographicOperations.FixedTimeEquals(computed, hash);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        // OpenSSH's match_pattern: '*' any run, '?' one character, case-insensitive for host names.
        private static bool Glob(string pattern, string text)
        {
            int p = 0, t = 0, star = -1, mark = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
                {
                    p++;
                    t++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    star = p++;
                    mark = t;
                }
                else if (star >= 0)
                {
                    p = star + 1;
                    t = ++mark;
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }
    }
}
