using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;

namespace DeployMind.Deploy.Tests.Targets;

/// <summary>A loopback HTTP server answering AWS requests; subclasses speak one service's wire protocol.</summary>
public abstract class FakeAwsServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<string> _operations = new();

    protected FakeAwsServer()
    {
        // HttpListener cannot pick a port itself: take a free one and retry on the rare clash.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Url = $"http://127.0.0.1:{port}";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; private set; } = "";

    /// <summary>Every operation requested, in order.</summary>
    public IReadOnlyList<string> Operations => [.. _operations];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _listener.Close();
        _stop.Dispose();
        await StopServiceAsync();
        GC.SuppressFinalize(this);
    }

    protected virtual ValueTask StopServiceAsync() => ValueTask.CompletedTask;

    protected abstract Task<(int Status, string ContentType, string Body, IReadOnlyDictionary<string, string>? Headers)> HandleAsync(
        HttpListenerRequest request, string body);

    protected void Record(string operation) => _operations.Enqueue(operation);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                    var body = await reader.ReadToEndAsync();
                    var (status, contentType, text, headers) = await HandleAsync(context.Request, body);
                    context.Response.StatusCode = status;
                    context.Response.ContentType = contentType;
                    context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
                    foreach (var (key, value) in headers ?? new Dictionary<string, string>())
                    {
                        context.Response.Headers[key] = value;
                    }

                    var bytes = Encoding.UTF8.GetBytes(text);
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
                {
                }
            });
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// SSM over the AWS JSON 1.1 protocol (X-Amz-Target: AmazonSSM.*): SendCommand really runs the AWS-RunShellScript
/// commands with /bin/sh here, GetCommandInvocation reports them, CancelCommand kills them.
/// </summary>
public sealed class FakeSsmServer : FakeAwsServer
{
    private readonly ConcurrentDictionary<string, Invocation> _invocations = new();

    /// <summary>Instances the fake manages; SendCommand to others fails with InvalidInstanceId.</summary>
    public HashSet<string> ManagedInstances { get; } = [];

    /// <summary>How many GetCommandInvocation calls per command answer InvocationDoesNotExist first (as SSM does right after sending).</summary>
    public int InvocationMissingFor { get; set; } = 2;

    /// <summary>When set, every invocation ends with this status details (e.g. Undeliverable) without running.</summary>
    public string? FailDeliveryWith { get; set; }

    /// <summary>When set, every request is refused with this error code (e.g. AccessDeniedException) and HTTP 400.</summary>
    public string? RefuseWith { get; set; }

    /// <summary>The SendCommand requests as received (JSON).</summary>
    public ConcurrentQueue<JsonObject> SentCommands { get; } = new();

    protected override async Task<(int, string, string, IReadOnlyDictionary<string, string>?)> HandleAsync(HttpListenerRequest request, string body)
    {
        var target = request.Headers["X-Amz-Target"] ?? "";
        var operation = target.StartsWith("AmazonSSM.", StringComparison.Ordinal) ? target["AmazonSSM.".Length..] : target;
        Record(operation);
        if (request.HttpMethod != "POST" || request.ContentType?.StartsWith("application/x-amz-json-1.1", StringComparison.Ordinal) != true)
        {
            return Error(400, "SerializationException", $"expected POST application/x-amz-json-1.1, got {request.HttpMethod} {request.ContentType}");
        }

        if (RefuseWith is { } code)
        {
            return Error(400, code, "User: arn:aws:iam::123456789012:user/test is not authorized to perform: ssm:" + operation);
        }

        var json = JsonNode.Parse(body)!.AsObject();
        return operation switch
        {
            "SendCommand" => Send(json),
            "GetCommandInvocation" => Get(json),
            "CancelCommand" => Cancel(json),
            _ => Error(400, "UnknownOperationException", $"unknown operation {operation}"),
        };
    }

    protected override async ValueTask StopServiceAsync()
    {
        foreach (var invocation in _invocations.Values)
        {
            invocation.Kill();
            await invocation.Completion;
        }
    }

    private (int, string, string, IReadOnlyDictionary<string, string>?) Send(JsonObject json)
    {
        SentCommands.Enqueue(json);
        var instances = json["InstanceIds"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
        if (json["DocumentName"]?.GetValue<string>() != "AWS-RunShellScript")
        {
            return Error(400, "InvalidDocument", "only AWS-RunShellScript is supported here");
        }

        if (instances.FirstOrDefault(i => !ManagedInstances.Contains(i)) is { } unknown)
        {
            return Error(400, "InvalidInstanceId", $"Instances [[{unknown}]] not in a valid state for account 123456789012");
        }

        var parameters = json["Parameters"]!.AsObject();
        var script = string.Join('\n', parameters["commands"]!.AsArray().Select(c => c!.GetValue<string>()));
        var timeout = int.Parse(parameters["executionTimeout"]?.AsArray().FirstOrDefault()?.GetValue<string>() ?? "3600");
        var commandId = Guid.NewGuid().ToString();
        foreach (var instance in instances)
        {
            _invocations[$"{commandId}/{instance}"] = new Invocation(script, TimeSpan.FromSeconds(timeout), FailDeliveryWith, InvocationMissingFor);
        }

        var response = new JsonObject
        {
            ["Command"] = new JsonObject
            {
                ["CommandId"] = commandId,
                ["DocumentName"] = "AWS-RunShellScript",
                ["DocumentVersion"] = "$DEFAULT",
                ["InstanceIds"] = new JsonArray([.. instances.Select(i => (JsonNode)JsonValue.Create(i))]),
                ["Parameters"] = parameters.DeepClone(),
                ["Status"] = "Pending",
                ["StatusDetails"] = "Pending",
                ["RequestedDateTime"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
                ["TargetCount"] = instances.Count,
                ["CompletedCount"] = 0,
                ["ErrorCount"] = 0,
            },
        };
        return (200, "application/x-amz-json-1.1", response.ToJsonString(), null);
    }

    private (int, string, string, IReadOnlyDictionary<string, string>?) Get(JsonObject json)
    {
        var commandId = json["CommandId"]!.GetValue<string>();
        var instanceId = json["InstanceId"]!.GetValue<string>();
        if (!_invocations.TryGetValue($"{commandId}/{instanceId}", out var invocation) || invocation.StillInvisible())
        {
            return Error(400, "InvocationDoesNotExist", "");
        }

        var (status, details, code, stdout, stderr) = invocation.Snapshot();
        var response = new JsonObject
        {
            ["CommandId"] = commandId,
            ["InstanceId"] = instanceId,
            ["DocumentName"] = "AWS-RunShellScript",
            ["DocumentVersion"] = "$DEFAULT",
            ["PluginName"] = "aws:runShellScript",
            ["ResponseCode"] = code,
            ["Status"] = status,
            ["StatusDetails"] = details,
            ["StandardOutputContent"] = Truncate(stdout),
            ["StandardErrorContent"] = Truncate(stderr),
            ["StandardOutputUrl"] = "",
            ["StandardErrorUrl"] = "",
            ["ExecutionStartDateTime"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        };
        return (200, "application/x-amz-json-1.1", response.ToJsonString(), null);
    }

    private (int, string, string, IReadOnlyDictionary<string, string>?) Cancel(JsonObject json)
    {
        var commandId = json["CommandId"]!.GetValue<string>();
        foreach (var (key, invocation) in _invocations)
        {
            if (key.StartsWith(commandId + "/", StringComparison.Ordinal))
            {
                invocation.Cancel();
            }
        }

        return (200, "application/x-amz-json-1.1", "{}", null);
    }

    private static string Truncate(string text) => text.Length <= 24000 ? text : text[..24000];

    private static (int, string, string, IReadOnlyDictionary<string, string>?) Error(int status, string code, string message) =>
        (status, "application/x-amz-json-1.1", new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString(),
            new Dictionary<string, string> { ["x-amzn-query-error"] = $"{code};Sender" });

    private sealed class Invocation
    {
        private readonly Lock _gate = new();
        private readonly Process? _process;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly string? _deliveryFailure;
        private int _invisibleFor;
        private string _status = "InProgress";
        private int _code = -1;
        private bool _cancelled;
        private bool _timedOut;

        public Invocation(string script, TimeSpan timeout, string? deliveryFailure, int invisibleFor)
        {
            _invisibleFor = invisibleFor;
            _deliveryFailure = deliveryFailure;
            if (deliveryFailure is not null)
            {
                Completion = Task.CompletedTask;
                return;
            }

            var start = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            _process = Process.Start(start)!;
            _process.StandardInput.Close();
            _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
            _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            Completion = RunAsync(timeout);
        }

        public Task Completion { get; }

        public bool StillInvisible()
        {
            lock (_gate)
            {
                return _invisibleFor-- > 0;
            }
        }

        public (string Status, string Details, int Code, string Stdout, string Stderr) Snapshot()
        {
            lock (_gate)
            {
                if (_deliveryFailure is not null)
                {
                    return ("Failed", _deliveryFailure, -1, "", "");
                }

                var details = _status switch { "Success" => "Success", "Failed" => "Failed", "InProgress" => "InProgress", _ => _status };
                return (_status, details, _code, _stdout.ToString(), _stderr.ToString());
            }
        }

        public void Cancel()
        {
            lock (_gate)
            {
                _cancelled = true;
            }

            Kill();
        }

        public void Kill()
        {
            try
            {
                _process?.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        private async Task RunAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process!.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    _timedOut = true;
                }

                Kill();
                await _process!.WaitForExitAsync();
            }

            _process.WaitForExit();
            lock (_gate)
            {
                (_status, _code) = _cancelled ? ("Cancelled", -1)
                    : _timedOut ? ("TimedOut", -1)
                    : (_process.ExitCode == 0 ? "Success" : "Failed", _process.ExitCode);
            }

            _process.Dispose();
        }

        private void Append(StringBuilder target, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                target.Append(line).Append('\n');
            }
        }
    }
}

/// <summary>EC2 over the Query protocol (form-encoded Action=…, XML answers): DescribeInstanceStatus.</summary>
public sealed class FakeEc2Server : FakeAwsServer
{
    private const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /// <summary>Instance id → (state name, instance status, system status).</summary>
    public ConcurrentDictionary<string, (string State, string InstanceStatus, string SystemStatus)> Instances { get; } = new();

    public ConcurrentQueue<string> RequestBodies { get; } = new();

    protected override Task<(int, string, string, IReadOnlyDictionary<string, string>?)> HandleAsync(HttpListenerRequest request, string body)
    {
        RequestBodies.Enqueue(body);
        var form = HttpUtility.ParseQueryString(body);
        var action = form["Action"] ?? "";
        Record(action);
        if (action != "DescribeInstanceStatus" || form["Version"] != "2016-11-15")
        {
            return Task.FromResult(Error("InvalidAction", $"The action {action} (version {form["Version"]}) is not valid for this web service."));
        }

        var ids = form.AllKeys.Where(k => k?.StartsWith("InstanceId.", StringComparison.Ordinal) == true).Select(k => form[k]!).ToList();
        var includeAll = string.Equals(form["IncludeAllInstances"], "true", StringComparison.OrdinalIgnoreCase);
        if (ids.FirstOrDefault(i => !Instances.ContainsKey(i)) is { } missing)
        {
            return Task.FromResult(Error("InvalidInstanceID.NotFound", $"The instance ID '{missing}' does not exist"));
        }

        var items = new StringBuilder();
        foreach (var id in ids)
        {
            var (state, instanceStatus, systemStatus) = Instances[id];
            if (state != "running" && !includeAll)
            {
                continue;
            }

            var code = state switch { "pending" => 0, "running" => 16, "shutting-down" => 32, "terminated" => 48, "stopping" => 64, _ => 80 };
            items.Append($"""
                    <item>
                        <instanceId>{id}</instanceId>
                        <availabilityZone>eu-west-1a</availabilityZone>
                        <instanceState><code>{code}</code><name>{state}</name></instanceState>
                        <systemStatus><status>{systemStatus}</status><details><item><name>reachability</name><status>{Detail(systemStatus)}</status></item></details></systemStatus>
                        <instanceStatus><status>{instanceStatus}</status><details><item><name>reachability</name><status>{Detail(instanceStatus)}</status></item></details></instanceStatus>
                    </item>
                """);
        }

        var xml = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeInstanceStatusResponse xmlns="{Namespace}">
                <requestId>{Guid.NewGuid()}</requestId>
                <instanceStatusSet>
            {items}
                </instanceStatusSet>
            </DescribeInstanceStatusResponse>
            """;
        return Task.FromResult<(int, string, string, IReadOnlyDictionary<string, string>?)>((200, "text/xml;charset=UTF-8", xml, null));
    }

    private static string Detail(string status) => status switch { "ok" => "passed", "impaired" => "failed", "initializing" => "initializing", _ => "insufficient-data" };

    private static (int, string, string, IReadOnlyDictionary<string, string>?) Error(string code, string message) =>
        (400, "text/xml;charset=UTF-8",
            $"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>""",
            null);
}
