namespace DeployMind.Build.Docker;

/// <summary>Replaces known secret values with <c>***</c> before a line is shown, logged or stored.</summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";

    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string> secrets) =>
        // Longest first, so a secret containing another is masked whole.
        _secrets = secrets.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length).ToArray();

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
