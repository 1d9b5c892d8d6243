using System.Diagnostics;
using DeployMind.Domain;

namespace DeployMind.Pipeline.Execution;

/// <summary>
/// Tracing of deployments: one span per deployment run and one child span per stage, on the "DeployMind.Pipeline"
/// ActivitySource (hosts export it with OpenTelemetry). A deployment queued from a traced request carries the request's
/// traceparent in its metadata, so its stages join that trace even when another process runs them.
/// </summary>
public static class PipelineTelemetry
{
    public const string SourceName = "DeployMind.Pipeline";

    public static readonly ActivitySource Source = new(SourceName, "1.0.0");

    public static Activity? StartDeployment(Deployment deployment)
    {
        var parent = deployment.Metadata?["traceparent"]?.GetValue<string>() is { } traceparent
                     && ActivityContext.TryParse(traceparent, null, out var context) ? context : default;
        var activity = Source.StartActivity($"deployment {deployment.Repository}", ActivityKind.Internal, parent);
        activity?.SetTag("deploymind.deployment_id", deployment.Id);
        activity?.SetTag("deploymind.repository", deployment.Repository);
        activity?.SetTag("deploymind.commit_sha", deployment.CommitSha);
        activity?.SetTag("deploymind.strategy", deployment.Strategy.ToWire());
        return activity;
    }

    public static Activity? StartStage(string stage, string agent, string deploymentId)
    {
        var activity = Source.StartActivity($"stage {stage}");
        activity?.SetTag("deploymind.stage", stage);
        activity?.SetTag("deploymind.agent", agent);
        activity?.SetTag("deploymind.deployment_id", deploymentId);
        return activity;
    }
}
