using Amazon.Runtime;
using DeployMind.Deploy.Containers;
using DeployMind.Deploy.Targets;
using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Deploy.Tests.Targets;

/// <summary>The EC2 target against loopback servers speaking SSM's JSON 1.1 and EC2's Query protocol; the fake SSM runs scripts here.</summary>
[Collection(SshCollection.Name)]
public sealed class Ec2SsmTargetTests : IAsyncLifetime
{
    private const string Instance = "i-0123456789abcdef0";

    private readonly BusyboxImage _busybox;
    private readonly FakeSsmServer _ssm = new();
    private readonly FakeEc2Server _ec2 = new();
    private readonly List<IDeployTarget> _targets = [];

    public Ec2SsmTargetTests(BusyboxImage busybox)
    {
        _busybox = busybox;
        _ssm.ManagedInstances.Add(Instance);
        _ec2.Instances[Instance] = ("running", "ok", "ok");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var target in _targets)
        {
            await target.DisposeAsync();
        }

        await _ssm.DisposeAsync();
        await _ec2.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_QuotedArguments_RunAsOneWordEachAfterInvocationAppears()
    {
        var target = Target();
        string[] words = ["two words", "it's", "$(id)", "`id`", "a;b|c", "*", "", "new\nline"];

        var result = await target.RunAsync(["printf", "[%s]\\n", .. words], TargetCommandOptions.Default, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Concat(words.Select(w => $"[{w}]\n")), result.StandardOutput);
        var sent = Assert.Single(_ssm.SentCommands);
        Assert.Equal("AWS-RunShellScript", sent["DocumentName"]!.GetValue<string>());
        Assert.Equal(Instance, sent["InstanceIds"]![0]!.GetValue<string>());
        Assert.Equal("300", sent["Parameters"]!["executionTimeout"]![0]!.GetValue<string>());
        // The fake answered InvocationDoesNotExist twice before the invocation appeared.
        Assert.True(_ssm.Operations.Count(o => o == "GetCommandInvocation") >= 3);
    }

    [Fact]
    public async Task RunAsync_FailingScript_ReturnsResponseCodeAndStreams()
    {
        var target = Target();

        var result = await target.RunAsync(["sh", "-c", "echo out; echo err >&2; exit 5"], TargetCommandOptions.Default, CancellationToken.None);

        Assert.Equal(5, result.ExitCode);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
    }

    [Fact]
    public async Task RunAsync_Secrets_MaskedInResultAndComment()
    {
        var target = Target();
        const string secret = "ssm-secret-value-123";

        var result = await target.RunAsync(["echo", secret], TargetCommandOptions.Default.WithSecrets(secret), CancellationToken.None);

        Assert.Equal("***\n", result.StandardOutput);
        Assert.DoesNotContain(secret, result.CommandDisplay, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, Assert.Single(_ssm.SentCommands)["Comment"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ExecutionTimeout_IsReportedTimedOut()
    {
        var target = Target();

        var result = await target.RunAsync(["sleep", "30"], TargetCommandOptions.Default.WithTimeout(TimeSpan.FromSeconds(1)), CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.Equal(-1, result.ExitCode);
    }

    [Fact]
    public async Task RunAsync_StandardInput_IsRefusedBeforeAnyCall()
    {
        var target = Target();

        var error = await Assert.ThrowsAsync<TargetNotSupportedException>(() =>
            target.RunAsync(["docker", "run", "--env-file", "/dev/stdin", "x"], TargetCommandOptions.Default.WithInput("A=1\n"), CancellationToken.None));

        Assert.Contains("SSM Run Command", error.Message, StringComparison.Ordinal);
        Assert.Contains("ssh", error.Message, StringComparison.Ordinal);
        Assert.Empty(_ssm.Operations);
    }

    [Fact]
    public async Task RunAsync_InstanceNotManaged_IsUnreachableWithTheFix()
    {
        _ssm.ManagedInstances.Clear();
        var target = Target();

        var error = await Assert.ThrowsAsync<TargetUnreachableException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.Contains($"{Instance} (eu-west-1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("SSM agent online", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Undeliverable_IsUnreachable()
    {
        _ssm.FailDeliveryWith = "Undeliverable";
        var target = Target();

        var error = await Assert.ThrowsAsync<TargetUnreachableException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.Contains("(Undeliverable)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AccessDenied_IsAnAuthenticationError()
    {
        _ssm.RefuseWith = "AccessDeniedException";
        var target = Target();

        var error = await Assert.ThrowsAsync<TargetAuthenticationException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.Contains("ssm:SendCommand", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EndpointDown_IsUnreachable()
    {
        var target = Target(settings => settings with { SsmServiceUrl = "http://127.0.0.1:9", RequestTimeout = TimeSpan.FromSeconds(3) });

        var error = await Assert.ThrowsAsync<TargetUnreachableException>(() =>
            target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.Contains("could not reach AWS", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("running", "ok", "ok", true)]
    [InlineData("stopped", "not-applicable", "not-applicable", false)]
    [InlineData("running", "impaired", "ok", true)]
    public async Task DescribeAsync_ReadsInstanceStateAndStatusChecks(string state, string instanceStatus, string systemStatus, bool reachable)
    {
        _ec2.Instances[Instance] = (state, instanceStatus, systemStatus);
        var target = Target();

        var described = await target.DescribeAsync(CancellationToken.None);

        Assert.Equal((state, instanceStatus, systemStatus), (described.InstanceState, described.InstanceStatus, described.SystemStatus));
        Assert.Equal(reachable, described.Reachable);
        Assert.Equal(TargetType.Ec2, described.Type);
        var body = Assert.Single(_ec2.RequestBodies);
        Assert.Contains($"InstanceId.1={Instance}", body, StringComparison.Ordinal);
        Assert.Contains("IncludeAllInstances=true", body, StringComparison.Ordinal);
        if (reachable)
        {
            Assert.Matches(@"^\d+\.\d+", described.DockerVersion);
        }
        else
        {
            Assert.Contains("stopped", described.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("SendCommand", _ssm.Operations);
        }
    }

    [Fact]
    public async Task DescribeAsync_UnknownInstance_IsNotReachable()
    {
        _ec2.Instances.Clear();
        var target = Target();

        var described = await target.DescribeAsync(CancellationToken.None);

        Assert.False(described.Reachable);
        Assert.Contains("InvalidInstanceID.NotFound", described.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("i-123", "eu-west-1", "instance_id")]
    [InlineData("I-0123456789ABCDEF0", "eu-west-1", "instance_id")]
    [InlineData("web-1", "eu-west-1", "instance_id")]
    [InlineData(Instance, "europe-1", "region")]
    [InlineData(Instance, "local", "region")]
    [InlineData(Instance, "", "region")]
    public async Task Create_InvalidInstanceOrRegion_IsRejectedBeforeAnyCall(string instance, string region, string field)
    {
        var error = Assert.ThrowsAny<InvalidInputException>(() => new Ec2SsmTarget(Settings() with { InstanceId = instance, Region = region }));

        Assert.Equal(field, error.Field);
        await Task.Delay(50);
        Assert.Empty(_ssm.Operations);
        Assert.Empty(_ec2.Operations);
    }

    [Fact]
    public async Task DeliverImageAsync_StreamMode_SaysRegistryLessNeedsSsh_RegistryPullSkipsPresentImage()
    {
        var target = Target();
        var image = await _busybox.TagUniqueAsync("ssm-deliver");
        try
        {
            var error = await Assert.ThrowsAsync<ImageDeliveryException>(() =>
                target.DeliverImageAsync(image, ImageDeliveryMode.Stream, CancellationToken.None));
            Assert.Contains("needs an ssh or local target", error.Message, StringComparison.Ordinal);
            Assert.Empty(_ssm.Operations);

            await target.DeliverImageAsync(image, ImageDeliveryMode.RegistryPull, CancellationToken.None);

            Assert.Single(_ssm.SentCommands);
        }
        finally
        {
            await new ContainerHost(new LocalDockerTarget("cleanup", new ProcessRunner())).RemoveImageAsync(image, CancellationToken.None);
        }
    }

    [Fact]
    public async Task ContainerHost_OverSsm_ListsAndExecsOnTheEngine()
    {
        var host = new ContainerHost(Target());

        var containers = await host.ListAppAsync($"no-app-{Guid.NewGuid():N}", null, CancellationToken.None);
        var exists = await host.ImageExistsAsync("deploymind-test/no-such-image:0", CancellationToken.None);
        var exec = await host.ExecAsync("deploymind-test-no-such-container", ["true"], TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Empty(containers);
        Assert.False(exists);
        Assert.NotEqual(0, exec.ExitCode);
        Assert.Contains("No such container", exec.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Factory_Ec2Target_TakesEndpointOverridesFromTheEnvironment()
    {
        var factory = new DeployTargetFactory(new ProcessRunner(), new DeployTargetOptions
        {
            Environment = new Dictionary<string, string?>
            {
                [Ec2TargetSettings.SsmServiceUrlVariable] = _ssm.Url,
                [Ec2TargetSettings.Ec2ServiceUrlVariable] = _ec2.Url,
                ["AWS_REGION"] = "ap-south-1",
            },
        });

        var settings = factory.Ec2Settings(new TargetConfig { Name = Instance, Type = TargetType.Ec2 },
            new Dictionary<string, string?>
            {
                [Ec2TargetSettings.SsmServiceUrlVariable] = _ssm.Url,
                ["AWS_REGION"] = "ap-south-1",
            });

        Assert.Equal((Instance, "ap-south-1", _ssm.Url), (settings.InstanceId, settings.Region, settings.SsmServiceUrl));
        Assert.IsType<Ec2SsmTarget>(factory.Create(new TargetConfig { Name = "web", Type = TargetType.Ec2, InstanceId = Instance, Region = "eu-west-1" }));
    }

    [Fact]
    public async Task RunAsync_NoCredentialsAnywhere_FailsWithTheFixNotAtConstruction()
    {
        var target = Target(settings => settings with { Credentials = null });
        var names = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN" };
        if (names.Any(n => Environment.GetEnvironmentVariable(n) is not null))
        {
            return; // a developer machine with credentials: nothing to prove here
        }

        var error = await Assert.ThrowsAnyAsync<TargetException>(() => target.RunAsync(["true"], TargetCommandOptions.Default, CancellationToken.None));

        Assert.Contains("credentials", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private Ec2TargetSettings Settings() => new()
    {
        Name = "ec2-web",
        InstanceId = Instance,
        Region = "eu-west-1",
        SsmServiceUrl = _ssm.Url,
        Ec2ServiceUrl = _ec2.Url,
        Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        PollInterval = TimeSpan.FromMilliseconds(100),
        DeliveryGrace = TimeSpan.FromSeconds(10),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private Ec2SsmTarget Target(Func<Ec2TargetSettings, Ec2TargetSettings>? change = null)
    {
        var target = new Ec2SsmTarget(change is null ? Settings() : change(Settings()));
        _targets.Add(target);
        return target;
    }
}
