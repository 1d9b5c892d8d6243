namespace DeployMind.Proxy.Routing;

/// <summary>One backend inside the pool. Selection state (weight, smooth-weighted-round-robin counter, drain
/// state) changes only under the pool's lock; the in-flight counter is interlocked.</summary>
internal sealed class Backend
{
    private int _inFlight;
    private long _requests;
    private CancellationTokenSource _abort = new();

    public Backend(string id, string url)
    {
        Id = id;
        Url = url;
    }

    public string Id { get; }

    public string Url { get; }

    public int Weight { get; set; }

    /// <summary>Smooth weighted round robin running counter (nginx's algorithm).</summary>
    public long CurrentWeight { get; set; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public long Requests => Interlocked.Read(ref _requests);

    public bool Draining { get; private set; }

    public bool Drained { get; private set; }

    public bool DrainTimedOut { get; private set; }

    public DateTimeOffset? DrainStartedAt { get; private set; }

    public DateTimeOffset? DrainedAt { get; private set; }

    /// <summary>Stopwatch timestamp until which the backend is skipped after a failed connection.</summary>
    public long UnreachableUntil { get; set; }

    public DateTimeOffset? UnreachableUntilWall { get; set; }

    /// <summary>Incremented whenever a drain starts or is cancelled, so a stale drain timer does nothing.</summary>
    public int DrainEpoch { get; private set; }

    /// <summary>Cancelled when the drain timeout passes: aborts the requests still in flight.</summary>
    public CancellationToken AbortToken => _abort.Token;

    public bool ReceivesTraffic => Weight > 0 && !Draining && !Drained;

    public void Enter()
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _requests);
    }

    /// <summary>Returns the in-flight count after leaving.</summary>
    public int Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Stops new traffic. Returns the epoch of this drain, or -1 when it was already drained at once.</summary>
    public int StartDrain(DateTimeOffset now)
    {
        if (Draining || Drained)
        {
            return Draining ? DrainEpoch : -1;
        }
        DrainEpoch++;
        DrainStartedAt = now;
        DrainTimedOut = false;
        if (InFlight == 0)
        {
            Drained = true;
            DrainedAt = now;
            return -1;
        }
        Draining = true;
        return DrainEpoch;
    }

    /// <summary>Called under the pool lock when the last in-flight request left.</summary>
    public void CompleteDrain(DateTimeOffset now, bool timedOut)
    {
        if (!Draining)
        {
            return;
        }
        Draining = false;
        Drained = true;
        DrainedAt = now;
        DrainTimedOut = timedOut;
        if (timedOut)
        {
            _abort.Cancel();
        }
    }

    /// <summary>Back to receiving traffic (weight raised above 0 again, or re-added with the same URL).</summary>
    public void Revive()
    {
        if (!Draining && !Drained)
        {
            return;
        }
        DrainEpoch++;
        Draining = false;
        Drained = false;
        DrainTimedOut = false;
        DrainStartedAt = null;
        DrainedAt = null;
        if (_abort.IsCancellationRequested)
        {
            _abort = new CancellationTokenSource();
        }
    }
}
