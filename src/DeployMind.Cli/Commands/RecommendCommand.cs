using System.CommandLine;
using DeployMind.Domain;
using DeployMind.Llm;
using DeployMind.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind recommend`: the advisor's strategy recommendation from a repository's deployment history.</summary>
internal static class RecommendCommand
{
    public static Command Create(CliContext context)
    {
        var repository = new Option<string>("--repository") { Description = "Repository owner/repo", Required = true };
        var environment = new Option<string>("--environment") { Description = "development, staging or production", DefaultValueFactory = _ => "production" };
        var instances = new Option<int>("--instances") { Description = "How many instances the app runs on", DefaultValueFactory = _ => 1 };
        var history = new Option<int>("--history") { Description = "How many recent deployments to consider", DefaultValueFactory = _ => 50 };
        var command = new Command("recommend", "Recommend a rollout strategy (rolling, canary, blue-green) from the repository's deployment history");
        foreach (var option in new Option[] { repository, environment, instances, history, GlobalOptions.Json })
        {
            command.Options.Add(option);
        }

        command.SetWork(context, async (parse, services, ct) =>
        {
            var repo = RepositoryName.Validate(parse.GetValue(repository), "--repository");
            var env = WireValues.Parse<DeploymentEnvironment>(parse.GetValue(environment), "--environment");
            var count = parse.GetValue(instances);
            if (count is < 1 or > 10_000)
            {
                throw new InvalidInputException("--instances", $"--instances {count} is out of range; use 1 to 10000");
            }

            await services.Database().EnsureReadyAsync(ct);
            var recent = await services.GetRequiredService<DeploymentQueries>()
                .ListAsync(new DeploymentListFilter(Repository: repo, Environment: env, Limit: Math.Clamp(parse.GetValue(history), 1, 1000)), ct);
            var advice = await services.GetRequiredService<IDeploymentAdvisor>().RecommendStrategyAsync(new StrategyRequest
            {
                Repository = repo,
                Environment = env,
                InstanceCount = count,
                History = recent.Where(d => DeploymentStatusMachine.IsFinished(d.Status))
                    .Select(d => new DeploymentHistoryEntry(d.Strategy, d.Status, d.DurationSeconds, d.Status == DeploymentStatus.RolledBack)).ToList(),
            }, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                CliJson.Write(context.Output, new { Strategy = advice.Value.Strategy.ToWire(), advice.Value.Reasoning, Model = advice.Usage.Model, advice.FallbackReason });
            }
            else
            {
                await context.Output.WriteLineAsync($"Recommended strategy: {advice.Value.Strategy.ToWire()}");
                await context.Output.WriteLineAsync(advice.Value.Reasoning);
                await context.Output.WriteLineAsync($"(advisor: {advice.Usage.Model})");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
