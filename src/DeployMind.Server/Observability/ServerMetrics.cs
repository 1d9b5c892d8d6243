using System.Diagnostics;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Execution;
using Microsoft.EntityFrameworkCore;
using Prometheus;

namespace DeployMind.Server.Observability;

/// <summary>
/// Prometheus metrics. Counters and the stage-duration histogram count what this process did (sum them over processes);
/// deployments by status, queue depth and health-check latency are read from the shared database at scrape time, so
/// every process reports the same values (aggregate them with max, not sum).
/// </summary>
public static class ServerMetrics
{
    public static readonly Counter DeploymentsTriggered = Metrics.CreateCounter("deploymind_deployments_triggered_total",
        "Deployments queued by this process, by trigger type.", "trigger_type");

    public static readonly Counter WebhookDeliveries = Metrics.CreateCounter("deploymind_webhook_deliveries_total",
        "GitHub webhook deliveries received, by event and outcome.", "event", "outcome");

    public static readonly Counter AuthFailures = Metrics.CreateCounter("deploymind_auth_failures_total",
        "Requests with invalid credentials (token, session, CSRF or webhook signature).");

    public static readonly Counter ScheduleFires = Metrics.CreateCounter("deploymind_schedule_fires_total",
        "Schedule occurrences this process claimed and queued.", "app");

    public static readonly Histogram StageDuration = Metrics.CreateHistogram("deploymind_stage_duration_seconds",
        "Duration of deployment stages run by this process's workers.",
        new HistogramConfiguration { LabelNames = ["stage", "outcome"], Buckets = Histogram.ExponentialBuckets(0.05, 2.5, 12) });

    public static readonly Gauge DeploymentsByStatus = Metrics.CreateGauge("deploymind_deployments",
        "Deployments in the database, by status.", "status");

    public static readonly Gauge QueueDepth = Metrics.CreateGauge("deploymind_queue_depth",
        "Deployments waiting for a worker (pending, unclaimed).");

    public static readonly Gauge HealthCheckLatency = Metrics.CreateGauge("deploymind_health_check_latency_ms",
        "Response time of health checks in the last 15 minutes (healthy and unhealthy), by statistic.", "statistic");

    public static readonly Gauge HealthChecksRecent = Metrics.CreateGauge("deploymind_health_checks_recent",
        "Health checks in the last 15 minutes, by result.", "result");

    /// <summary>Turns the pipeline's stage spans into the stage-duration histogram.</summary>
    public static ActivityListener ListenToStages()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PipelineTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("deploymind.stage") is string stage)
                {
                    StageDuration.WithLabels(stage, activity.Status == ActivityStatusCode.Error ? "failed" : "succeeded")
                        .Observe(activity.Duration.TotalSeconds);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>Refreshes the database-derived gauges; called before each scrape.</summary>
    public static async Task RefreshFromDatabaseAsync(DeployMindDatabase database, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var byStatus = await db.Deployments.GroupBy(d => d.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        foreach (var status in Enum.GetValues<DeploymentStatus>())
        {
            DeploymentsByStatus.WithLabels(status.ToWire()).Set(byStatus.FirstOrDefault(s => s.Status == status)?.Count ?? 0);
        }

        QueueDepth.Set(await db.Deployments.CountAsync(d => d.Status == DeploymentStatus.Pending && d.WorkerId == null, cancellationToken));
        var since = UtcTimestamp.Now(clock).AddMinutes(-15);
        var recent = await db.HealthChecks.Where(h => h.CheckTime >= since)
            .GroupBy(_ => 1)
            .Select(g => new
            {
                Count = g.Count(),
                Healthy = g.Count(h => h.Healthy),
                Average = g.Average(h => h.ResponseTimeMs),
                Max = g.Max(h => h.ResponseTimeMs),
            })
            .FirstOrDefaultAsync(cancellationToken);
        HealthChecksRecent.WithLabels("healthy").Set(recent?.Healthy ?? 0);
        HealthChecksRecent.WithLabels("unhealthy").Set((recent?.Count ?? 0) - (recent?.Healthy ?? 0));
        HealthCheckLatency.WithLabels("avg").Set(recent?.Average ?? 0);
        HealthCheckLatency.WithLabels("max").Set(recent?.Max ?? 0);
    }
}
