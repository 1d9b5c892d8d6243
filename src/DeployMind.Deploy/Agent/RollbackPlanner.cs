using System.Text.Json.Nodes;
using DeployMind.Deploy.Strategies;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Queue;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Deploy.Agent;

/// <summary>What a manual rollback asks for: the application, or a deployment to go back to, or both.</summary>
public sealed record RollbackRequest
{
    public string? Application { get; init; }

    /// <summary>The deployment whose version is restored; by default the one that was live before the current one.</summary>
    public string? To { get; init; }

    public DeploymentStrategy? Strategy { get; init; }

    public string? TriggeredBy { get; init; }
}

/// <summary>The rollback queued, and what it goes back from and to.</summary>
public sealed record PlannedRollback(Deployment Queued, Deployment To, Deployment? From, DeployImage Image);

/// <summary>
/// Plans a manual rollback: a NEW deployment of an earlier successful deployment's commit that reuses its image (no source,
/// security or build stage: the image is still on the targets, kept by the image retention) and its configuration snapshot.
/// The new deployment's previous_deployment_id is the deployment it restores; metadata.rollback names both ends.
/// </summary>
public sealed class RollbackPlanner(DeployMindDatabase database, DeploymentQueue queue)
{
    /// <summary>How many recent deployments are searched for the application's history.</summary>
    public const int HistoryDepth = 500;

    public async Task<PlannedRollback> PlanAsync(RollbackRequest request, CancellationToken cancellationToken)
    {
        var (to, from) = request.To is { } id ? await ExplicitAsync(id, request.Application, cancellationToken) : await PreviousAsync(request.Application, cancellationToken);
        var image = await ImageOfAsync(to.Id, cancellationToken)
                    ?? throw new InvalidInputException("--to", $"deployment {to.Id} recorded no deployed image, so it cannot be restored without a rebuild; deploy its commit again instead");
        var application = AppOf(to)!;
        var metadata = new JsonObject
        {
            ["app"] = application,
            ["plan"] = new JsonArray("deploy", "verify"),
            [DeploymentImage.Key] = DeploymentImage.ToJson(image),
            ["rollback"] = new JsonObject { ["to"] = to.Id, ["from"] = from?.Id, ["manual"] = true },
        };
        foreach (var key in new[] { "config", "config_dir", "source" })
        {
            if (to.Metadata?[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
        }

        var queued = await queue.EnqueueAsync(new DeploymentRequest
        {
            Repository = to.Repository,
            CommitSha = to.CommitSha,
            Branch = to.Branch,
            Targets = to.TargetKeys?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? (to.InstanceId is null ? [] : [to.InstanceId]),
            Region = to.Region,
            Environment = to.Environment,
            Strategy = request.Strategy ?? to.Strategy,
            TriggeredBy = request.TriggeredBy,
            TriggerType = TriggerType.Manual,
            PreviousDeploymentId = to.Id,
            Metadata = metadata,
        }, cancellationToken);
        return new PlannedRollback(queued, to, from, image);
    }

    /// <summary>The deployments of an application that went live, newest first.</summary>
    public Task<IReadOnlyList<Deployment>> LiveHistoryAsync(string application, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        var recent = await db.Deployments.AsNoTracking().Where(d => d.Status == DeploymentStatus.Deployed)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(HistoryDepth).ToListAsync(cancellationToken);
        return (IReadOnlyList<Deployment>)recent.Where(d => AppOf(d) == application).ToList();
    });

    /// <summary>The image a deployment's deploy stage rolled out, from its agent_executions output.</summary>
    public Task<DeployImage?> ImageOfAsync(string deploymentId, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        var outputs = await db.AgentExecutions.AsNoTracking()
            .Where(a => a.DeploymentId == deploymentId && a.AgentName == DeployAgent.AgentName && a.Success)
            .OrderByDescending(a => a.Id).Select(a => a.Output).ToListAsync(cancellationToken);
        return outputs.Select(DeploymentImage.FromMetadata).FirstOrDefault(i => i is not null);
    });

    public static string? AppOf(Deployment deployment) =>
        deployment.Metadata?["app"]?.GetValue<string>() ?? deployment.Metadata?["config"]?["name"]?.GetValue<string>();

    private async Task<(Deployment To, Deployment? From)> ExplicitAsync(string id, string? application, CancellationToken cancellationToken)
    {
        DeploymentId.Validate(id, "--to");
        var to = await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.Deployments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        }) ?? throw new NotFoundException("deployment", id);
        if (application is not null && AppOf(to) != application)
        {
            throw new InvalidInputException("--to", $"deployment {id} is of application '{AppOf(to)}', not '{application}'");
        }

        if (to.Status != DeploymentStatus.Deployed)
        {
            throw new InvalidInputException("--to", $"deployment {id} ended {to.Status.ToWire()}; only a deployment that went live (deployed) can be restored");
        }

        var history = await LiveHistoryAsync(AppOf(to)!, cancellationToken);
        return (to, history.FirstOrDefault(d => d.Id != to.Id && d.CreatedAt > to.CreatedAt));
    }

    private async Task<(Deployment To, Deployment? From)> PreviousAsync(string? application, CancellationToken cancellationToken)
    {
        if (application is null)
        {
            throw new InvalidInputException("--app", "name the application with --app (or run in a directory with its deploymind.yml), or give --to DEPLOYMENT_ID");
        }

        var history = await LiveHistoryAsync(application, cancellationToken);
        if (history.Count == 0)
        {
            throw new NotFoundException("live deployment of application", application);
        }

        var current = history[0];
        var currentImage = await ImageOfAsync(current.Id, cancellationToken);
        foreach (var candidate in history.Skip(1))
        {
            var image = await ImageOfAsync(candidate.Id, cancellationToken);
            if (image is not null && image.Reference != currentImage?.Reference)
            {
                return (candidate, current);
            }
        }

        throw new InvalidInputException("--to",
            $"{application} has no earlier live deployment with a different image than {current.Id}; there is nothing to roll back to");
    }
}
