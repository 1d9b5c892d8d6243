using System.Text.Json.Nodes;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Pipeline.Execution;

/// <summary>
/// The secret values one deployment knows (registry passwords, app secrets, tokens), growing as agents
/// resolve them. Anything written to the trail passes through <see cref="Apply(string)"/>, so a secret that
/// leaks into a message or an agent's output is stored as *** instead.
/// </summary>
public sealed class SecretMask
{
    private Redactor _redactor = Redactor.None;

    /// <summary>The current secrets, for handing to a process run.</summary>
    public Redactor Redactor => Volatile.Read(ref _redactor);

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        Redactor current, next;
        do
        {
            current = Volatile.Read(ref _redactor);
            next = current.With(secret);
        }
        while (Interlocked.CompareExchange(ref _redactor, next, current) != current);
    }

    public string Apply(string text) => Redactor.Redact(text);

    public T Apply<T>(T node) where T : JsonNode
    {
        var text = node.ToJsonString();
        var masked = Apply(text);
        return text == masked ? node : (T)JsonNode.Parse(masked)!;
    }
}
