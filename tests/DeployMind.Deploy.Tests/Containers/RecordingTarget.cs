using DeployMind.Deploy.Targets;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Tests.Containers;

/// <summary>Passes every call to a real target and records each command line and its result.</summary>
public sealed class RecordingTarget(IDeployTarget inner) : IDeployTarget
{
    private readonly Lock _gate = new();
    private readonly List<(IReadOnlyList<string> Arguments, TargetCommandResult Result)> _calls = [];

    public string Name => inner.Name;

    public TargetType Type => inner.Type;

    public IReadOnlyList<(IReadOnlyList<string> Arguments, TargetCommandResult Result)> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public async Task<TargetCommandResult> RunAsync(IReadOnlyList<string> arguments, TargetCommandOptions options, CancellationToken cancellationToken)
    {
        var result = await inner.RunAsync(arguments, options, cancellationToken);
        lock (_gate)
        {
            _calls.Add((arguments, result));
        }

        return result;
    }

    public Task<TargetInstanceState> DescribeAsync(CancellationToken cancellationToken) => inner.DescribeAsync(cancellationToken);

    public Task DeliverImageAsync(string image, ImageDeliveryMode mode, CancellationToken cancellationToken) =>
        inner.DeliverImageAsync(image, mode, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
