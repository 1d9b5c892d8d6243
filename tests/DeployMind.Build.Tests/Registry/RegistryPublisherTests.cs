using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DeployMind.Build.Agent;
using DeployMind.Build.Docker;
using DeployMind.Build.Registry;
using DeployMind.Build.Tests.Docker;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Build.Tests.Registry;

/// <summary>
/// Against the engine DOCKER_HOST names and the registry scripts/registry.sh starts (DEPLOYMIND_TEST_REGISTRY,
/// _USER, _PASSWORD_FILE). Fails, never skips, when either is missing.
/// </summary>
[Trait("Requires", "docker")]
public sealed class RegistryPublisherTests : IClassFixture<DockerEngineTests.BusyboxImage>, IDisposable
{
    private readonly DockerEngineTests.BusyboxImage _busybox;
    private readonly DockerEngine _engine = new(new DockerEngineOptions());
    private readonly List<string> _log = [];
    private readonly string _app = $"dmtest-push-{Guid.NewGuid():N}"[..24];

    public RegistryPublisherTests(DockerEngineTests.BusyboxImage busybox) => _busybox = busybox;

    private static (string Address, string User, string Password) TestRegistry()
    {
        var address = Environment.GetEnvironmentVariable("DEPLOYMIND_TEST_REGISTRY");
        var user = Environment.GetEnvironmentVariable("DEPLOYMIND_TEST_REGISTRY_USER");
        var passwordFile = Environment.GetEnvironmentVariable("DEPLOYMIND_TEST_REGISTRY_PASSWORD_FILE");
        if (address is null || user is null || passwordFile is null || !File.Exists(passwordFile))
        {
            throw new InvalidOperationException(
                "these tests need the test registry: run scripts/registry.sh start and export the DEPLOYMIND_TEST_REGISTRY* lines it prints");
        }

        return (address, user, File.ReadAllText(passwordFile).Trim());
    }

    private RegistryPublisher Publisher(string password, int attempts = 4) => new(_engine, new RegistryOptions
    {
        Attempts = attempts,
        FirstRetryDelay = TimeSpan.FromMilliseconds(200),
        Environment = new Dictionary<string, string?> { ["TEST_REGISTRY_PASSWORD"] = password },
    });

    private static RegistryConfig Config(string address, string user) =>
        new() { Url = address, Username = user, Password = SecretReference.FromEnv("TEST_REGISTRY_PASSWORD"), Insecure = true };

    private async Task<BuiltImage> LocalImageAsync()
    {
        var busybox = await _busybox.EnsureAsync();
        var tag = $"{_app}:abc1234";
        await _engine.TagImageAsync(busybox.Id, tag, CancellationToken.None);
        return new BuiltImage(_app, busybox.Id, tag, null, busybox.SizeBytes, busybox.LayerCount, null, "/health", "static");
    }

    private Task Log(string message, JsonObject? data)
    {
        lock (_log)
        {
            _log.Add(message);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task PushAsync_ThenRemovedLocally_PullsBackTheSameImageByDigest()
    {
        var (address, user, password) = TestRegistry();
        var image = await LocalImageAsync();
        var publisher = Publisher(password);
        var credentials = await publisher.CredentialsAsync(Config(address, user), null, CancellationToken.None);

        var digest = await publisher.PushAsync(image, Config(address, user), credentials, Log, CancellationToken.None);

        Assert.StartsWith($"{address}/{_app}@sha256:", digest);
        var remote = RegistryPublisher.RemoteReference(image, Config(address, user));
        Assert.Equal($"{address}/{_app}:abc1234", remote);
        await _engine.RemoveImageAsync(remote, force: false, CancellationToken.None);
        Assert.False(await _engine.ImageExistsAsync(remote, CancellationToken.None));

        await publisher.PullAsync(remote, credentials, Log, CancellationToken.None);

        var pulled = await _engine.InspectImageAsync(remote, CancellationToken.None);
        Assert.Equal(image.ImageId, pulled.Id);
        Assert.DoesNotContain(_log, l => l.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PushAsync_WrongPassword_FailsOnceWithAClearMessageWithoutThePassword()
    {
        var (address, user, _) = TestRegistry();
        const string Wrong = "not-the-password-123";
        var image = await LocalImageAsync();
        var publisher = Publisher(Wrong);
        var credentials = await publisher.CredentialsAsync(Config(address, user), null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<DockerRegistryException>(
            () => publisher.PushAsync(image, Config(address, user), credentials, Log, CancellationToken.None));

        Assert.False(error.Transient);
        Assert.Contains("registry.password", error.Message);
        Assert.DoesNotContain(Wrong, error.Message);
        Assert.DoesNotContain(_log, l => l.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PushAsync_RegistryRefusesAtFirst_RetriesUntilItAnswers()
    {
        // Nothing listens on the port for the first attempt; the forwarder to the real registry opens at the first retry.
        var (port, digest) = await PushThroughForwarderAsync(arrange: _ => { }, atFirstRetry: f => f.Start());

        Assert.StartsWith($"127.0.0.1:{port}/{_app}@sha256:", digest);
        Assert.Contains(_log, l => l.Contains("attempt 1 of 4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PushAsync_RegistryAnswers500AtFirst_RetriesUntilItServes()
    {
        // Every request of the first attempt gets a 500 (a registry whose storage hiccups); the relay serves from the first retry.
        // The engine itself retries a layer upload five times (about 50 s) before it reports the 500 to us.
        var (port, digest) = await PushThroughForwarderAsync(arrange: f => f.AnswerServerError(), atFirstRetry: f => f.Relay());

        Assert.StartsWith($"127.0.0.1:{port}/{_app}@sha256:", digest);
        var retry = Assert.Single(_log, l => l.Contains("retrying", StringComparison.Ordinal));
        Assert.Contains("500 Internal Server Error", retry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushAsync_RegistryNeverAnswers_GivesUpAfterTheConfiguredAttempts()
    {
        var (_, user, password) = TestRegistry();
        var image = await LocalImageAsync();
        var config = Config($"127.0.0.1:{FreePort()}", user);
        var publisher = Publisher(password, attempts: 3);
        var credentials = await publisher.CredentialsAsync(config, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<DockerRegistryException>(() => publisher.PushAsync(image, config, credentials, Log, CancellationToken.None));

        Assert.True(error.Transient);
        Assert.Equal(2, _log.Count(l => l.Contains("retrying", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CredentialsAsync_UsernameWithoutPassword_NamesTheMissingKey()
    {
        var publisher = Publisher("x");

        var error = await Assert.ThrowsAsync<Domain.InvalidInputException>(() => publisher.CredentialsAsync(
            new RegistryConfig { Url = "127.0.0.1:5000", Username = "ci" }, null, CancellationToken.None));

        Assert.Contains("registry.password", error.Message);
    }

    public void Dispose()
    {
        // Only this test's names: the image itself is the shared busybox fixture and must stay.
        var tags = _engine.TryInspectAsync(_app + ":abc1234", CancellationToken.None).GetAwaiter().GetResult()?.Tags ?? [];
        foreach (var reference in tags.Where(t => t.Contains(_app, StringComparison.Ordinal)))
        {
            _engine.RemoveImageAsync(reference, force: false, CancellationToken.None).GetAwaiter().GetResult();
        }

        _engine.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A loopback TCP relay to the real registry that only starts listening when told to; after <see cref="AnswerServerError"/>
    /// it answers every connection with a 500 instead, until <see cref="Relay"/>.
    /// </summary>
    /// <summary>
    /// Pushes through a loopback forwarder in front of the test registry, set up by <paramref name="arrange"/> to fail the first
    /// attempt, and changed by <paramref name="atFirstRetry"/> when the publisher says it is retrying. Returns the port and digest.
    /// </summary>
    private async Task<(int Port, string Digest)> PushThroughForwarderAsync(Action<TcpForwarder> arrange, Action<TcpForwarder> atFirstRetry)
    {
        var (address, user, password) = TestRegistry();
        var image = await LocalImageAsync();
        var port = FreePort();
        using var forwarder = new TcpForwarder(port, address);
        arrange(forwarder);
        var publisher = Publisher(password);
        var config = Config($"127.0.0.1:{port}", user);
        var credentials = await publisher.CredentialsAsync(config, null, CancellationToken.None);
        var digest = await publisher.PushAsync(image, config, credentials, async (message, data) =>
        {
            await Log(message, data);
            if (message.Contains("retrying", StringComparison.Ordinal))
            {
                atFirstRetry(forwarder);
            }
        }, CancellationToken.None);
        return (port, digest);
    }

    private sealed class TcpForwarder(int port, string target) : IDisposable
    {
        private static readonly byte[] s_serverError =
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 15\r\nConnection: close\r\n\r\nstorage error\r\n"u8.ToArray();

        private readonly CancellationTokenSource _stop = new();
        private TcpListener? _listener;
        private volatile bool _failing;

        public void AnswerServerError()
        {
            _failing = true;
            Start();
        }

        public void Relay() => _failing = false;

        public void Start()
        {
            if (_listener is not null)
            {
                return;
            }

            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            _ = AcceptLoopAsync(_listener);
        }

        private async Task AcceptLoopAsync(TcpListener listener)
        {
            var host = target.Split(':');
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _ = _failing
                    ? RefuseAsync(client)
                    : RelayAsync(client, host[0], int.Parse(host[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        private async Task RefuseAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var buffer = new byte[8192];
                try
                {
                    // The request (or a TLS hello, which then fails and makes the engine fall back to plain HTTP) before the answer.
                    if (await stream.ReadAsync(buffer, _stop.Token) == 0)
                    {
                        return;
                    }

                    await stream.WriteAsync(s_serverError, _stop.Token);
                }
                catch (IOException)
                {
                    // The engine hung up first; the next connection is answered the same way.
                }
            }
        }

        private async Task RelayAsync(TcpClient client, string host, int targetPort)
        {
            using (client)
            using (var upstream = new TcpClient())
            {
                await upstream.ConnectAsync(host, targetPort, _stop.Token);
                var a = client.GetStream();
                var b = upstream.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener?.Stop();
            _stop.Dispose();
        }
    }
}
