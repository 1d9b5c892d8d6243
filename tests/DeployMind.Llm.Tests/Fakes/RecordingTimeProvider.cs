using System.Collections.Concurrent;

namespace DeployMind.Llm.Tests.Fakes;

/// <summary>
/// The system clock, except that every timer's requested due time is recorded and timers shorter than
/// <c>instantBelow</c> (the retry waits) fire at once, so tests check the waits without sleeping through them.
/// Longer timers (the per-attempt timeouts) run normally.
/// </summary>
public sealed class RecordingTimeProvider(TimeSpan instantBelow) : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _requested = new();

    public IReadOnlyList<TimeSpan> Requested => [.. _requested];

    /// <summary>The recorded waits short enough to have been skipped: the backoff delays.</summary>
    public IReadOnlyList<TimeSpan> SkippedWaits => [.. _requested.Where(d => d < instantBelow)];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return System.CreateTimer(callback, state, dueTime, period);
        }

        _requested.Enqueue(dueTime);
        return System.CreateTimer(callback, state, dueTime < instantBelow ? TimeSpan.Zero : dueTime, period);
    }
}
