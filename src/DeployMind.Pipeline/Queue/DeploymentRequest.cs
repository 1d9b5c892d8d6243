using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Pipeline.Queue;

/// <summary>What a trigger (CLI, API, webhook, schedule) asks to deploy. Validated before anything is written.</summary>
public sealed record DeploymentRequest
{
    public required string Repository { get; init; }

    public required string CommitSha { get; init; }

    public string? Branch { get; init; }

    /// <summary>The targets the deployment changes; each is locked while it runs. The first is recorded as instance_id.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    public string? Region { get; init; }

    public DeploymentEnvironment Environment { get; init; } = DeploymentEnvironment.Production;

    public DeploymentStrategy Strategy { get; init; } = DeploymentStrategy.Rolling;

    public string? TriggeredBy { get; init; }

    public TriggerType TriggerType { get; init; } = TriggerType.Manual;

    public string? PreviousDeploymentId { get; init; }

    /// <summary>The configuration snapshot and other context; secrets appear only as references.</summary>
    public JsonObject? Metadata { get; init; }

    public void Validate()
    {
        RepositoryName.Validate(Repository);
        Domain.CommitSha.Validate(CommitSha);
        if (Branch is not null)
        {
            BranchName.Validate(Branch);
        }

        foreach (var target in Targets)
        {
            InstanceId.Validate(target, "target");
        }

        if (Region is not null)
        {
            RegionCode.Validate(Region);
        }

        if (PreviousDeploymentId is not null)
        {
            DeploymentId.Validate(PreviousDeploymentId, "previous_deployment_id");
        }

        if (TriggeredBy is { Length: > 255 })
        {
            throw new InvalidInputException("triggered_by", "triggered_by is longer than 255 characters");
        }
    }
}
