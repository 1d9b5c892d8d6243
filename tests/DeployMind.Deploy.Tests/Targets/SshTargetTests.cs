using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using DeployMind.Deploy.Targets;
using DeployMind.Pipeline.Configuration;
using DeployMind.Testing;

namespace DeployMind.Deploy.Tests.Targets;

[Collection(SshCollection.Name)]
[Trait("Requires", "sshd")]
public sealed class SshTargetTests : IAsyncLifetime
{
    private readonly SshInstances _ssh;
    private readonly TempDirectory _temp = new();
    private readonly List<SshTarget> _targets = [];

    public SshTargetTests(SshInstances ssh)
    {
        _ssh = ssh;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var target in _targets)
        {
            await target.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Fact]
    public async Task RunAsync_ArgumentsWithShellCharacters_ArriveAsOneWordEach()
    {
        var target = Track(_ssh.Target());
        string[] words = ["plain", "two words", "it's", "\"dq\"", "$HOME", "`id`", "a;b", "*", "~", "=x", "back\\slash", "new\nline", "", "ünï", "-n"];

        var result = await target.RunAsync(["printf", "[%s]\\n", .. words], TargetCommandOptions.Default, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Concat(words.Select(w => $"[{w}]\n")), result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_FailingCommand_ReturnsExitCodeAndBothStreams()
    {
        var target = Track(_ssh.Target(1));

        var result = await target.RunAsync(["sh", "-c", "echo out; echo err >&2; exit 7"], TargetCommandOptions.Default, CancellationToken.None);

        Assert.Equal(7, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
        var failure = Assert.Throws<TargetCommandFailedException>(() => result.VerifySuccess());
        Assert.Contains("exited with code 7", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ssh-2", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BinaryStandardInput_IsStreamedWholeAndClosed()
    {
        var target = Track(_ssh.Target(2));
        var payload = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 17);
        var expected = Convert.ToHexStringLower(SHA256.HashData(payload));

        var result = await target.RunAsync(["sha256sum"],
            TargetCommandOptions.Default with { StandardInput = new MemoryStream(payload) }, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(expected, result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoStandardInput_CommandReadingItSeesEndOfInput()
    {
        var target = Track(_ssh.Target());

        var result = await target.RunAsync(["cat"], TargetCommandOptions.Default.WithTimeout(TimeSpan.FromSeconds(20)), CancellationToken.None);

        Assert.False(result.TimedOut);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        var empty = await target.RunAsync(["cat"],
            TargetCommandOptions.Default.WithTimeout(TimeSpan.FromSeconds(20)).WithInput(""), CancellationToken.None);
        Assert.False(empty.TimedOut);
        var text = await target.RunAsync(["cat"], TargetCommandOptions.Default.WithInput("A=1\nB=2\n"), CancellationToken.None);
        Assert.Equal("A=1\nB=2\n", text.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_SessionEnvironment_PointsDockerAtTheProjectEngine()
    {
        var target = Track(_ssh.Target());

        var result = await target.RunAsync(["sh", "-c", "echo \"$DOCKER_HOST\""], TargetCommandOptions.Default, CancellationToken.None);

        Assert.Equal("unix:///var/run/deploymind-docker.sock\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_Secrets_AreMaskedInOutputAndDisplay()
    {
        var target = Track(_ssh.Target());
        const string secret = "hunter2-very-secret";

        var result = await target.RunAsync(["sh", "-c", "echo \"token=$1\" >&2; echo \"$1\"; exit 3", "sh", secret],
            TargetCommandOptions.Default.WithSecrets(secret), CancellationToken.None);

        Assert.Equal("***\n", result.StandardOutput);
        Assert.Equal("token=***\n", result.StandardError);
        Assert.DoesNotContain(secret, result.CommandDisplay, StringComparison.Ordinal);
        var failure = Assert.Throws<TargetCommandFailedException>(() => result.VerifySuccess());
        Assert.DoesNotContain(secret, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CommandOutlivesTimeout_IsStoppedAndReportedTimedOut()
    {
        var target = Track(_ssh.Target());
        var marker = $"deploymind-timeout-{Guid.NewGuid():N}";
        var watch = Stopwatch.StartNew();

        var result = await target.RunAsync(["sh", "-c", $"sleep 30; echo {marker}"],
            TargetCommandOptions.Default.WithTimeout(TimeSpan.FromSeconds(1)), CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.Equal(-1, result.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        // The instances are this machine: the remote command must be gone, not left running.
        await WaitUntilGoneAsync(marker);
        var after = await target.RunAsync(["echo", "still usable"], TargetCommandOptions.Default, CancellationToken.None);
        Assert.Equal("still usable\n", after.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_OnOutputLine_StreamsLinesAsWritten()
    {
        var target = Track(_ssh.Target());
        var lines = new List<string>();

        await target.RunAsync(["sh", "-c", "echo one; echo two >&2; echo three"],
            TargetCommandOptions.Default with { OnOutputLine = l => lines.Add(l.Text) }, CancellationToken.None);

        Assert.Equal(["one", "three", "two"], lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_CommandsInParallel_ShareOneConnection()
    {
        var target = Track(_ssh.Target(1));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            target.RunAsync(["sh", "-c", $"sleep 0.3; echo {i}"], TargetCommandOptions.Default, CancellationToken.None)));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"{i}\n"), results.Select(r => r.StandardOutput));
    }

    [Fact]
    public async Task Connect_WrongKey_IsRefusedNamingAddressAndFix()
    {
        var keyPath = _temp.Combine("wrong_key");
        var keygen = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyPath], TimeSpan.FromSeconds(30));
        Assert.Equal(0, keygen.ExitCode);
        var target = Track(new SshTarget(_ssh.Settings() with
        {
            PrivateKey = new SecretValue(await File.ReadAllTextAsync(keyPath)),
            KeySource = $"file:{keyPath}",
        }));

        var error = await Assert.ThrowsAsync<TargetAuthenticationException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.Contains($"{_ssh.User}@{_ssh.Host}:{_ssh.Ports[0]}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"refused the private key from file:{keyPath}", error.Message, StringComparison.Ordinal);
        Assert.Contains("authorized_keys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_HostMissingFromKnownHosts_IsRefusedWithFingerprintAndHowToAdd()
    {
        var knownHosts = _temp.Combine("known_hosts");
        await File.WriteAllTextAsync(knownHosts, _ssh.KnownHostsLine(1) + "\n");
        var target = Track(new SshTarget(_ssh.Settings() with { KnownHostsPath = knownHosts }));

        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.False(error.Changed);
        Assert.Equal(ExpectedFingerprint(0), error.FingerprintSha256);
        Assert.Contains($"{_ssh.Host} port {_ssh.Ports[0]}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"ssh-ed25519 {error.FingerprintSha256}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"not in known_hosts file {knownHosts}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"ssh-keyscan -p {_ssh.Ports[0]} -t ssh-ed25519 {_ssh.Host} >> {knownHosts}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_KnownHostsFileMissing_IsRefusedSayingSo()
    {
        var target = Track(new SshTarget(_ssh.Settings() with { KnownHostsPath = _temp.Combine("absent") }));

        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.Contains("(the file does not exist)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_HostKeyChanged_IsRefusedAsPossibleInterception()
    {
        // Instance 2's key listed under instance 1's port: exactly what a changed host key looks like.
        var otherKey = _ssh.KnownHostsLine(1).Split(' ', 2)[1];
        var knownHosts = _temp.Combine("known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[{_ssh.Host}]:{_ssh.Ports[0]} {otherKey}\n");
        var target = Track(new SshTarget(_ssh.Settings() with { KnownHostsPath = knownHosts }));

        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.True(error.Changed);
        Assert.Equal(_ssh.Ports[0], error.Port);
        Assert.Contains("HAS CHANGED", error.Message, StringComparison.Ordinal);
        Assert.Contains(ExpectedFingerprint(0), error.Message, StringComparison.Ordinal);
        Assert.Contains($"ssh-keygen -R '[{_ssh.Host}]:{_ssh.Ports[0]}' -f {knownHosts}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_HashedKnownHosts_IsAccepted()
    {
        var knownHosts = _temp.Combine("known_hosts");
        File.Copy(_ssh.KnownHostsPath, knownHosts);
        var hash = await ProcessRunner.RunAsync("ssh-keygen", ["-H", "-f", knownHosts], TimeSpan.FromSeconds(30));
        Assert.Equal(0, hash.ExitCode);
        Assert.StartsWith("|1|", await File.ReadAllTextAsync(knownHosts), StringComparison.Ordinal);
        var target = Track(new SshTarget(_ssh.Settings(2) with { KnownHostsPath = knownHosts }));

        var result = await target.RunAsync(["echo", "hashed ok"], TargetCommandOptions.Default, CancellationToken.None);

        Assert.Equal("hashed ok\n", result.StandardOutput);
    }

    [Fact]
    public async Task Connect_ClosedPort_FailsFastAsUnreachable()
    {
        var port = ClosedPort();
        var target = Track(new SshTarget(_ssh.Settings() with { Port = port, Name = "gone" }));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TargetUnreachableException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal($"target 'gone' ({_ssh.User}@{_ssh.Host}:{port}) is unreachable: connection refused (is sshd running and listening on that port?)",
            error.Message);
    }

    [Fact]
    public async Task Connect_SilentServer_GivesUpAfterConnectTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var target = Track(new SshTarget(_ssh.Settings() with { Port = port, ConnectTimeout = TimeSpan.FromSeconds(1) }));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TargetUnreachableException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");
        Assert.Contains("within 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeAsync_ReportsDockerVersionOrUnreachable()
    {
        var target = Track(_ssh.Target());
        var gone = Track(new SshTarget(_ssh.Settings() with { Port = ClosedPort() }));

        var state = await target.DescribeAsync(CancellationToken.None);
        var goneState = await gone.DescribeAsync(CancellationToken.None);

        Assert.True(state.Reachable, state.Error);
        Assert.Matches(@"^\d+\.\d+", state.DockerVersion);
        Assert.Equal(TargetType.Ssh, state.Type);
        Assert.False(goneState.Reachable);
        Assert.Contains("connection refused", goneState.Error, StringComparison.Ordinal);
    }

    private static async Task WaitUntilGoneAsync(string marker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var pgrep = await ProcessRunner.RunAsync("pgrep", ["-f", marker], TimeSpan.FromSeconds(10));
            if (pgrep.ExitCode != 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the timed-out command still runs: {pgrep.Output}");
            await Task.Delay(200);
        }
    }

    private string ExpectedFingerprint(int instance)
    {
        var blob = Convert.FromBase64String(_ssh.KnownHostsLine(instance).Split(' ')[2]);
        return KnownHosts.FingerprintSha256(blob);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private SshTarget Track(SshTarget target)
    {
        _targets.Add(target);
        return target;
    }
}
