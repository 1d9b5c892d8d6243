using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Persistence.Webhooks;
using DeployMind.Server.Background;
using DeployMind.Server.Configuration;
using Microsoft.EntityFrameworkCore;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// Reports deployments of GitHub repositories back as commit statuses (POST {api_url}/repos/{owner}/{repo}/statuses/{sha})
/// when server.yml has github.token: pending while queued or running, then success, failure or error. It reads recently
/// changed deployments from the database, so it reports deployments whichever process ran them; each (deployment, state)
/// is claimed in the schedule ledger first, so several server processes report it once. A failed call is retried at the
/// next poll while the deployment is recent.
/// </summary>
public sealed partial class CommitStatusReporter(ServerConfig config, ServerSettings settings, DeployMindDatabase database, ScheduleFireLedger ledger,
    ServerInstance instance, IHttpClientFactory http, TimeProvider clock, ILogger<CommitStatusReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Lookback = TimeSpan.FromMinutes(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config.GitHub?.Token is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReportChangesAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogPollFailed(logger, e);
            }

            await Task.Delay(settings.StatusReportInterval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Posts the statuses not reported yet; returns how many were posted.</summary>
    public async Task<int> ReportChangesAsync(CancellationToken cancellationToken)
    {
        var github = config.GitHub ?? throw new InvalidOperationException("github is not configured in server.yml");
        var since = UtcTimestamp.Now(clock) - Lookback;
        var recent = await database.GuardAsync(async () =>
        {
            await using var db = database.CreateContext();
            return await db.Deployments.AsNoTracking().Where(d => d.UpdatedAt >= since).OrderBy(d => d.UpdatedAt).Take(500).ToListAsync(cancellationToken);
        });
        var posted = 0;
        foreach (var d in recent.Where(IsGitHub))
        {
            var state = StateOf(d.Status);
            var key = $"github-status:{d.Id}:{state}";
            if (!await ledger.TryClaimAsync(key, d.CreatedAt, instance.Id, cancellationToken))
            {
                continue;
            }

            try
            {
                await PostAsync(github, d, state, cancellationToken);
                posted++;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or CommitStatusException)
            {
                await ledger.ReleaseAsync(key, d.CreatedAt, CancellationToken.None);
                LogPostFailed(logger, d.Id, state, e.Message);
            }
        }

        return posted;
    }

    private async Task PostAsync(GitHubStatusConfig github, Deployment d, string state, CancellationToken cancellationToken)
    {
        var token = github.Token!.Resolve(settings.Environment(), config.BaseDirectory).Reveal();
        using var client = http.CreateClient("github");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(github.ApiUrl, $"repos/{d.Repository}/statuses/{d.CommitSha}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("DeployMind", "1.0"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        var description = $"{d.Status.ToWire()} ({d.Strategy.ToWire()} to {d.Environment.ToWire()})";
        request.Content = JsonContent.Create(new JsonObject
        {
            ["state"] = state,
            ["target_url"] = github.PublicUrl is null ? null : new Uri(github.PublicUrl, $"deployments/{d.Id}").ToString(),
            ["description"] = description.Length > 140 ? description[..140] : description,
            ["context"] = $"{github.Context}/{d.Environment.ToWire()}",
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var response = await client.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new CommitStatusException($"GitHub answered {(int)response.StatusCode} {response.ReasonPhrase} for {d.Repository}@{CommitSha.Short(d.CommitSha)}" +
                ((int)response.StatusCode is 401 or 403 ? "; check that github.token may write commit statuses (repo:status)" : ""));
        }
    }

    internal static bool IsGitHub(Deployment d) =>
        !d.Repository.StartsWith("local/", StringComparison.Ordinal)
        && (d.TriggerType == TriggerType.Webhook || (d.Metadata?["source"]?["kind"] is JsonValue kind && kind.ToString() == "repository"));

    internal static string StateOf(DeploymentStatus status) => status switch
    {
        DeploymentStatus.Deployed => "success",
        DeploymentStatus.Cancelled => "error",
        _ when DeploymentStatusMachine.IsFinished(status) => "failure",
        _ => "pending",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "commit status {State} for {DeploymentId} not posted: {Reason}; retrying at the next poll")]
    private static partial void LogPostFailed(ILogger logger, string deploymentId, string state, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "commit status poll failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}

public sealed class CommitStatusException(string message) : DeployMindException(message);
