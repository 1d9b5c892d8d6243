using DeployMind.Domain;
using DeployMind.Llm.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeployMind.Llm.Tests;

public sealed class ServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddDeployMindLlm_KeyInEnvironment_ResolvesAnAdvisorThatAsksTheServer()
    {
        await using var server = FakeOpenAiServer.Start();
        server.Enqueue(FakeResponse.Completion("""{"strategy":"canary","reasoning":"two rollbacks"}""", model: "llama-3.1-70b-versatile"));
        var variable = $"DEPLOYMIND_TEST_KEY_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "gsk_di_test");
        try
        {
            await using var provider = new ServiceCollection()
                .AddDeployMindLlm(o =>
                {
                    o.BaseUrl = server.BaseUrl;
                    o.ApiKeyEnvironmentVariable = variable;
                })
                .BuildServiceProvider();

            var advice = await provider.GetRequiredService<IDeploymentAdvisor>().RecommendStrategyAsync(
                new StrategyRequest { Repository = "acme/web", Environment = DeploymentEnvironment.Production, InstanceCount = 3 },
                CancellationToken.None);

            Assert.Equal(DeploymentStrategy.Canary, advice.Value.Strategy);
            Assert.Equal("llama-3.1-70b-versatile", advice.Usage.Model);
            Assert.Equal(0m, advice.Usage.CostUsd);
            Assert.Equal("Bearer gsk_di_test", Assert.Single(server.Requests).Authorization);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task AddDeployMindLlm_InvalidOptions_FailsListingEveryProblem()
    {
        await using var provider = new ServiceCollection()
            .AddDeployMindLlm(o =>
            {
                o.BaseUrl = "not a url";
                o.MaxRetries = 99;
            })
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LlmOptions>>().Value);

        Assert.Equal(2, ex.Failures.Count());
    }
}
