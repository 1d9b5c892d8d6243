namespace DeployMind.Domain;

/// <summary>Base of every error DeployMind raises on purpose; hosts translate it into an exit code or ProblemDetails.</summary>
public abstract class DeployMindException : Exception
{
    protected DeployMindException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>A value supplied by a user or a caller does not have the expected form.</summary>
public class InvalidInputException : DeployMindException
{
    public InvalidInputException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>The field, option or key that was wrong (e.g. <c>commit_sha</c>).</summary>
    public string Field { get; }
}

/// <summary>A deployment was asked to move to a status its current status cannot reach.</summary>
public sealed class InvalidStatusTransitionException : DeployMindException
{
    public InvalidStatusTransitionException(string deploymentId, DeploymentStatus from, DeploymentStatus to)
        : base($"deployment {deploymentId} cannot move from '{from.ToWire()}' to '{to.ToWire()}'; " +
               $"allowed from '{from.ToWire()}': {DescribeAllowed(from)}")
    {
        DeploymentId = deploymentId;
        From = from;
        To = to;
    }

    public string DeploymentId { get; }

    public DeploymentStatus From { get; }

    public DeploymentStatus To { get; }

    private static string DescribeAllowed(DeploymentStatus from)
    {
        var next = DeploymentStatusMachine.NextStatuses(from);
        return next.Count == 0 ? "none (it is final)" : string.Join(", ", next.Select(s => s.ToWire()));
    }
}

/// <summary>A looked-up record does not exist.</summary>
public sealed class NotFoundException : DeployMindException
{
    public NotFoundException(string what, string id)
        : base($"{what} '{id}' was not found")
    {
        What = what;
        Id = id;
    }

    public string What { get; }

    public string Id { get; }
}
