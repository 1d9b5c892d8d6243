using System.Globalization;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Pipeline.Execution;
using LogLevel = DeployMind.Domain.LogLevel;

namespace DeployMind.Deploy.Strategies;

/// <summary>
/// Canary: the new version starts beside the stable one and receives a growing share of traffic (strategy.steps, e.g.
/// 10 → 25 → 50 → 100). After each step it is observed for strategy.step_pause and analysed: the health probes' success rate
/// and p99 latency, and the proxy's own 5xx rate and p99 for the canary backend, against max_error_rate and max_p99_ms. A
/// failed analysis returns all traffic to stable. With several targets the canary runs on the first strategy.canary_targets
/// of them (1 by default, and never all of them: one at least stays stable), judged together; once it has passed every step,
/// the other targets are switched one by one, each health-checked.
/// </summary>
public sealed class CanaryStrategy : RolloutStrategy
{
    /// <summary>The proxy metrics window is never shorter than this, so a short pause still sees some requests.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromSeconds(1);

    public override DeploymentStrategy Kind => DeploymentStrategy.Canary;

    protected override async Task<RolloutFailure?> RunAsync(RolloutContext context, IReadOnlyList<TargetRollout> targets, CancellationToken cancellationToken)
    {
        var size = targets.Count == 1 ? 1 : Math.Clamp(context.Strategy.CanaryTargets, 1, targets.Count - 1);
        var canary = targets.Take(size).ToList();
        var rest = targets.Skip(size).ToList();
        if (await StartAllAsync(canary, cancellationToken) is { } failure)
        {
            return failure;
        }

        foreach (var step in context.Strategy.Steps)
        {
            await Task.WhenAll(canary.Select(t => t.ShiftAsync(step, cancellationToken)));
            if (await AnalyzeAsync(context, canary, step, cancellationToken) is { } refused)
            {
                return refused;
            }
        }

        foreach (var target in canary)
        {
            await target.CompleteAsync(cancellationToken);
        }

        foreach (var target in rest)
        {
            if (await StartAllAsync([target], cancellationToken) is { } later)
            {
                return later with { Reason = $"after the canary passed, {later.Reason}" };
            }

            await target.ShiftAsync(100, cancellationToken);
            await target.CompleteAsync(cancellationToken);
        }

        return null;
    }

    /// <summary>Observes the canary for the step's pause and judges it; null when it may go on.</summary>
    private static async Task<RolloutFailure?> AnalyzeAsync(RolloutContext context, IReadOnlyList<TargetRollout> canary, int step,
        CancellationToken cancellationToken)
    {
        var strategy = context.Strategy;
        var window = strategy.StepPause > MinimumWindow ? strategy.StepPause : MinimumWindow;
        var endpoints = canary.Select(t => t.Endpoint!).ToList();
        var probes = await context.Checker.SampleAsync(endpoints, context.Health, strategy.StepPause, cancellationToken);
        var problems = new List<string>();
        var probeErrorRate = 100.0 - probes.SuccessRatePercent;
        if (probes.Total == 0 || probeErrorRate > strategy.MaxErrorRate)
        {
            problems.Add($"health probes failed {probes.Failed} of {probes.Total} ({Format(probeErrorRate)}% > {Format(strategy.MaxErrorRate)}%)" +
                         (probes.LastFailure is { } last ? $", last: {last.Error}" : ""));
        }

        // A probe sent from the target through its transport (SSH, SSM) measures the transport too; the proxy's p99 then judges.
        if (probes.P99Ms > strategy.MaxP99Ms && endpoints.All(e => e.Relay is null))
        {
            problems.Add($"health probe p99 {probes.P99Ms:0} ms > {strategy.MaxP99Ms} ms");
        }

        var measured = new JsonArray();
        foreach (var target in canary)
        {
            var metrics = await target.Host.GetMetricsAsync(target.Started!.Container, window, cancellationToken);
            measured.Add(new JsonObject
            {
                ["target"] = target.Target,
                ["requests"] = metrics.Requests,
                ["error_rate_percent"] = Math.Round(metrics.ErrorRatePercent, 3),
                ["p99_ms"] = metrics.P99Ms,
            });
            if (metrics.Requests == 0)
            {
                continue;
            }

            if (metrics.ErrorRatePercent > strategy.MaxErrorRate)
            {
                problems.Add($"{target.Target}: the proxy saw {Format(metrics.ErrorRatePercent)}% errors ({metrics.ServerErrors} 5xx, {metrics.ProxyFailures} failed) " +
                             $"of {metrics.Requests} requests > {Format(strategy.MaxErrorRate)}%");
            }

            if (metrics.P99Ms is { } p99 && p99 > strategy.MaxP99Ms)
            {
                problems.Add($"{target.Target}: the proxy measured p99 {p99:0} ms over {metrics.Requests} requests > {strategy.MaxP99Ms} ms");
            }
        }

        var data = new JsonObject
        {
            ["step_percent"] = step,
            ["probes"] = probes.Total,
            ["probe_failures"] = probes.Failed,
            ["probe_p99_ms"] = Math.Round(probes.P99Ms, 3),
            ["proxy"] = measured,
            ["max_error_rate"] = strategy.MaxErrorRate,
            ["max_p99_ms"] = strategy.MaxP99Ms,
        };
        if (problems.Count == 0)
        {
            await context.LogAsync(DeploymentEvents.HealthCheckPassed,
                $"Canary analysis at {step}%: passed ({probes.Total - probes.Failed}/{probes.Total} probes, p99 {probes.P99Ms:0} ms)", data,
                cancellationToken: cancellationToken);
            return null;
        }

        var reason = $"canary analysis at {step}% failed: {string.Join("; ", problems)}";
        data["problems"] = new JsonArray(problems.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
        await context.LogAsync(DeploymentEvents.HealthCheckFailed, reason, data, LogLevel.Error, cancellationToken);
        return new RolloutFailure(reason, context.Clock.GetUtcNow());
    }

    private static string Format(double percent) => percent.ToString("0.##", CultureInfo.InvariantCulture);
}
