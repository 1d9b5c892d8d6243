using System.Globalization;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Agents;
using DeployMind.Pipeline.Execution;

namespace DeployMind.Pipeline.Source;

/// <summary>Where a deployment's code comes from, as stored in deployments.metadata["source"].</summary>
public sealed record DeploymentSource(SourceKind Kind, string Location)
{
    private const string Key = "source";

    public JsonObject ToJson() => new() { ["kind"] = Kind.ToString().ToLowerInvariant(), ["location"] = Location };

    /// <summary>The source recorded with a deployment; without one, the deployment's GitHub repository.</summary>
    public static DeploymentSource Of(Deployment deployment)
    {
        if (deployment.Metadata?[Key] is JsonObject json
            && Enum.TryParse<SourceKind>(json["kind"]?.GetValue<string>(), ignoreCase: true, out var kind)
            && json["location"]?.GetValue<string>() is { Length: > 0 } location)
        {
            return new DeploymentSource(kind, location);
        }

        return new DeploymentSource(SourceKind.Repository, deployment.Repository);
    }

    public void WriteTo(JsonObject metadata) => metadata[Key] = ToJson();

    public SourceSpec ToSpec(string? commit, string? branch) => Kind switch
    {
        SourceKind.Repository => SourceSpec.ForRepository(Location, commit, branch),
        SourceKind.Url => SourceSpec.ForUrl(Location, commit, branch),
        _ => SourceSpec.ForLocalPath(Location, commit, branch),
    };
}

/// <summary>Artifacts the built-in stages hand on.</summary>
public static class PipelineArtifacts
{
    /// <summary>The checked-out source tree (security scans it, build builds it).</summary>
    public static readonly ArtifactKey<SourceCheckout> Source = new("source");
}

/// <summary>The source stage: checks out the deployment's commit into its workspace.</summary>
public sealed class SourceAgent(GitSourceCheckout checkout) : IDeploymentAgent
{
    public string Name => "source";

    public string Version => "1.0.0";

    public PipelineStage Stage => PipelineStage.Source;

    public async Task<AgentResult> ExecuteAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        var deployment = context.Deployment;
        var source = DeploymentSource.Of(deployment);
        var spec = source.ToSpec(deployment.CommitSha, deployment.Branch);
        var tree = await checkout.CheckoutAsync(spec, context.WorkspaceDirectory, cancellationToken);
        context.Artifacts.Set(PipelineArtifacts.Source, tree);
        if (!tree.CommitSha.StartsWith(deployment.CommitSha, StringComparison.OrdinalIgnoreCase))
        {
            return AgentResult.Failure($"checked out {tree.CommitSha} but the deployment is for {deployment.CommitSha}");
        }

        var subject = tree.CommitMessage.Split('\n', 2)[0].Trim();
        var output = new JsonObject
        {
            ["commit_sha"] = tree.CommitSha,
            ["branch"] = tree.Branch,
            ["remote"] = tree.RemoteDisplay,
            ["author"] = tree.Author,
            ["committed_at"] = tree.CommittedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["message"] = subject,
            ["warnings"] = new JsonArray(tree.Warnings.Select(w => (JsonNode)w).ToArray()),
        };
        await context.LogAsync(Name, DeploymentEvents.SourceCheckedOut,
            $"Checked out {tree.RemoteDisplay}@{tree.ShortSha}{(tree.Branch is null ? "" : $" ({tree.Branch})")}: {subject}",
            (JsonObject)output.DeepClone(), cancellationToken: cancellationToken);
        foreach (var warning in tree.Warnings)
        {
            await context.LogAsync(Name, DeploymentEvents.SourceCheckedOut, warning, level: LogLevel.Warning, cancellationToken: cancellationToken);
        }

        return AgentResult.Success(output);
    }
}
