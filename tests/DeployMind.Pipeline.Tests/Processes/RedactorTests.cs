using System.Text;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Pipeline.Tests.Processes;

public sealed class RedactorTests
{
    private const string Secret = "ghp_Ab/cD+eF gh=12345";

    [Fact]
    public void Redact_SecretAsWrittenUrlEncodedAndBase64_AllMasked()
    {
        var redactor = new Redactor(Secret);
        var text = $"plain {Secret} url {Uri.EscapeDataString(Secret)} form {System.Net.WebUtility.UrlEncode(Secret)} " +
                   $"b64 {Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret))}";

        var redacted = redactor.Redact(text);

        Assert.Equal("plain *** url *** form *** b64 ***", redacted);
    }

    [Theory]
    [InlineData("x-access-token:")]
    [InlineData("x-access-token:a")]
    [InlineData("x-access-token:ab")]
    public void Redact_SecretInsideLongerBase64_NoneOfItsEncodingLeft(string prefix)
    {
        var redactor = new Redactor(Secret);
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + Secret));

        var redacted = redactor.Redact($"AUTHORIZATION: basic {header}");

        Assert.Contains(Redactor.Mask, redacted, StringComparison.Ordinal);
        // What is left is at most the prefix's own characters and the partial groups around the secret.
        Assert.True(redacted.Length < "AUTHORIZATION: basic ".Length + 30, redacted);
    }

    [Theory]
    [InlineData("clone https://bob:hunter2@example.com/x.git failed", "clone https://bob:***@example.com/x.git failed")]
    [InlineData("remote https://ghp_token123@github.com/a/b", "remote https://***@github.com/a/b")]
    [InlineData("ssh://git@example.com/a/b.git", "ssh://git@example.com/a/b.git")]
    [InlineData("https://github.com/a/b.git", "https://github.com/a/b.git")]
    public void Redact_UrlCredentials_PasswordAndTokenUsersMasked(string text, string expected)
    {
        Assert.Equal(expected, Redactor.None.Redact(text));
    }

    [Fact]
    public void Redact_EmptySecretsIgnored_TextUnchanged()
    {
        var redactor = new Redactor("", null);

        Assert.Equal("nothing to hide", redactor.Redact("nothing to hide"));
        Assert.Empty(redactor.Secrets);
    }
}
