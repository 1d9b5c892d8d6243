using System.Security.Cryptography;
using System.Text;

namespace DeployMind.Persistence.RuntimeConfig;

/// <summary>
/// AES-256-GCM for app secrets: base64(12-byte nonce ‖ ciphertext ‖ 16-byte tag), with the application
/// and variable name as associated data, so a ciphertext copied to another row does not decrypt.
/// </summary>
public static class SecretCipher
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static string Encrypt(SecretKey key, string application, string name, string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagBytes);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceBytes, plain.Length), output.AsSpan(NonceBytes + plain.Length), AssociatedData(application, name));
        CryptographicOperations.ZeroMemory(plain);
        return Convert.ToBase64String(output);
    }

    /// <summary>Decrypts, or throws <see cref="SecretKeyException"/> naming the variable and the key: never returns garbage.</summary>
    public static string Decrypt(SecretKey key, string application, string name, string encrypted)
    {
        byte[] data;
        try
        {
            data = Convert.FromBase64String(encrypted);
        }
        catch (FormatException ex)
        {
            throw Unreadable(key, application, name, "the stored value is not valid base64", ex);
        }

        if (data.Length < NonceBytes + TagBytes)
        {
            throw Unreadable(key, application, name, "the stored value is too short to be an encrypted secret", null);
        }

        var cipherLength = data.Length - NonceBytes - TagBytes;
        var plain = new byte[cipherLength];
        try
        {
            using var aes = new AesGcm(key.Material, TagBytes);
            aes.Decrypt(data.AsSpan(0, NonceBytes), data.AsSpan(NonceBytes, cipherLength), data.AsSpan(NonceBytes + cipherLength), plain,
                AssociatedData(application, name));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw Unreadable(key, application, name,
                "the key is not the one it was encrypted with (or the stored value was altered or copied from another variable)", ex);
        }

        var text = Encoding.UTF8.GetString(plain);
        CryptographicOperations.ZeroMemory(plain);
        return text;
    }

    private static byte[] AssociatedData(string application, string name) =>
        Encoding.UTF8.GetBytes($"deploymind:app_variables:v1\n{application}\n{name}");

    private static SecretKeyException Unreadable(SecretKey key, string application, string name, string why, Exception? inner) =>
        new($"secret {name} of app {application} cannot be decrypted with the key from {key.Source} (key id {key.Id}): {why}; " +
            $"use the original key ({SecretKeyOptions.KeyFileVariable} or {SecretKeyOptions.KeyVariable}) or set the secret again", inner);
}
