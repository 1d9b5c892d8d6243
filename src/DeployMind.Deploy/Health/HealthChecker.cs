using DeployMind.Domain;
using DeployMind.Pipeline.Configuration;

namespace DeployMind.Deploy.Health;

/// <summary>
/// Runs health checks as configured (initial delay, attempts, interval growing by the backoff factor, a timeout per probe)
/// and writes every probe as a health_checks row. A probe that does not answer in time, cannot connect, or fails in any
/// unexpected way counts as unhealthy: nothing but a matching answer is ever taken as healthy. All waiting goes through
/// the <see cref="TimeProvider"/>.
/// </summary>
public sealed class HealthChecker
{
    /// <summary>The longest wait between attempts, however far the backoff has grown it.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan s_describeTimeout = TimeSpan.FromSeconds(10);
    private readonly TimeProvider _clock;
    private readonly IHealthCheckRecorder _recorder;
    private readonly string _deploymentId;
    private readonly Dictionary<HealthCheckType, IHealthProbe> _probes;

    public HealthChecker(string deploymentId, IHealthCheckRecorder recorder, TimeProvider clock, IEnumerable<IHealthProbe>? probes = null)
    {
        _deploymentId = deploymentId;
        _recorder = recorder;
        _clock = clock;
        _probes = (probes ?? DefaultProbes(clock)).ToDictionary(p => p.Type);
    }

    /// <summary>The probes for http, tcp and command checks.</summary>
    public static IReadOnlyList<IHealthProbe> DefaultProbes(TimeProvider clock) =>
        [new HttpHealthProbe(clock), new TcpHealthProbe(clock), new CommandHealthProbe(clock)];

    /// <summary>
    /// Waits the initial delay, then probes until one probe is healthy or the attempts are used up. A container found
    /// stopped after a failed probe ends the check at once (it cannot recover by itself).
    /// </summary>
    public async Task<HealthVerdict> WaitUntilHealthyAsync(HealthEndpoint endpoint, HealthCheckConfig config, CancellationToken cancellationToken)
    {
        var probe = ProbeFor(config);
        var attempts = Math.Max(1, config.Attempts);
        if (config.InitialDelay > TimeSpan.Zero)
        {
            await Task.Delay(config.InitialDelay, _clock, cancellationToken);
        }

        var interval = config.Interval;
        ProbeResult? last = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var (result, snapshot) = await ProbeAndRecordAsync(probe, endpoint, config, attempt, attempts, cancellationToken);
            last = result;
            if (result.Healthy)
            {
                return new HealthVerdict
                {
                    Healthy = true, InstanceId = endpoint.InstanceId, Probes = attempt, Failures = attempt - 1, Last = result, DecidedAt = _clock.GetUtcNow(),
                    Summary = $"{endpoint.InstanceId}: {result.Target} healthy on attempt {attempt}/{attempts}" +
                              (result.ResponseTime is { } t ? $" ({t.TotalMilliseconds:0} ms)" : ""),
                };
            }

            if (snapshot is { Stopped: true })
            {
                return Unhealthy(endpoint, attempt, attempt, result,
                    $"{endpoint.InstanceId}: the container {Stopped(snapshot)} (health check {result.Target}: {result.Error})");
            }

            if (attempt < attempts)
            {
                await Task.Delay(interval, _clock, cancellationToken);
                interval = NextInterval(interval, config);
            }
        }

        return Unhealthy(endpoint, attempts, attempts, last,
            $"{endpoint.InstanceId}: health check {last!.Target} failed {attempts} of {attempts} attempts: {last.Error}");
    }

    /// <summary>Checks several endpoints at once; healthy when all are, otherwise the first failing one's verdict.</summary>
    public async Task<HealthVerdict> WaitUntilHealthyAsync(IReadOnlyList<HealthEndpoint> endpoints, HealthCheckConfig config, CancellationToken cancellationToken)
    {
        var verdicts = await Task.WhenAll(endpoints.Select(e => WaitUntilHealthyAsync(e, config, cancellationToken)));
        return verdicts.FirstOrDefault(v => !v.Healthy) ?? Combine(verdicts);
    }

    /// <summary>
    /// Keeps probing live endpoints every interval for <paramref name="window"/>. The verdict is unhealthy as soon as one
    /// endpoint fails <c>attempts</c> probes in a row, or fails at least half of its probes once it has had twice <c>attempts</c>
    /// of them (a flapping version), or its container stops. Returns early on the first unhealthy endpoint.
    /// </summary>
    public async Task<HealthVerdict> MonitorAsync(IReadOnlyList<HealthEndpoint> endpoints, HealthCheckConfig config, TimeSpan window,
        CancellationToken cancellationToken)
    {
        if (endpoints.Count == 0 || window <= TimeSpan.Zero)
        {
            return new HealthVerdict { Healthy = true, InstanceId = "-", Probes = 0, Failures = 0, Summary = "not monitored", DecidedAt = _clock.GetUtcNow() };
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var deadline = _clock.GetUtcNow() + window;
        var tasks = endpoints.Select(e => MonitorOneAsync(e, config, deadline, stop)).ToList();
        var verdicts = await Task.WhenAll(tasks);
        cancellationToken.ThrowIfCancellationRequested();
        return verdicts.Where(v => !v.Healthy).OrderBy(v => v.DecidedAt).FirstOrDefault() ?? Combine(verdicts);
    }

    /// <summary>Probes the endpoints every interval for <paramref name="duration"/> (at least once each) and sums up what it saw.</summary>
    public async Task<ProbeStatistics> SampleAsync(IReadOnlyList<HealthEndpoint> endpoints, HealthCheckConfig config, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        var probe = ProbeFor(config);
        var deadline = _clock.GetUtcNow() + duration;
        var results = new List<ProbeResult>();
        var sequence = 0;
        do
        {
            sequence++;
            var round = await Task.WhenAll(endpoints.Select(e => ProbeAndRecordAsync(probe, e, config, sequence, null, cancellationToken)));
            results.AddRange(round.Select(r => r.Result));
            var remaining = deadline - _clock.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            await Task.Delay(remaining < config.Interval ? remaining : config.Interval, _clock, cancellationToken);
        }
        while (_clock.GetUtcNow() < deadline);

        var latencies = results.Where(r => r.Healthy && r.ResponseTime is not null).Select(r => r.ResponseTime!.Value.TotalMilliseconds).Order().ToList();
        return new ProbeStatistics(results.Count, results.Count(r => !r.Healthy), Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            results.LastOrDefault(r => !r.Healthy));
    }

    /// <summary>Probes once within the configured timeout, without recording (used where a row would be noise).</summary>
    public async Task<ProbeResult> ProbeOnceAsync(HealthEndpoint endpoint, HealthCheckConfig config, CancellationToken cancellationToken)
    {
        var probe = ProbeFor(config);
        return await ProbeBoundedAsync(probe, endpoint, config, cancellationToken);
    }

    internal static double Percentile(IReadOnlyList<double> sorted, double quantile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(quantile * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    internal static TimeSpan NextInterval(TimeSpan interval, HealthCheckConfig config)
    {
        if (config.Backoff <= 1.0)
        {
            return interval;
        }

        var next = TimeSpan.FromTicks((long)Math.Min(interval.Ticks * config.Backoff, TimeSpan.MaxValue.Ticks / 2.0));
        var cap = config.Interval > MaxInterval ? config.Interval : MaxInterval;
        return next > cap ? cap : next;
    }

    private async Task<HealthVerdict> MonitorOneAsync(HealthEndpoint endpoint, HealthCheckConfig config, DateTimeOffset deadline, CancellationTokenSource stop)
    {
        var probe = ProbeFor(config);
        var threshold = Math.Max(1, config.Attempts);
        int probes = 0, failures = 0, consecutive = 0;
        ProbeResult? last = null;
        try
        {
            while (_clock.GetUtcNow() < deadline)
            {
                probes++;
                var (result, snapshot) = await ProbeAndRecordAsync(probe, endpoint, config, probes, null, stop.Token);
                last = result;
                if (result.Healthy)
                {
                    consecutive = 0;
                }
                else
                {
                    failures++;
                    consecutive++;
                    string? why = null;
                    if (snapshot is { Stopped: true })
                    {
                        why = $"the container {Stopped(snapshot)}";
                    }
                    else if (consecutive >= threshold)
                    {
                        why = $"{consecutive} probes in a row failed";
                    }
                    else if (probes >= 2 * threshold && failures * 2 >= probes)
                    {
                        why = $"{failures} of {probes} probes failed (flapping)";
                    }

                    if (why is not null)
                    {
                        await stop.CancelAsync();
                        return Unhealthy(endpoint, probes, failures, result,
                            $"{endpoint.InstanceId}: unhealthy while monitored after going live: {why}; last: {result.Target}: {result.Error}");
                    }
                }

                var remaining = deadline - _clock.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                await Task.Delay(remaining < config.Interval ? remaining : config.Interval, _clock, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Another endpoint failed first (or the caller cancelled; MonitorAsync rethrows that).
        }

        return new HealthVerdict
        {
            Healthy = true, InstanceId = endpoint.InstanceId, Probes = probes, Failures = failures, Last = last, DecidedAt = _clock.GetUtcNow(),
            Summary = $"{endpoint.InstanceId}: healthy while monitored ({probes - failures}/{probes} probes passed)",
        };
    }

    private async Task<(ProbeResult Result, InstanceSnapshot? Snapshot)> ProbeAndRecordAsync(IHealthProbe probe, HealthEndpoint endpoint,
        HealthCheckConfig config, int attempt, int? maxAttempts, CancellationToken cancellationToken)
    {
        var checkTime = UtcTimestamp.Now(_clock);
        var result = await ProbeBoundedAsync(probe, endpoint, config, cancellationToken);
        var snapshot = result.Healthy ? null : await DescribeAsync(endpoint, cancellationToken);
        await _recorder.RecordAsync(new HealthCheck
        {
            DeploymentId = _deploymentId,
            CheckTime = checkTime,
            CheckType = config.Type,
            CheckUrl = result.Target.Length > 2048 ? result.Target[..2048] : result.Target,
            Healthy = result.Healthy,
            StatusCode = result.StatusCode,
            ResponseTimeMs = result.ResponseTime is { } t ? Math.Round(t.TotalMilliseconds, 3) : null,
            ResponseBody = result.Body,
            InstanceId = endpoint.InstanceId,
            InstanceState = Clip(snapshot?.State),
            InstanceStatus = Clip(snapshot?.Status),
            AttemptNumber = attempt,
            MaxAttempts = maxAttempts,
            ErrorMessage = result.Error,
        }, cancellationToken);
        return (result, snapshot);
    }

    private async Task<ProbeResult> ProbeBoundedAsync(IHealthProbe probe, HealthEndpoint endpoint, HealthCheckConfig config, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(config.Timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await probe.ProbeAsync(endpoint, config, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult { Healthy = false, Target = probe.Describe(endpoint, config), Error = $"no answer within {Duration.Format(config.Timeout)}" };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ProbeResult { Healthy = false, Target = probe.Describe(endpoint, config), Error = $"probe failed: {ex.GetType().Name}: {ex.Message}" };
        }
    }

    private async Task<InstanceSnapshot?> DescribeAsync(HealthEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.Describe is null)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_describeTimeout);
        try
        {
            return await endpoint.Describe(timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The state only explains a failed probe; not knowing it changes nothing.
            return null;
        }
    }

    private IHealthProbe ProbeFor(HealthCheckConfig config) =>
        _probes.TryGetValue(config.Type, out var probe)
            ? probe
            : throw new InvalidOperationException($"no probe for {config.Type.ToWire()} health checks");

    private HealthVerdict Unhealthy(HealthEndpoint endpoint, int probes, int failures, ProbeResult? last, string summary) => new()
    {
        Healthy = false, InstanceId = endpoint.InstanceId, Probes = probes, Failures = failures, Last = last, Summary = summary, DecidedAt = _clock.GetUtcNow(),
    };

    private HealthVerdict Combine(IReadOnlyList<HealthVerdict> verdicts) => new()
    {
        Healthy = true,
        InstanceId = string.Join(",", verdicts.Select(v => v.InstanceId)),
        Probes = verdicts.Sum(v => v.Probes),
        Failures = verdicts.Sum(v => v.Failures),
        Last = verdicts.Count == 0 ? null : verdicts[^1].Last,
        Summary = string.Join("; ", verdicts.Select(v => v.Summary)),
        DecidedAt = _clock.GetUtcNow(),
    };

    private static string Stopped(InstanceSnapshot snapshot) => snapshot.State switch
    {
        "missing" => "is gone",
        "restarting" => $"keeps exiting{(snapshot.ExitCode is { } last ? $" (last exit code {last})" : "")} and being restarted",
        _ => $"has {snapshot.State}" + (snapshot.ExitCode is { } code ? $" with code {code}" : ""),
    };

    private static string? Clip(string? value) => value is { Length: > 32 } ? value[..32] : value;
}
