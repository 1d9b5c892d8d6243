namespace DeployMind.Pipeline.Configuration;

/// <summary>The secret values an <see cref="AppConfig"/> references, read at deployment time and never stored.</summary>
public sealed class ResolvedSecrets
{
    internal ResolvedSecrets(IReadOnlyDictionary<string, SecretValue> environment,
        IReadOnlyDictionary<string, SecretValue> buildSecrets, SecretValue? registryPassword,
        IReadOnlyDictionary<string, SecretValue> targetKeys)
    {
        Environment = environment;
        BuildSecrets = buildSecrets;
        RegistryPassword = registryPassword;
        TargetKeys = targetKeys;
    }

    /// <summary>The app container's secret environment variables, by variable name.</summary>
    public IReadOnlyDictionary<string, SecretValue> Environment { get; }

    /// <summary>Build secrets, by id.</summary>
    public IReadOnlyDictionary<string, SecretValue> BuildSecrets { get; }

    public SecretValue? RegistryPassword { get; }

    /// <summary>SSH private keys, by target name.</summary>
    public IReadOnlyDictionary<string, SecretValue> TargetKeys { get; }

    /// <summary>Replaces every resolved secret in <paramref name="text"/> with <c>***</c>, before it is logged or stored.</summary>
    public string Redact(string text)
    {
        // Longest first, so a secret that contains another is masked whole.
        foreach (var secret in All().Select(s => s.Reveal()).Where(s => s.Length > 0).Distinct()
                     .OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, SecretValue.Mask, StringComparison.Ordinal);
        }

        return text;
    }

    private IEnumerable<SecretValue> All() => Environment.Values.Concat(BuildSecrets.Values).Concat(TargetKeys.Values)
        .Concat(RegistryPassword is null ? [] : [RegistryPassword]);
}
