using Microsoft.Extensions.Options;

namespace DeployMind.Llm.Tests.Fakes;

/// <summary>
/// A fake OpenAI server, a client and an advisor wired to it, a log sink and a recording clock. The API key lives in
/// an environment variable whose name is unique to the rig, so tests running in parallel never see each other's key.
/// </summary>
public sealed class LlmRig : IAsyncDisposable
{
    public static readonly TimeSpan InstantBelow = TimeSpan.FromMinutes(5);

    private readonly HttpClient _httpClient = new();

    private LlmRig(FakeOpenAiServer server, LlmOptions options, string? apiKey, TimeProvider time)
    {
        Server = server;
        Options = options;
        ApiKey = apiKey;
        Time = time;
        Client = new OpenAiChatClient(_httpClient, Microsoft.Extensions.Options.Options.Create(options), time, Logs.For<OpenAiChatClient>());
        Advisor = new LlmDeploymentAdvisor(Client, new RuleBasedAdvisor(), Microsoft.Extensions.Options.Options.Create(options), Logs.For<LlmDeploymentAdvisor>());
    }

    public FakeOpenAiServer Server { get; }

    public LlmOptions Options { get; }

    public string? ApiKey { get; }

    public TimeProvider Time { get; }

    public RecordingTimeProvider RecordingTime => (RecordingTimeProvider)Time;

    public LogSink Logs { get; } = new();

    public OpenAiChatClient Client { get; }

    public LlmDeploymentAdvisor Advisor { get; }

    /// <param name="withKey">False leaves the key variable unset.</param>
    /// <param name="time">Defaults to a <see cref="RecordingTimeProvider"/> that skips retry waits.</param>
    public static LlmRig Start(Action<LlmOptions>? configure = null, bool withKey = true, TimeProvider? time = null)
    {
        var server = FakeOpenAiServer.Start();
        var variable = $"DEPLOYMIND_TEST_KEY_{Guid.NewGuid():N}";
        var options = new LlmOptions
        {
            Provider = LlmProvider.Custom,
            BaseUrl = server.BaseUrl,
            Model = "gpt-4o",
            ApiKeyEnvironmentVariable = variable,
            Timeout = TimeSpan.FromMinutes(10),
            MaxRetries = 2,
        };
        configure?.Invoke(options);
        Assert.Empty(options.Validate());

        string? key = null;
        if (withKey)
        {
            key = $"gsk_test{Guid.NewGuid():N}";
            Environment.SetEnvironmentVariable(variable, key);
        }

        return new LlmRig(server, options, key, time ?? new RecordingTimeProvider(InstantBelow));
    }

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(Options.ApiKeyEnvironmentVariable, null);
        _httpClient.Dispose();
        await Server.DisposeAsync();
    }
}
