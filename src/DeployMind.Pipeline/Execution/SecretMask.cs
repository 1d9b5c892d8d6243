using System.Text;
using System.Text.Json.Nodes;

namespace DeployMind.Pipeline.Execution;

/// <summary>
/// The secret values one deployment knows (registry passwords, app secrets, tokens). Anything written to
/// the trail passes through <see cref="Apply(string)"/>, so a secret that leaks into a message or an
/// agent's output is stored as *** instead.
/// </summary>
public sealed class SecretMask
{
    private const int MinimumLength = 4;
    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            _secrets.Add(secret);
            _secrets.Add(Uri.EscapeDataString(secret));
            _secrets.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)));
        }
    }

    public string Apply(string text)
    {
        string[] secrets;
        lock (_gate)
        {
            secrets = [.. _secrets.OrderByDescending(s => s.Length)];
        }

        foreach (var secret in secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    public T Apply<T>(T node) where T : JsonNode
    {
        var text = node.ToJsonString();
        var masked = Apply(text);
        return ReferenceEquals(text, masked) || text == masked ? node : (T)JsonNode.Parse(masked)!;
    }
}
