using DeployMind.Domain;

namespace DeployMind.Build.Docker;

/// <summary>Where the Docker engine listens and how long DeployMind waits for it.</summary>
public sealed class DockerEngineOptions
{
    public const string DefaultHost = "unix:///var/run/docker.sock";

    /// <summary>Engine address: <c>unix:///path.sock</c>, <c>tcp://host:port</c> or <c>http://host:port</c>.</summary>
    public string Host { get; set; } = FromEnvironment();

    /// <summary>Bound on every short call (ping, inspect, remove, import).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound on a whole image build, streaming included.</summary>
    public TimeSpan BuildTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary><c>DOCKER_HOST</c> when set, else the system engine's socket.</summary>
    public static string FromEnvironment()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        return string.IsNullOrWhiteSpace(host) ? DefaultHost : host.Trim();
    }

    /// <summary>Lists every problem at once so a bad configuration is fixed in one go.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(Host, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https" or "npipe"))
        {
            problems.Add($"Docker:Host '{Host}' is not an engine address; use unix:///var/run/docker.sock or tcp://127.0.0.1:2375");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add($"Docker:RequestTimeout must be positive (was {RequestTimeout})");
        }

        if (BuildTimeout <= TimeSpan.Zero)
        {
            problems.Add($"Docker:BuildTimeout must be positive (was {BuildTimeout})");
        }

        return problems;
    }

    internal void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new InvalidInputException("Docker", string.Join("; ", problems));
        }
    }
}
