using System.Text.Json.Nodes;
using DeployMind.Deploy.Strategies;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Deploy.Agent;

/// <summary>A standby container one sweep removed.</summary>
public sealed record RetiredStandby(string Application, string DeploymentId, string Target, string Container, string Version);

/// <summary>What one sweep did: the standbys removed, and the targets it could not reach (tried again at the next sweep).</summary>
public sealed record StandbySweep(IReadOnlyList<RetiredStandby> Retired, IReadOnlyList<string> Problems);

/// <summary>
/// Removes blue-green standbys once their <c>keep_previous_for</c> has passed, so the previous version does not keep running
/// until the next deployment. For each application whose newest live deployment is blue-green and whose verify stage
/// recorded a <c>standby_until</c> that has passed, the targets of that deployment are opened and every container at weight 0
/// in the proxy whose standby time is over is taken out of the proxy and removed. Applications with a deployment still
/// queued or running are left alone (that deployment sweeps its targets itself). Each removal is written to the live
/// deployment's log (<c>standby_retired</c>); a deployment swept once is not swept again.
/// </summary>
public sealed class StandbyRetirement(DeployMindDatabase database, IAppHostFactory hosts, DeployOptions options, TimeProvider clock)
{
    public const string RetiredEvent = "standby_retired";

    /// <summary>How many recent deployments are searched for each application's newest live one.</summary>
    public const int HistoryDepth = 500;

    public async Task<StandbySweep> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var retired = new List<RetiredStandby>();
        var problems = new List<string>();
        foreach (var deployment in await DueAsync(now, cancellationToken))
        {
            await RetireAsync(deployment, now, retired, problems, cancellationToken);
        }

        return new StandbySweep(retired, problems);
    }

    /// <summary>The newest live deployment of each application, when it is blue-green, its standby time is over and it was not swept.</summary>
    private Task<IReadOnlyList<Deployment>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken) => database.GuardAsync(async () =>
    {
        await using var db = database.CreateContext();
        var recent = await db.Deployments.AsNoTracking().OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(HistoryDepth).ToListAsync(cancellationToken);
        var busy = recent.Where(d => !DeploymentStatusMachine.IsFinished(d.Status)).Select(RollbackPlanner.AppOf).ToHashSet(StringComparer.Ordinal);
        var newestLive = recent.Where(d => d.Status == DeploymentStatus.Deployed)
            .GroupBy(d => RollbackPlanner.AppOf(d) ?? "", StringComparer.Ordinal)
            .Where(g => g.Key.Length > 0 && !busy.Contains(g.Key))
            .Select(g => g.First())
            .Where(d => d.Strategy == DeploymentStrategy.BlueGreen)
            .ToList();
        var due = new List<Deployment>();
        foreach (var deployment in newestLive)
        {
            var verify = await db.AgentExecutions.AsNoTracking()
                .Where(a => a.DeploymentId == deployment.Id && a.AgentName == "verify" && a.Success)
                .Select(a => a.Output).FirstOrDefaultAsync(cancellationToken);
            if (verify?["standby_until"]?.GetValue<string>() is not { } text || !DateTimeOffset.TryParse(text, out var until) || until > now)
            {
                continue;
            }

            if (!await db.DeploymentLogs.AnyAsync(l => l.DeploymentId == deployment.Id && l.EventType == RetiredEvent, cancellationToken))
            {
                due.Add(deployment);
            }
        }

        return (IReadOnlyList<Deployment>)due;
    });

    private async Task RetireAsync(Deployment deployment, DateTimeOffset now, List<RetiredStandby> retired, List<string> problems,
        CancellationToken cancellationToken)
    {
        var mask = new SecretMask();
        var journal = new DeploymentJournal(database, deployment.Id, mask, clock);
        var before = retired.Count;
        DeploySettings settings;
        ResolvedSecrets secrets;
        try
        {
            settings = DeploySettings.From(deployment);
            secrets = await AppConfigLoader.ResolveSecretsAsync(settings.App, options.Environment ?? SecretReference.ProcessEnvironment(), cancellationToken);
        }
        catch (DeployMindException ex)
        {
            // The stored configuration or its secrets no longer resolve: say so once; the next deployment sweeps the targets.
            await journal.LogAsync(LogLevel.Warning, "verify", RetiredEvent, $"the standby could not be retired: {ex.Message}; the next deployment removes it", null, cancellationToken);
            return;
        }

        foreach (var value in secrets.Environment.Values.Concat(secrets.TargetKeys.Values))
        {
            mask.Add(value.Reveal());
        }

        var keep = settings.Strategy.KeepPreviousFor;
        var failed = false;
        foreach (var target in settings.Targets)
        {
            try
            {
                await using var host = await hosts.CreateAsync(
                    new AppHostRequest(target, settings.Application, secrets, mask, settings.App.BaseDirectory) { Registry = settings.App.Registry }, cancellationToken);
                var versions = await host.ListVersionsAsync(cancellationToken);
                var own = versions.Where(v => v.DeploymentId == deployment.Id).Select(v => v.Container).ToHashSet(StringComparer.Ordinal);
                var traffic = await host.GetTrafficAsync(cancellationToken);
                var expired = traffic.Where(t => TargetRollout.StandbyExpired(t, keep, now) && !own.Contains(t.Id)).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                if (expired.Count == 0)
                {
                    continue;
                }

                // Out of the proxy first, so nothing is routed to a container being stopped.
                await host.SetTrafficAsync(traffic.Where(t => !expired.Contains(t.Id)).Select(t => t.ToBackend()).ToList(), settings.Strategy.DrainTimeout, cancellationToken);
                foreach (var version in versions.Where(v => expired.Contains(v.Container)))
                {
                    await host.RemoveVersionAsync(version, TargetRollout.StopGrace, cancellationToken);
                    retired.Add(new RetiredStandby(settings.Application, deployment.Id, target.Name, version.Container, version.Version));
                    await journal.LogAsync(LogLevel.Info, "verify", RetiredEvent,
                        $"{target.Name}: removed the standby {version.Container} ({version.Version}) after keep_previous_for {Duration.Format(keep)}",
                        new JsonObject { ["target"] = target.Name, ["container"] = version.Container, ["version"] = version.Version }, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Not marked as swept: the next sweep tries again (the caller logs the problem, not the deployment's trail).
                failed = true;
                problems.Add($"{settings.Application} {target.Name}: {mask.Apply(ex.Message)}");
            }
        }

        if (!failed && retired.Count == before)
        {
            await journal.LogAsync(LogLevel.Info, "verify", RetiredEvent, "no standby left to retire", null, cancellationToken);
        }
    }
}
