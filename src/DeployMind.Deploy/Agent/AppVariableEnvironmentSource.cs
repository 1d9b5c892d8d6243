using DeployMind.Persistence.RuntimeConfig;

namespace DeployMind.Deploy.Agent;

/// <summary>Runtime variables from `deploymind env` (the app_variables table; secrets decrypted only here, for the containers).</summary>
public sealed class AppVariableEnvironmentSource(AppVariableStore store) : IAppEnvironmentSource
{
    public async Task<AppEnvironment> ResolveAsync(string application, CancellationToken cancellationToken)
    {
        var resolved = await store.ResolveAsync(application, cancellationToken);
        var plain = resolved.Values.Where(v => !resolved.SecretNames.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var secret = resolved.Values.Where(v => resolved.SecretNames.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        return new AppEnvironment(plain, secret);
    }
}
