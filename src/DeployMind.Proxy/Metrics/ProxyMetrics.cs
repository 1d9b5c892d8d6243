using System.Collections.Concurrent;
using System.Diagnostics;
using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.Metrics;

/// <summary>How a forwarding attempt ended when the backend gave no response.</summary>
internal enum FailureKind
{
    /// <summary>Could not connect (refused, unreachable, connect timeout): nothing was sent.</summary>
    Connect,

    /// <summary>No response within the request timeout.</summary>
    Timeout,

    /// <summary>Any other transport failure (connection closed mid-request, broken response body, aborted by the drain timeout).</summary>
    Other,
}

/// <summary>Per-backend and proxy-wide counters over the last hour: exact counts in one-second buckets,
/// latency percentiles from the most recent samples (up to 65,536 per backend).</summary>
internal sealed class ProxyMetrics
{
    public const int MaxWindowSeconds = 3600;

    private readonly ConcurrentDictionary<string, BackendRecorder> _backends = new(StringComparer.Ordinal);
    private readonly SecondBuckets _proxy = new();

    public BackendRecorder For(string backendId) => _backends.GetOrAdd(backendId, static _ => new BackendRecorder());

    public bool Has(string backendId) => _backends.ContainsKey(backendId);

    public void ProxyRequest() => _proxy.Add(0);

    public void ProxyNoBackend() => _proxy.Add(1);

    public void ProxyRetry() => _proxy.Add(2);

    public void ProxyFailed() => _proxy.Add(3);

    public ProxyWideMetrics ProxyWide(double windowSeconds)
    {
        var c = _proxy.Sum(windowSeconds);
        return new ProxyWideMetrics(c[0], c[1], c[2], c[3]);
    }

    public BackendMetrics Backend(string backendId, double windowSeconds)
    {
        var proxy = ProxyWide(windowSeconds);
        if (!_backends.TryGetValue(backendId, out var recorder))
        {
            return new BackendMetrics(backendId, windowSeconds, 0, 0, 0, 0, 0, 0, null, null, proxy);
        }
        return recorder.Snapshot(backendId, windowSeconds, proxy);
    }

    internal static long NowSecond() => Stopwatch.GetTimestamp() / Stopwatch.Frequency;
}

/// <summary>Counters in a ring of one-second buckets covering <see cref="ProxyMetrics.MaxWindowSeconds"/>.</summary>
internal sealed class SecondBuckets
{
    private const int Counters = 5;
    private readonly object _gate = new();
    private readonly long[] _seconds = new long[ProxyMetrics.MaxWindowSeconds + 1];
    private readonly long[] _counts = new long[(ProxyMetrics.MaxWindowSeconds + 1) * Counters];

    public SecondBuckets()
    {
        Array.Fill(_seconds, long.MinValue);
    }

    public void Add(int counter, long amount = 1)
    {
        var second = ProxyMetrics.NowSecond();
        var slot = (int)(second % _seconds.Length);
        lock (_gate)
        {
            if (_seconds[slot] != second)
            {
                _seconds[slot] = second;
                Array.Clear(_counts, slot * Counters, Counters);
            }
            _counts[slot * Counters + counter] += amount;
        }
    }

    /// <summary>Sums of each counter over the buckets whose second lies in the window (the current, partial
    /// second included).</summary>
    public long[] Sum(double windowSeconds)
    {
        var now = ProxyMetrics.NowSecond();
        var oldest = now - (long)Math.Ceiling(Math.Min(windowSeconds, ProxyMetrics.MaxWindowSeconds)) + 1;
        var sums = new long[Counters];
        lock (_gate)
        {
            for (var slot = 0; slot < _seconds.Length; slot++)
            {
                var s = _seconds[slot];
                if (s >= oldest && s <= now)
                {
                    for (var c = 0; c < Counters; c++)
                    {
                        sums[c] += _counts[slot * Counters + c];
                    }
                }
            }
        }
        return sums;
    }
}

/// <summary>One backend's counters and latency samples.</summary>
internal sealed class BackendRecorder
{
    private const int Requests = 0, ServerErrors = 1, ConnectErrors = 2, Timeouts = 3, OtherFailures = 4;
    private const int SampleCapacity = 1 << 16;

    private readonly SecondBuckets _buckets = new();
    private readonly object _gate = new();
    private readonly long[] _sampleAt = new long[SampleCapacity];
    private readonly float[] _sampleMs = new float[SampleCapacity];
    private long _samples;

    /// <summary>The backend answered (any status) after <paramref name="latencyMs"/>.</summary>
    public void Answered(int statusCode, double latencyMs)
    {
        _buckets.Add(Requests);
        if (statusCode >= 500)
        {
            _buckets.Add(ServerErrors);
        }
        var at = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            var i = (int)(_samples % SampleCapacity);
            _sampleAt[i] = at;
            _sampleMs[i] = (float)latencyMs;
            _samples++;
        }
    }

    public void Failed(FailureKind kind)
    {
        _buckets.Add(Requests);
        _buckets.Add(kind switch
        {
            FailureKind.Connect => ConnectErrors,
            FailureKind.Timeout => Timeouts,
            _ => OtherFailures,
        });
    }

    public BackendMetrics Snapshot(string backendId, double windowSeconds, ProxyWideMetrics proxy)
    {
        var c = _buckets.Sum(windowSeconds);
        var since = Stopwatch.GetTimestamp() - (long)(windowSeconds * Stopwatch.Frequency);
        List<float> latencies;
        lock (_gate)
        {
            var count = (int)Math.Min(_samples, SampleCapacity);
            latencies = new List<float>(Math.Min(count, 4096));
            for (var k = 0; k < count; k++)
            {
                var i = (int)((_samples - 1 - k) % SampleCapacity);
                if (_sampleAt[i] < since)
                {
                    break;
                }
                latencies.Add(_sampleMs[i]);
            }
        }
        latencies.Sort();
        var failures = c[ConnectErrors] + c[Timeouts] + c[OtherFailures];
        var requests = c[Requests];
        var errorRate = requests == 0 ? 0 : Math.Round((c[ServerErrors] + failures) * 100.0 / requests, 3);
        return new BackendMetrics(backendId, windowSeconds, requests, c[ServerErrors], failures, c[ConnectErrors], c[Timeouts],
            errorRate, Percentile(latencies, 0.50), Percentile(latencies, 0.99), proxy);
    }

    /// <summary>Nearest-rank percentile, in milliseconds rounded to microseconds.</summary>
    internal static double? Percentile(List<float> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)], 3);
    }
}
