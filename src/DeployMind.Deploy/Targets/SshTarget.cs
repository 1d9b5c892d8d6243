using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Docker.DotNet;
using DeployMind.Build.Docker;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace DeployMind.Deploy.Targets;

/// <summary>How to reach one SSH host.</summary>
public sealed record SshTargetSettings
{
    public required string Name { get; init; }

    public required string Host { get; init; }

    public int Port { get; init; } = TargetConfig.DefaultSshPort;

    public required string User { get; init; }

    /// <summary>The private key (OpenSSH or PEM text); never printed.</summary>
    public required SecretValue PrivateKey { get; init; }

    /// <summary>Where the key came from, for messages (e.g. <c>file:/root/.ssh/id_ed25519</c>); never the key.</summary>
    public string KeySource { get; init; } = "the configured key";

    /// <summary>The known_hosts file the host key must be listed in (absolute).</summary>
    public required string KnownHostsPath { get; init; }

    /// <summary>Bound on TCP connect, key exchange and authentication.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>SSH keep-alive interval on the connection; zero turns it off.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The local engine images are streamed from (<c>docker save</c>); DOCKER_HOST when null.</summary>
    public string? LocalDockerHost { get; init; }

    public string Address => $"{User}@{Host}:{Port}";
}

/// <summary>
/// A host reached over SSH (SSH.NET): private-key authentication, host key checked against a known_hosts file
/// before anything is sent, one connection reused across commands, each command an exec channel with its
/// arguments POSIX-quoted, standard input streamed, exit code and both output streams captured.
/// </summary>
public sealed partial class SshTarget : IDeployTarget
{
    private static readonly TimeSpan s_drainGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_streamTimeout = TimeSpan.FromMinutes(30);

    private readonly SshTargetSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private SshClient? _client;
    private bool _disposed;

    public SshTarget(SshTargetSettings settings, ILogger<SshTarget>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Host);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.User);
        if (settings.Port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Port, "an SSH port is 1 to 65535");
        }

        _settings = settings;
        _logger = logger ?? NullLogger<SshTarget>.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Name => _settings.Name;

    public TargetType Type => TargetType.Ssh;

    public SshTargetSettings Settings => _settings;

    public async Task<TargetCommandResult> RunAsync(IReadOnlyList<string> arguments, TargetCommandOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(options);
        if (arguments.Count == 0)
        {
            throw new ArgumentException("a command needs at least the program", nameof(arguments));
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "a command needs a positive timeout");
        }

        var redactor = new Redactor(options.Secrets);
        var display = redactor.Redact(ShellQuote.Join(arguments));
        var client = await ConnectedClientAsync(cancellationToken);

        // SSH.NET sends no EOF for an input stream nothing was written to, so a command reading an empty input would
        // wait forever: such a command gets /dev/null as its input instead.
        var firstChunk = options.StandardInput is { } input ? await ReadFirstChunkAsync(input, cancellationToken) : [];
        // The login shell reports its pid, then becomes the command: sshd made it a session (and process group) leader,
        // so a timed-out or cancelled command is stopped with everything it started by signalling that group.
        var commandText = $"echo {PidMarker}$$ >&2; exec " + ShellQuote.Join(arguments) + (firstChunk.Length == 0 ? " </dev/null" : "");
        var started = _time.GetTimestamp();
        LogRunning(Name, display);

        using var command = client.CreateCommand(commandText, Encoding.UTF8);
        var gate = new Lock();
        var stdout = new LineCapture(OutputStream.StandardOutput, redactor, options.OnOutputLine, gate, options.MaxCapturedChars);
        var remotePid = 0;
        var stderr = new LineCapture(OutputStream.StandardError, redactor, options.OnOutputLine, gate, options.MaxCapturedChars)
        {
            FirstLineFilter = line =>
            {
                if (!line.StartsWith(PidMarker, StringComparison.Ordinal))
                {
                    return false;
                }

                _ = int.TryParse(line.AsSpan(PidMarker.Length), out remotePid);
                return true;
            },
        };
        using var timeoutCts = new CancellationTokenSource(options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        using var drainCts = new CancellationTokenSource();

        Task execute;
        try
        {
            execute = command.ExecuteAsync(linked.Token);
        }
        catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            await DropClientAsync();
            throw Unreachable($"the connection failed while starting the command: {e.Message}", e);
        }

        var readers = Task.WhenAll(
            stdout.ReadAllAsync(command.OutputStream, drainCts.Token),
            stderr.ReadAllAsync(command.ExtendedOutputStream, drainCts.Token));
        var writer = firstChunk.Length == 0
            ? Task.CompletedTask
            : WriteInputAsync(command, firstChunk, options.StandardInput!, linked.Token);

        var timedOut = false;
        try
        {
            await execute;
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
            LogTimedOut(Name, display, options.Timeout.TotalSeconds);
            await KillRemoteAsync(client, remotePid);
        }
        catch (OperationCanceledException)
        {
            await KillRemoteAsync(client, remotePid);
            await DrainAsync(readers, writer, drainCts);
            throw new OperationCanceledException($"{display} on target '{Name}' was cancelled", null, cancellationToken);
        }
        catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException)
        {
            await DrainAsync(readers, writer, drainCts);
            await DropClientAsync();
            throw Unreachable($"the connection broke while running {display}: {e.Message}", e);
        }

        await DrainAsync(readers, writer, drainCts);
        var duration = _time.GetElapsedTime(started);
        var exitCode = timedOut ? -1 : command.ExitStatus ?? -1;
        LogFinished(Name, exitCode, duration.TotalMilliseconds);
        return new TargetCommandResult
        {
            Target = Name,
            CommandDisplay = display,
            ExitCode = exitCode,
            StandardOutput = stdout.ToString(),
            StandardError = command.ExitSignal is { Length: > 0 } signal && !timedOut
                ? stderr + $"[terminated by signal {signal}]\n"
                : stderr.ToString(),
            Duration = duration,
            TimedOut = timedOut,
            Timeout = options.Timeout,
        };
    }

    public async Task<TargetInstanceState> DescribeAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        try
        {
            var version = await RunAsync(["docker", "version", "--format", "{{.Server.Version}}"],
                TargetCommandOptions.Default.WithTimeout(TimeSpan.FromSeconds(20)), cancellationToken);
            return new TargetInstanceState
            {
                Target = Name,
                Type = Type,
                Address = _settings.Address,
                Reachable = true,
                DockerVersion = version.Succeeded ? version.StandardOutput.Trim() : null,
                Error = version.Succeeded ? null : $"the host answers but its Docker engine does not: {version.FailureTail(3)}",
                CheckedAt = now,
            };
        }
        catch (TargetException e)
        {
            return new TargetInstanceState
            {
                Target = Name, Type = Type, Address = _settings.Address, Reachable = false, Error = e.Message, CheckedAt = now,
            };
        }
    }

    public async Task DeliverImageAsync(string image, ImageDeliveryMode mode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        if (mode == ImageDeliveryMode.RegistryPull)
        {
            if (await DockerCli.ImageIdAsync(this, image, cancellationToken) is null)
            {
                await DockerCli.PullAsync(this, image, cancellationToken);
            }

            return;
        }

        var localHost = _settings.LocalDockerHost ?? DockerEngineOptions.FromEnvironment();
        using var engine = new DockerEngine(new DockerEngineOptions { Host = localHost });
        var local = await engine.TryInspectAsync(image, cancellationToken)
            ?? throw new ImageDeliveryException(Name, image, $"the image is not in the local Docker engine ({localHost}) to stream it from");
        var remoteId = await DockerCli.ImageIdAsync(this, image, cancellationToken);
        if (string.Equals(remoteId, local.Id, StringComparison.Ordinal))
        {
            LogImagePresent(Name, image);
            return;
        }

        await StreamImageAsync(image, localHost, cancellationToken);
        var loaded = await DockerCli.ImageIdAsync(this, image, cancellationToken);
        if (!string.Equals(loaded, local.Id, StringComparison.Ordinal))
        {
            throw new ImageDeliveryException(Name, image,
                $"after docker load the target has {(loaded ?? "no image")} under that name instead of {local.Id}");
        }
    }

    /// <summary>Streams <c>docker save IMAGE</c> from the local engine into <c>docker load</c> on the host, whatever the host already has; returns the load output.</summary>
    internal async Task<TargetCommandResult> StreamImageAsync(string image, string localDockerHost, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var configuration = new DockerClientConfiguration(new Uri(localDockerHost), null, Timeout.InfiniteTimeSpan);
        using var docker = configuration.CreateClient();
        Stream tar;
        try
        {
            tar = await docker.Images.SaveImageAsync(image, cancellationToken);
        }
        catch (DockerApiException e)
        {
            throw new ImageDeliveryException(Name, image, $"docker save failed in the local engine: {e.ResponseBody?.Trim()}", e);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            throw new ImageDeliveryException(Name, image, $"the local Docker engine at {localDockerHost} is unreachable: {e.Message}", e);
        }

        await using (tar)
        {
            await using var counting = new CountingStream(tar);
            var result = await RunAsync(["docker", "load"],
                TargetCommandOptions.Default with { StandardInput = counting, Timeout = s_streamTimeout }, cancellationToken);
            if (!result.Succeeded)
            {
                throw new ImageDeliveryException(Name, image,
                    result.TimedOut
                        ? $"docker load did not finish within {TargetCommandResult.Seconds(result.Timeout)} s"
                        : $"docker load exited with code {result.ExitCode}: {result.FailureTail(5)}");
            }

            LogStreamed(Name, image, counting.BytesRead / (1024.0 * 1024.0), watch.Elapsed.TotalSeconds);
            return result;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await DropClientAsync();
        _connectGate.Dispose();
    }

    private async Task<SshClient> ConnectedClientAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _connectGate.WaitAsync(cancellationToken);
        try
        {
            if (_client is { IsConnected: true } connected)
            {
                return connected;
            }

            _client?.Dispose();
            _client = null;
            var client = await ConnectAsync(cancellationToken);
            _client = client;
            return client;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async Task<SshClient> ConnectAsync(CancellationToken cancellationToken)
    {
        PrivateKeyFile key;
        try
        {
            key = new PrivateKeyFile(new MemoryStream(Encoding.UTF8.GetBytes(_settings.PrivateKey.Reveal())));
        }
        catch (Exception e) when (e is SshException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new TargetAuthenticationException(Name,
                $"target '{Name}': the private key from {_settings.KeySource} cannot be read ({e.GetType().Name}: {e.Message}); " +
                "give an unencrypted OpenSSH or PEM private key (ssh-keygen -t ed25519 -N '')");
        }

        var info = new PrivateKeyConnectionInfo(_settings.Host, _settings.Port, _settings.User, key)
        {
            Timeout = _settings.ConnectTimeout,
        };
        var client = new SshClient(info);
        if (_settings.KeepAliveInterval > TimeSpan.Zero)
        {
            client.KeepAliveInterval = _settings.KeepAliveInterval;
        }

        HostKeyVerificationException? refusal = null;
        client.HostKeyReceived += (_, e) =>
        {
            refusal = VerifyHostKey(e.HostKey);
            e.CanTrust = refusal is null;
        };

        using var timeoutCts = new CancellationTokenSource(_settings.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var seconds = TargetCommandResult.Seconds(_settings.ConnectTimeout);
        try
        {
            await client.ConnectAsync(linked.Token);
            LogConnected(Name, _settings.Address);
            return client;
        }
        catch (Exception e)
        {
            client.Dispose();
            if (refusal is not null)
            {
                throw refusal;
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw e switch
            {
                SshAuthenticationException => new TargetAuthenticationException(Name,
                    $"target '{Name}': {_settings.Address} refused the private key from {_settings.KeySource} ({e.Message}); " +
                    $"add its public key (ssh-keygen -y -f KEY) to ~{_settings.User}/.ssh/authorized_keys on {_settings.Host}, " +
                    "or configure the right key and user", e),
                OperationCanceledException or SshOperationTimeoutException =>
                    Unreachable($"no SSH answer within {seconds} s (connect timeout)", e),
                SocketException socket => Unreachable(socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused (is sshd running and listening on that port?)",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"host name '{_settings.Host}' does not resolve",
                    SocketError.TimedOut => $"no TCP answer within {seconds} s",
                    _ => socket.Message,
                }, e),
                SshConnectionException => Unreachable($"the SSH handshake failed: {e.Message}", e),
                SshException or ProxyException or IOException => Unreachable(e.Message, e),
                _ => e,
            };
        }
    }

    private HostKeyVerificationException? VerifyHostKey(byte[] hostKey)
    {
        var host = _settings.Host;
        var port = _settings.Port;
        var path = _settings.KnownHostsPath;
        KnownHosts known;
        try
        {
            known = KnownHosts.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var fingerprint = KnownHosts.FingerprintSha256(hostKey);
            return new HostKeyVerificationException(Name, host, port, KnownHosts.KeyTypeOf(hostKey) ?? "unknown", fingerprint, path, false,
                $"target '{Name}': cannot read known_hosts file {path} to verify the host key of {host} port {port} ({e.Message})");
        }

        var check = known.Check(host, port, hostKey);
        var listed = KnownHosts.HostName(host, port);
        var keyscan = $"ssh-keyscan -p {port} -t {check.KeyType} {host} >> {path}";
        return check.Verdict switch
        {
            HostKeyVerdict.Trusted => null,
            HostKeyVerdict.Unknown => new HostKeyVerificationException(Name, host, port, check.KeyType, check.FingerprintSha256, path, false,
                $"target '{Name}': refusing to connect: the host key of {host} port {port} ({check.KeyType} {check.FingerprintSha256}) " +
                $"is not in known_hosts file {path}{(known.Exists ? "" : " (the file does not exist)")}" +
                $"{(check.Detail is null ? "" : $"; {check.Detail}")}. Confirm the fingerprint with the host's administrator " +
                $"(on the host: ssh-keygen -lf /etc/ssh/ssh_host_{ShortType(check.KeyType)}_key.pub), then add it: {keyscan} " +
                $"(the line to add: {KnownHosts.FormatLine(host, port, hostKey)})"),
            _ => new HostKeyVerificationException(Name, host, port, check.KeyType, check.FingerprintSha256, path, true,
                $"target '{Name}': refusing to connect: the host key of {host} port {port} HAS CHANGED — it now presents " +
                $"{check.KeyType} {check.FingerprintSha256}, but known_hosts file {path} {check.Detail}. Someone could be " +
                $"intercepting the connection, or the host was reinstalled. Only if the change is expected: " +
                $"ssh-keygen -R '{listed}' -f {path} && {keyscan}"),
        };
    }

    private static string ShortType(string keyType) => keyType switch
    {
        "ssh-ed25519" => "ed25519",
        "ssh-rsa" => "rsa",
        _ when keyType.StartsWith("ecdsa", StringComparison.Ordinal) => "ecdsa",
        _ => "*",
    };

    private TargetUnreachableException Unreachable(string reason, Exception? inner) =>
        new(Name, _settings.Address, reason, inner);

    private async Task DropClientAsync()
    {
        await _connectGate.WaitAsync();
        try
        {
            if (_client is { } client)
            {
                _client = null;
                try
                {
                    if (client.IsConnected)
                    {
                        client.Disconnect();
                    }
                }
                catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    // Already broken; disposing is all that is left.
                }

                client.Dispose();
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>TERM, then KILL after a grace period, to the process group of a command that outlived its time.</summary>
    private async Task KillRemoteAsync(SshClient client, int pid)
    {
        if (pid <= 1)
        {
            LogKillSkipped(Name);
            return;
        }

        try
        {
            var group = "-" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var kill = client.CreateCommand(
                $"kill -TERM -- {group} 2>/dev/null || exit 0; for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.3; kill -0 -- {group} 2>/dev/null || exit 0; done; kill -KILL -- {group} 2>/dev/null; exit 0");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15), _time);
            await kill.ExecuteAsync(cts.Token);
        }
        catch (Exception e) when (e is SshException or SocketException or ObjectDisposedException or OperationCanceledException
                                      or InvalidOperationException)
        {
            LogKillFailed(e, Name, pid);
        }
    }

    private static async Task<byte[]> ReadFirstChunkAsync(Stream input, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var read = await input.ReadAsync(buffer, cancellationToken);
        return buffer[..read];
    }

    private static async Task WriteInputAsync(SshCommand command, byte[] firstChunk, Stream rest, CancellationToken cancellationToken)
    {
        try
        {
            await using var channelInput = command.CreateInputStream();
            await channelInput.WriteAsync(firstChunk, cancellationToken);
            await rest.CopyToAsync(channelInput, 64 * 1024, cancellationToken);
            await channelInput.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SshException or ObjectDisposedException or InvalidOperationException
                                      or OperationCanceledException)
        {
            // The command ended (or was stopped) before reading all its input; the exit code tells the story.
        }
    }

    private async Task DrainAsync(Task readers, Task writer, CancellationTokenSource drainCts)
    {
        var all = Task.WhenAll(readers, writer);
        try
        {
            await all.WaitAsync(s_drainGrace, _time);
        }
        catch (TimeoutException)
        {
            await drainCts.CancelAsync();
            _ = all.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SshException or ObjectDisposedException)
        {
            // The channel closed under the readers; what was read is kept.
        }
    }

    private const string PidMarker = "deploymind-remote-pid:";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Target {Target}: could not stop the remote process group {Pid}")]
    private partial void LogKillFailed(Exception exception, string target, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Target {Target}: the remote command never reported its pid, so it could not be stopped")]
    private partial void LogKillSkipped(string target);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Target {Target}: running {Command}")]
    private partial void LogRunning(string target, string command);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Target {Target}: exited with code {ExitCode} after {DurationMs} ms")]
    private partial void LogFinished(string target, int exitCode, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Target {Target}: {Command} timed out after {TimeoutSeconds} s")]
    private partial void LogTimedOut(string target, string command, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Target {Target}: connected to {Address}")]
    private partial void LogConnected(string target, string address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Target {Target}: already has image {Image}")]
    private partial void LogImagePresent(string target, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Target {Target}: streamed image {Image} ({Megabytes:0.0} MiB) in {Seconds:0.0} s")]
    private partial void LogStreamed(string target, string image, double megabytes, double seconds);

    /// <summary>Counts the bytes read through it, for the delivery log line.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            BytesRead += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
