using DeployMind.Deploy.Strategies;
using DeployMind.Pipeline.Configuration;
using DeployMind.Pipeline.Execution;

namespace DeployMind.Deploy.Agent;

/// <summary>One container of the application on a target, with its role in the proxy and its resource use.</summary>
/// <param name="Role">live (receives traffic), standby (kept for an instant rollback), or stopped.</param>
public sealed record InstanceVersion(string Container, string DeploymentId, string Version, string Image, int Port, string State, string Role,
    int Weight, double? CpuPercent, long? MemoryBytes, long? MemoryLimitBytes);

/// <summary>What runs on one target for the application.</summary>
public sealed record TargetInstances(string Target, TargetType Type, bool Reachable, string? InstanceState, string? InstanceStatus, string? Address,
    string? Url, string? Error, IReadOnlyList<InstanceVersion> Versions);

/// <summary>Reads, without changing anything, what each target runs for an application: `deploymind instances`.</summary>
public sealed class AppInstances(IAppHostFactory factory)
{
    public static readonly TimeSpan PerTargetTimeout = TimeSpan.FromSeconds(60);

    public async Task<IReadOnlyList<TargetInstances>> ReadAsync(AppConfig app, ResolvedSecrets? secrets, CancellationToken cancellationToken) =>
        await Task.WhenAll(app.Targets.Select(t => ReadAsync(t, app.Name, secrets, app.BaseDirectory, cancellationToken)));

    private async Task<TargetInstances> ReadAsync(TargetConfig target, string application, ResolvedSecrets? secrets, string? baseDirectory,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PerTargetTimeout);
        IAppHost? host = null;
        try
        {
            host = await factory.CreateAsync(new AppHostRequest(target, application, secrets, new SecretMask(), baseDirectory), timeout.Token);
            var status = await host.DescribeTargetAsync(timeout.Token);
            if (!status.Reachable)
            {
                return new TargetInstances(target.Name, target.Type, false, status.InstanceState, status.InstanceStatus, status.Address, null, status.Error, []);
            }

            var versions = await host.ListVersionsAsync(timeout.Token);
            var traffic = await host.GetTrafficAsync(timeout.Token);
            var rows = new List<InstanceVersion>();
            foreach (var version in versions)
            {
                var backend = traffic.FirstOrDefault(t => t.Id == version.Container);
                var role = !version.Running ? "stopped" : backend is { Weight: > 0 } ? "live" : backend is not null ? "standby" : "idle";
                var stats = version.Running ? await host.StatsAsync(version, timeout.Token) : null;
                rows.Add(new InstanceVersion(version.Container, version.DeploymentId, version.Version, version.Image, version.Port, version.State, role,
                    backend?.Weight ?? 0, stats?.CpuPercent, stats?.MemoryBytes, stats?.MemoryLimitBytes));
            }

            return new TargetInstances(target.Name, target.Type, true, status.InstanceState, status.InstanceStatus, status.Address, host.PublicUrl, null,
                rows.OrderByDescending(r => r.Weight).ThenBy(r => r.Role, StringComparer.Ordinal).ToList());
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new TargetInstances(target.Name, target.Type, false, null, null, null, null, ex is OperationCanceledException ? "no answer within 60 s" : ex.Message, []);
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }
}
