using System.Diagnostics;
using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.Routing;

/// <summary>The backend set and the weighted choice of a backend per request.
/// <para>Selection and replacement share one lock, so once <see cref="Replace"/> returns no new request can
/// reach a backend it removed or set to weight 0, and every request counted in flight was counted under the
/// lock. Selection is smooth weighted round robin: over any run of sum(weights) choices each backend gets
/// exactly its weight.</para></summary>
internal sealed class BackendPool
{
    private const int RetiredKept = 64;
    private static readonly TimeSpan s_retiredDrainedFor = TimeSpan.FromMinutes(10);

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private Backend[] _current = [];
    private Backend[] _live = [];
    private readonly List<Backend> _retired = [];
    private long _generation;
    private DateTimeOffset _updatedAt;

    public BackendPool(TimeProvider time)
    {
        _time = time;
        _updatedAt = time.GetUtcNow();
    }

    public long Generation
    {
        get
        {
            lock (_gate)
            {
                return _generation;
            }
        }
    }

    public int LiveCount
    {
        get
        {
            lock (_gate)
            {
                return _live.Length;
            }
        }
    }

    /// <summary>Chooses a backend for a new request and counts it in flight, or null when none is live.
    /// <paramref name="exclude"/> is skipped (the backend a retry comes from); backends that failed to connect
    /// recently are skipped while another one is available.</summary>
    public Backend? Acquire(Backend? exclude = null)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            var live = _live;
            if (live.Length == 0)
            {
                return null;
            }
            var chosen = Choose(live, exclude, now, skipUnreachable: true) ?? Choose(live, exclude, now, skipUnreachable: false);
            chosen?.Enter();
            return chosen;
        }
    }

    private static Backend? Choose(Backend[] live, Backend? exclude, long now, bool skipUnreachable)
    {
        Backend? best = null;
        long total = 0;
        foreach (var b in live)
        {
            if (ReferenceEquals(b, exclude) || (skipUnreachable && b.UnreachableUntil > now))
            {
                continue;
            }
            b.CurrentWeight += b.Weight;
            total += b.Weight;
            if (best is null || b.CurrentWeight > best.CurrentWeight)
            {
                best = b;
            }
        }
        if (best is not null)
        {
            best.CurrentWeight -= total;
        }
        return best;
    }

    /// <summary>A request sent to <paramref name="backend"/> finished.</summary>
    public void Release(Backend backend)
    {
        if (backend.Leave() == 0)
        {
            lock (_gate)
            {
                if (backend.Draining && backend.InFlight == 0)
                {
                    backend.CompleteDrain(_time.GetUtcNow(), timedOut: false);
                }
            }
        }
    }

    /// <summary>Skips <paramref name="backend"/> for <paramref name="cooldown"/> after a failed connection.</summary>
    public void MarkUnreachable(Backend backend, TimeSpan cooldown)
    {
        lock (_gate)
        {
            backend.UnreachableUntil = Stopwatch.GetTimestamp() + (long)(cooldown.TotalSeconds * Stopwatch.Frequency);
            backend.UnreachableUntilWall = _time.GetUtcNow() + cooldown;
        }
    }

    /// <summary>Replaces the whole set atomically and returns the new state. A backend keeps its identity
    /// (in-flight count, drain state) when it comes back with the same id and URL.</summary>
    public ProxyState Replace(IReadOnlyList<ProxyBackend> backends, long generation, TimeSpan drainTimeout)
    {
        var drains = new List<(Backend Backend, int Epoch)>();
        ProxyState state;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var next = new Backend[backends.Count];
            var previous = _current.ToDictionary(b => b.Id, StringComparer.Ordinal);
            for (var i = 0; i < backends.Count; i++)
            {
                var spec = backends[i];
                Backend? backend = null;
                if (previous.TryGetValue(spec.Id, out var existing) && existing.Url == spec.Url)
                {
                    backend = existing;
                    previous.Remove(spec.Id);
                }
                else
                {
                    var retired = _retired.FindIndex(b => b.Id == spec.Id && b.Url == spec.Url);
                    if (retired >= 0)
                    {
                        backend = _retired[retired];
                        _retired.RemoveAt(retired);
                    }
                }
                backend ??= new Backend(spec.Id, spec.Url);
                backend.Weight = spec.Weight;
                if (spec.Weight > 0)
                {
                    backend.Revive();
                }
                else
                {
                    var epoch = backend.StartDrain(now);
                    if (epoch >= 0)
                    {
                        drains.Add((backend, epoch));
                    }
                }
                next[i] = backend;
            }
            // Whatever is left of the previous set was removed (or its URL changed): it drains.
            foreach (var gone in previous.Values)
            {
                var epoch = gone.StartDrain(now);
                if (epoch >= 0)
                {
                    drains.Add((gone, epoch));
                }
                gone.Weight = 0;
                _retired.Add(gone);
            }
            _current = next;
            _live = next.Where(b => b.Weight > 0).ToArray();
            foreach (var b in next)
            {
                b.CurrentWeight = 0;
            }
            _generation = generation;
            _updatedAt = now;
            PruneRetired(now);
            state = SnapshotLocked();
        }
        foreach (var (backend, epoch) in drains)
        {
            _ = DrainTimerAsync(backend, epoch, drainTimeout);
        }
        return state;
    }

    private async Task DrainTimerAsync(Backend backend, int epoch, TimeSpan timeout)
    {
        try
        {
            await Task.Delay(timeout, _time);
        }
        catch (ArgumentOutOfRangeException)
        {
        }
        lock (_gate)
        {
            if (backend.DrainEpoch == epoch && backend.Draining)
            {
                backend.CompleteDrain(_time.GetUtcNow(), timedOut: true);
            }
        }
    }

    private void PruneRetired(DateTimeOffset now)
    {
        _retired.RemoveAll(b => b.Drained && b.DrainedAt is { } at && now - at > s_retiredDrainedFor);
        while (_retired.Count > RetiredKept)
        {
            var oldest = _retired.FindIndex(b => b.Drained);
            _retired.RemoveAt(oldest >= 0 ? oldest : 0);
        }
    }

    public ProxyState Snapshot()
    {
        lock (_gate)
        {
            PruneRetired(_time.GetUtcNow());
            return SnapshotLocked();
        }
    }

    /// <summary>The current set as it would be persisted.</summary>
    public IReadOnlyList<ProxyBackend> CurrentSet()
    {
        lock (_gate)
        {
            return _current.Select(b => new ProxyBackend(b.Id, b.Url, b.Weight)).ToList();
        }
    }

    /// <summary>True when <paramref name="id"/> is in the current set or among the retired backends.</summary>
    public bool Knows(string id)
    {
        lock (_gate)
        {
            return _current.Any(b => b.Id == id) || _retired.Any(b => b.Id == id);
        }
    }

    private ProxyState SnapshotLocked()
    {
        var now = Stopwatch.GetTimestamp();
        return new ProxyState(_generation, _updatedAt,
            _current.Select(b => Describe(b, now)).ToList(),
            _retired.Select(b => Describe(b, now)).ToList());
    }

    private static ProxyBackendState Describe(Backend b, long now) => new(
        b.Id, b.Url, b.Weight, b.InFlight, b.Draining, b.Drained, b.DrainTimedOut, b.DrainStartedAt, b.DrainedAt,
        b.UnreachableUntil > now ? b.UnreachableUntilWall : null, b.Requests);
}
