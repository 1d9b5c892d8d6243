using System.Text;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Deploy.Targets;

/// <summary>
/// This machine: commands run as local processes through <see cref="IProcessRunner"/>, <c>docker</c> talks to the
/// engine <see cref="DockerHost"/> names (DOCKER_HOST when null). Images built here are already in place.
/// </summary>
public sealed class LocalDockerTarget : IDeployTarget
{
    /// <summary>Standard input larger than this is refused: a local command never needs an image streamed into it.</summary>
    public const int MaxStandardInputBytes = 16 * 1024 * 1024;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IProcessRunner _runner;
    private readonly TimeProvider _time;

    public LocalDockerTarget(string name, IProcessRunner runner, string? dockerHost = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _runner = runner;
        DockerHost = string.IsNullOrWhiteSpace(dockerHost) ? null : dockerHost;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Name { get; }

    public TargetType Type => TargetType.Local;

    /// <summary>The engine address given to <c>docker</c> as DOCKER_HOST; null leaves this process's environment alone.</summary>
    public string? DockerHost { get; }

    public async Task<TargetCommandResult> RunAsync(IReadOnlyList<string> arguments, TargetCommandOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(options);
        if (arguments.Count == 0)
        {
            throw new ArgumentException("a command needs at least the program", nameof(arguments));
        }

        var environment = new Dictionary<string, string?>();
        if (DockerHost is not null)
        {
            environment["DOCKER_HOST"] = DockerHost;
        }

        var command = new CommandLine(arguments[0], arguments.Skip(1))
        {
            Timeout = options.Timeout,
            Secrets = options.Secrets,
            OnOutputLine = options.OnOutputLine,
            MaxCapturedChars = options.MaxCapturedChars,
            Environment = environment,
            StandardInput = options.StandardInput is { } input ? await ReadInputAsync(input, cancellationToken) : null,
        };
        var result = await _runner.RunAsync(command, cancellationToken);
        return TargetCommandResult.From(Name, result);
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
                Address = "local",
                Reachable = version.Succeeded,
                DockerVersion = version.Succeeded ? version.StandardOutput.Trim() : null,
                Error = version.Succeeded ? null : $"the Docker engine does not answer: {version.FailureTail(3)}",
                CheckedAt = now,
            };
        }
        catch (ProgramNotFoundException e)
        {
            return new TargetInstanceState
            {
                Target = Name, Type = Type, Address = "local", Reachable = false, CheckedAt = now,
                Error = $"the docker CLI is not installed here: {e.Message}",
            };
        }
    }

    public async Task DeliverImageAsync(string image, ImageDeliveryMode mode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        if (await DockerCli.ImageIdAsync(this, image, cancellationToken) is not null)
        {
            return;
        }

        if (mode == ImageDeliveryMode.Stream)
        {
            throw new ImageDeliveryException(Name, image,
                "the image is not in the local Docker engine, and a local target has nowhere to stream it from; build or load it first");
        }

        await DockerCli.PullAsync(this, image, cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<string> ReadInputAsync(Stream input, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxStandardInputBytes)
            {
                throw new TargetNotSupportedException(Name,
                    $"standard input for a local command is limited to {MaxStandardInputBytes / (1024 * 1024)} MiB of text");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return s_strictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new TargetNotSupportedException(Name,
                "standard input for a local command must be UTF-8 text; binary input (an image tar) is only streamed to remote targets");
        }
    }
}
