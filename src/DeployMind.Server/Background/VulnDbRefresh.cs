using DeployMind.Domain;
using DeployMind.Persistence.Webhooks;
using DeployMind.Security.Dependencies;
using DeployMind.Server.Configuration;

namespace DeployMind.Server.Background;

/// <summary>
/// When DEPLOYMIND_VULNDB_REFRESH is set (e.g. 24h), downloads the OSV dumps (DEPLOYMIND_VULNDB_URL, or OSV's bucket) and
/// imports them into the local advisory database the dependency scanner reads, once per interval per machine (the file is
/// local to each machine, so the ledger key carries the host name). Off by default: the server works offline.
/// </summary>
public sealed partial class VulnDbRefresh(ServerSettings settings, ScheduleFireLedger ledger, ServerInstance instance, IHttpClientFactory http,
    TimeProvider clock, ILogger<VulnDbRefresh> logger, VulnDbLocation location) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.VulnDbRefresh is not { } interval)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = UtcTimestamp.Now(clock);
            var slot = new DateTime(now.Ticks - (now.Ticks % interval.Ticks), DateTimeKind.Utc);
            try
            {
                if (await ledger.TryClaimAsync($"vulndb:{Environment.MachineName}", slot, instance.Id, stoppingToken))
                {
                    await RefreshAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
            }

            await Task.Delay(slot + interval - UtcTimestamp.Now(clock) + TimeSpan.FromSeconds(1), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var options = new OsvDumpOptions();
        if (settings.VulnDbUrl is { } url)
        {
            options.BaseUrl = new Uri(url.EndsWith('/') ? url : url + "/");
        }

        var download = Directory.CreateTempSubdirectory("deploymind-osv-");
        try
        {
            using var client = http.CreateClient("osv");
            client.Timeout = Timeout.InfiniteTimeSpan;
            var files = await new OsvDumpDownloader(client, options).DownloadAsync(download.FullName, cancellationToken);
            Directory.CreateDirectory(Path.GetDirectoryName(location.Path)!);
            using var db = VulnerabilityDatabase.Open(location.Path, clock);
            var result = await db.ImportAsync(files, cancellationToken);
            LogRefreshed(logger, location.Path, result.Added, result.Updated);
        }
        finally
        {
            download.Delete(recursive: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "vulnerability database {Path} refreshed: {Added} added, {Updated} updated")]
    private static partial void LogRefreshed(ILogger logger, string path, int added, int updated);

    [LoggerMessage(Level = LogLevel.Error, Message = "vulnerability database refresh failed; the previous data stays in use")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>The local OSV advisory store: DEPLOYMIND_VULNDB, or vulndb.sqlite in the data directory.</summary>
public sealed record VulnDbLocation(string Path);
