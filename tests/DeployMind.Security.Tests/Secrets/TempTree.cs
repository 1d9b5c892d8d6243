namespace DeployMind.Security.Tests.Secrets;

/// <summary>A throw-away directory for scanner tests, deleted on dispose.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "deploymind-sec-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string WriteBytes(string relativePath, byte[] content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; the test result is what matters.
        }
    }
}

/// <summary>Builds syntactically valid, obviously fake tokens from a fixed seed, so no real secret is ever in the source.</summary>
internal static class Fake
{
    public const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    public const string Hex = "0123456789abcdef";
    public const string UpperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    public const string Base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    public const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const string UrlSafe = Alnum + "_-";
    public const string Base64 = Alnum + "+/";
    public const string Digits = "0123456789";
    public const string Bech32Upper = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

    private static readonly Random s_random = new(20261128);
    private static readonly Lock s_lock = new();

    public static string Chars(string alphabet, int length)
    {
        lock (s_lock)
        {
            var chars = new char[length];
            for (var i = 0; i < length; i++)
            {
                chars[i] = alphabet[s_random.Next(alphabet.Length)];
            }

            // A token body never ends in '-' or '_' here, so word-boundary rules see the whole token.
            if (length > 0 && !char.IsAsciiLetterOrDigit(chars[^1]))
            {
                chars[^1] = alphabet[0];
            }

            return new string(chars);
        }
    }

    public static string Uuid() => $"{Chars(Hex, 8)}-{Chars(Hex, 4)}-{Chars(Hex, 4)}-{Chars(Hex, 4)}-{Chars(Hex, 12)}";
}
