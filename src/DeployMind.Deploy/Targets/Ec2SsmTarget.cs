using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace DeployMind.Deploy.Targets;

/// <summary>How to reach one EC2 instance through SSM Run Command.</summary>
public sealed record Ec2TargetSettings
{
    /// <summary>Environment variable overriding the SSM endpoint (e.g. a local fake on loopback).</summary>
    public const string SsmServiceUrlVariable = "DEPLOYMIND_SSM_SERVICE_URL";

    /// <summary>Environment variable overriding the EC2 endpoint.</summary>
    public const string Ec2ServiceUrlVariable = "DEPLOYMIND_EC2_SERVICE_URL";

    public required string Name { get; init; }

    /// <summary><c>i-</c> and 8 to 17 hex digits.</summary>
    public required string InstanceId { get; init; }

    /// <summary>An AWS region code such as <c>eu-west-1</c>.</summary>
    public required string Region { get; init; }

    /// <summary>SSM endpoint override; null uses the region's endpoint.</summary>
    public string? SsmServiceUrl { get; init; }

    /// <summary>EC2 endpoint override; null uses the region's endpoint.</summary>
    public string? Ec2ServiceUrl { get; init; }

    /// <summary>Explicit credentials; null uses the standard AWS chain (environment, profile, SSO, container, instance role).</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>How often GetCommandInvocation is asked while a command runs.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Time SSM gets to deliver a command to the agent, on top of the command's own timeout.</summary>
    public TimeSpan DeliveryGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Bound on one AWS API request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Settings with the endpoint overrides taken from <see cref="SsmServiceUrlVariable"/> and <see cref="Ec2ServiceUrlVariable"/> when not set.</summary>
    public Ec2TargetSettings WithEnvironmentOverrides(IReadOnlyDictionary<string, string?> environment) => this with
    {
        SsmServiceUrl = SsmServiceUrl ?? NonEmpty(environment, SsmServiceUrlVariable),
        Ec2ServiceUrl = Ec2ServiceUrl ?? NonEmpty(environment, Ec2ServiceUrlVariable),
    };

    private static string? NonEmpty(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>
/// An EC2 instance driven through SSM Run Command (AWS-RunShellScript) and described through EC2
/// DescribeInstanceStatus. The argument list is POSIX-quoted into the script. SSM keeps each command's text in the
/// account's command history and carries no standard input, so commands with standard input (env files, image
/// streams) are refused: use an SSH target for registry-less delivery and secrets.
/// </summary>
public sealed partial class Ec2SsmTarget : IDeployTarget
{
    public const string Document = "AWS-RunShellScript";

    /// <summary>SSM returns at most this many characters of each output stream.</summary>
    public const int SsmOutputLimit = 24000;

    private static readonly HashSet<string> s_terminal = new(StringComparer.Ordinal) { "Success", "Failed", "Cancelled", "TimedOut" };

    private readonly Ec2TargetSettings _settings;
    private readonly Lazy<IAmazonSimpleSystemsManagement> _ssm;
    private readonly Lazy<IAmazonEC2> _ec2;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public Ec2SsmTarget(Ec2TargetSettings settings, ILogger<Ec2SsmTarget>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var instanceId = InstanceId.Validate(settings.InstanceId, "instance_id");
        if (!InstanceId.IsEc2(instanceId))
        {
            throw new InvalidInputException("instance_id",
                $"instance_id '{settings.InstanceId}' is not an EC2 instance id; expected {InstanceId.Ec2Form}");
        }

        var region = RegionCode.Validate(settings.Region, "region");
        if (region == RegionCode.Local)
        {
            throw new InvalidInputException("region", $"region 'local' is for targets on this machine; an EC2 target needs {RegionCode.Form}");
        }

        _settings = settings with { InstanceId = instanceId, Region = region };
        _logger = logger ?? NullLogger<Ec2SsmTarget>.Instance;
        _time = timeProvider ?? TimeProvider.System;

        var ssmConfig = new AmazonSimpleSystemsManagementConfig { Timeout = settings.RequestTimeout, MaxErrorRetry = 2 };
        Configure(ssmConfig, region, settings.SsmServiceUrl, "ssm_service_url");
        var ec2Config = new AmazonEC2Config { Timeout = settings.RequestTimeout, MaxErrorRetry = 2 };
        Configure(ec2Config, region, settings.Ec2ServiceUrl, "ec2_service_url");
        // Created on first use: with the default chain the SDK resolves credentials while building a client, and a
        // missing credential must fail the call (with the fix), not the construction of the target.
        _ssm = new(() => settings.Credentials is { } credentials
            ? new AmazonSimpleSystemsManagementClient(credentials, ssmConfig)
            : new AmazonSimpleSystemsManagementClient(ssmConfig));
        _ec2 = new(() => settings.Credentials is { } credentials
            ? new AmazonEC2Client(credentials, ec2Config)
            : new AmazonEC2Client(ec2Config));
    }

    public string Name => _settings.Name;

    public TargetType Type => TargetType.Ec2;

    public string InstanceIdValue => _settings.InstanceId;

    public string Region => _settings.Region;

    private string Address => $"{_settings.InstanceId} ({_settings.Region})";

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
        var script = ShellQuote.Join(arguments);
        var display = redactor.Redact(script);
        if (options.StandardInput is not null)
        {
            throw new TargetNotSupportedException(Name,
                $"target '{Name}' is reached through SSM Run Command, which carries no standard input and keeps every command's " +
                $"text in the AWS command history, so DeployMind does not send input (env files with secrets, image streams) over it: {display}. " +
                "Use an ssh target for this instance (type: ssh) for secrets and registry-less delivery");
        }

        var started = _time.GetTimestamp();
        var executionSeconds = Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds));
        var request = new SendCommandRequest
        {
            DocumentName = Document,
            InstanceIds = [_settings.InstanceId],
            Comment = Truncate("deploymind: " + display, 100),
            TimeoutSeconds = Math.Max(30, (int)Math.Ceiling(_settings.DeliveryGrace.TotalSeconds)),
            Parameters = new Dictionary<string, List<string>>
            {
                ["commands"] = [script],
                ["executionTimeout"] = [executionSeconds.ToString(CultureInfo.InvariantCulture)],
            },
        };
        LogSending(Name, display);
        var sent = await CallAsync("SendCommand", () => _ssm.Value.SendCommandAsync(request, cancellationToken), display, cancellationToken);
        var commandId = sent.Command?.CommandId
            ?? throw new TargetUnreachableException(Name, Address, "SSM accepted the command but returned no command id");

        var deadline = options.Timeout + _settings.DeliveryGrace;
        GetCommandInvocationResponse? invocation = null;
        while (true)
        {
            await Task.Delay(_settings.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            if (_time.GetElapsedTime(started) > deadline)
            {
                await CancelQuietlyAsync(commandId);
                LogTimedOut(Name, display, deadline.TotalSeconds);
                return Result(display, redactor, options, invocation, started, timedOut: true);
            }

            try
            {
                invocation = await CallAsync("GetCommandInvocation", () => _ssm.Value.GetCommandInvocationAsync(new GetCommandInvocationRequest
                {
                    CommandId = commandId,
                    InstanceId = _settings.InstanceId,
                }, cancellationToken), display, cancellationToken);
            }
            catch (TargetUnreachableException e) when (e.InnerException is InvocationDoesNotExistException)
            {
                // Right after SendCommand the invocation may not exist yet; keep asking until the deadline.
                continue;
            }

            var status = invocation.Status?.Value ?? "";
            if (!s_terminal.Contains(status))
            {
                continue;
            }

            if (status == "Failed" && invocation.StatusDetails is "Undeliverable" or "DeliveryTimedOut" or "InvalidPlatform" or "Terminated")
            {
                throw new TargetUnreachableException(Name, Address,
                    $"the SSM agent did not run the command ({invocation.StatusDetails}); is the instance running, its SSM agent online and " +
                    "its instance profile allowed to use SSM?");
            }

            if (status == "Cancelled")
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            return Result(display, redactor, options, invocation, started, timedOut: status == "TimedOut");
        }
    }

    public async Task<TargetInstanceState> DescribeAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        InstanceStatus? status;
        try
        {
            var response = await CallAsync("DescribeInstanceStatus", () => _ec2.Value.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest
            {
                InstanceIds = [_settings.InstanceId],
                IncludeAllInstances = true,
            }, cancellationToken), "DescribeInstanceStatus", cancellationToken);
            status = response.InstanceStatuses?.FirstOrDefault(s => s.InstanceId == _settings.InstanceId);
        }
        catch (TargetException e)
        {
            return State(now, reachable: false, error: e.Message);
        }

        if (status is null)
        {
            return State(now, reachable: false, error: $"EC2 knows no instance {_settings.InstanceId} in {_settings.Region}");
        }

        var state = status.InstanceState?.Name?.Value;
        var described = State(now, reachable: false, error: null) with
        {
            InstanceState = state,
            InstanceStatus = status.Status?.Status?.Value,
            SystemStatus = status.SystemStatus?.Status?.Value,
        };
        if (state != "running")
        {
            return described with { Error = $"instance {_settings.InstanceId} is {state ?? "in an unknown state"}, not running" };
        }

        try
        {
            var version = await RunAsync(["docker", "version", "--format", "{{.Server.Version}}"],
                TargetCommandOptions.Default.WithTimeout(TimeSpan.FromSeconds(30)), cancellationToken);
            return described with
            {
                Reachable = true,
                DockerVersion = version.Succeeded ? version.StandardOutput.Trim() : null,
                Error = version.Succeeded ? null : $"the instance answers over SSM but its Docker engine does not: {version.FailureTail(3)}",
            };
        }
        catch (TargetException e)
        {
            return described with { Error = e.Message };
        }
    }

    public async Task DeliverImageAsync(string image, ImageDeliveryMode mode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        if (mode == ImageDeliveryMode.Stream)
        {
            throw new ImageDeliveryException(Name, image,
                "registry-less delivery (docker save streamed into docker load) needs an ssh or local target; SSM Run Command " +
                "cannot carry an image stream. Configure a registry so the instance pulls the image, or reach the instance with type: ssh");
        }

        if (await DockerCli.ImageIdAsync(this, image, cancellationToken) is null)
        {
            await DockerCli.PullAsync(this, image, cancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_ssm.IsValueCreated)
        {
            _ssm.Value.Dispose();
        }

        if (_ec2.IsValueCreated)
        {
            _ec2.Value.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private static void Configure(ClientConfig config, string region, string? serviceUrl, string field)
    {
        if (serviceUrl is null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            return;
        }

        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidInputException(field, $"{field} '{serviceUrl}' is not an http(s) URL");
        }

        config.ServiceURL = serviceUrl;
        config.AuthenticationRegion = region;
    }

    private TargetCommandResult Result(string display, Redactor redactor, TargetCommandOptions options,
        GetCommandInvocationResponse? invocation, long started, bool timedOut)
    {
        var stdout = Capture(OutputStream.StandardOutput, invocation?.StandardOutputContent, redactor, options);
        var stderr = Capture(OutputStream.StandardError, invocation?.StandardErrorContent, redactor, options);
        if (invocation?.StandardOutputContent?.Length >= SsmOutputLimit || invocation?.StandardErrorContent?.Length >= SsmOutputLimit)
        {
            stderr += $"[SSM returns at most {SsmOutputLimit} characters of each stream; the rest of the output was cut]\n";
        }
        var exitCode = timedOut || invocation is null ? -1 : invocation.ResponseCode ?? -1;
        return new TargetCommandResult
        {
            Target = Name,
            CommandDisplay = display,
            ExitCode = exitCode,
            StandardOutput = stdout,
            StandardError = stderr,
            Duration = _time.GetElapsedTime(started),
            TimedOut = timedOut,
            Timeout = options.Timeout,
        };
    }

    private static string Capture(OutputStream stream, string? content, Redactor redactor, TargetCommandOptions options)
    {
        var capture = new LineCapture(stream, redactor, options.OnOutputLine, new Lock(), options.MaxCapturedChars);
        if (!string.IsNullOrEmpty(content))
        {
            capture.AppendText(content);
            capture.Complete();
        }

        return capture.ToString();
    }

    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call, string display, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InvocationDoesNotExistException e)
        {
            throw new TargetUnreachableException(Name, Address, $"SSM has no invocation of the command yet ({e.Message})", e);
        }
        catch (InvalidInstanceIdException e)
        {
            throw new TargetUnreachableException(Name, Address,
                $"SSM cannot reach the instance ({e.Message}): it must be running, in {_settings.Region}, with the SSM agent online " +
                "and an instance profile allowing SSM", e);
        }
        catch (AmazonServiceException e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized
                                                    || e.ErrorCode is "AccessDeniedException" or "UnauthorizedOperation" or "AuthFailure"
                                                        or "UnrecognizedClientException" or "InvalidClientTokenId" or "ExpiredToken")
        {
            throw new TargetAuthenticationException(Name,
                $"target '{Name}': AWS refused {operation} for {Address} ({e.ErrorCode}: {e.Message}); check the credentials " +
                "(AWS_PROFILE, AWS_ACCESS_KEY_ID, an instance role) and that they allow ssm:SendCommand, ssm:GetCommandInvocation " +
                "and ec2:DescribeInstanceStatus", e);
        }
        catch (AmazonServiceException e) when (e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed")
        {
            throw new TargetUnreachableException(Name, Address, $"EC2 does not know the instance ({e.ErrorCode}: {e.Message})", e);
        }
        catch (AmazonServiceException e)
        {
            throw new TargetUnreachableException(Name, Address, $"{operation} failed ({e.ErrorCode ?? ((int)e.StatusCode).ToString(CultureInfo.InvariantCulture)}: {e.Message})", e);
        }
        catch (AmazonClientException e) when (e.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase))
        {
            throw new TargetAuthenticationException(Name,
                $"target '{Name}': no AWS credentials were found for {operation} ({e.Message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/" +
                "AWS_SECRET_ACCESS_KEY, or run where an instance role applies", e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or SocketException or IOException
                                      or TaskCanceledException or TimeoutException)
        {
            throw new TargetUnreachableException(Name, Address, $"{operation} could not reach AWS ({e.GetType().Name}: {e.Message}) while running {display}", e);
        }
    }

    private async Task CancelQuietlyAsync(string commandId)
    {
        try
        {
            using var cts = new CancellationTokenSource(_settings.RequestTimeout, _time);
            await _ssm.Value.CancelCommandAsync(new CancelCommandRequest { CommandId = commandId, InstanceIds = [_settings.InstanceId] }, cts.Token);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or OperationCanceledException or IOException)
        {
            LogCancelFailed(e, Name, commandId);
        }
    }

    private TargetInstanceState State(DateTimeOffset now, bool reachable, string? error) => new()
    {
        Target = Name,
        Type = Type,
        Address = Address,
        Reachable = reachable,
        Error = error,
        CheckedAt = now,
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Target {Target}: sending {Command} through SSM")]
    private partial void LogSending(string target, string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Target {Target}: {Command} did not finish within {Seconds} s; cancelled it")]
    private partial void LogTimedOut(string target, string command, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Target {Target}: could not cancel SSM command {CommandId}")]
    private partial void LogCancelFailed(Exception exception, string target, string commandId);
}
