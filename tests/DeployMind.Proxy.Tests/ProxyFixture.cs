using System.Security.Cryptography;
using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.Tests;

internal static class Proxies
{
    public static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public static Task<RunningProxy> StartAsync(Action<ProxyHostOptions>? configure = null)
    {
        var options = new ProxyHostOptions { AdminToken = NewToken(), DrainTimeout = TimeSpan.FromSeconds(10), ShutdownTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        return ProxyHost.StartAsync(options);
    }

    public static HttpClient Client(RunningProxy proxy) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        BaseAddress = proxy.ProxyAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static ProxyBackend Backend(TestBackend backend, int weight) => new(backend.Name, backend.UrlText, weight);
}

/// <summary>Deletes a temporary directory afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dm-proxy-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
