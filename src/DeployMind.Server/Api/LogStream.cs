using System.Globalization;
using System.Text.Json;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Server.Configuration;

namespace DeployMind.Server.Api;

/// <summary>
/// GET /deployments/{id}/logs/stream: Server-Sent Events read from the database (so it works whichever process runs the
/// deployment): <c>event: log</c> per entry (id = log id, so EventSource resumes with Last-Event-ID), <c>event: status</c>
/// at the start and on each change, and <c>event: end</c> once the deployment has finished and its log is drained.
/// </summary>
public static class LogStream
{
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(string id, HttpContext http, DeploymentQueries queries, ServerSettings settings, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        DeploymentId.Validate(id, "id");
        var resume = http.Request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(resume))
        {
            resume = http.Request.Query["after"].ToString();
        }

        long after = 0;
        if (resume.Length > 0 && !long.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            throw new InvalidInputException("after", $"'{resume}' is not a log id; resume with the id of the last event received (Last-Event-ID or ?after=), or leave it out to start at the beginning");
        }

        var status = await queries.StatusAsync(id, cancellationToken);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await WriteAsync(http, "status", null, JsonSerializer.Serialize(new { status = status.ToWire() }, JsonSerializerOptions.Web), cancellationToken);
        var lastWrite = clock.GetUtcNow();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var batch = await queries.LogsAsync(id, after, 500, cancellationToken);
                foreach (var log in batch)
                {
                    await WriteAsync(http, "log", log.Id.ToString(CultureInfo.InvariantCulture),
                        JsonSerializer.Serialize(LogItem.Of(log), JsonSerializerOptions.Web), cancellationToken);
                    after = log.Id;
                }

                var now = await queries.StatusAsync(id, cancellationToken);
                if (now != status)
                {
                    status = now;
                    await WriteAsync(http, "status", null, JsonSerializer.Serialize(new { status = status.ToWire() }, JsonSerializerOptions.Web), cancellationToken);
                }

                if (batch.Count > 0 || now != status)
                {
                    lastWrite = clock.GetUtcNow();
                }

                if (batch.Count == 0 && DeploymentStatusMachine.IsFinished(status))
                {
                    await WriteAsync(http, "end", null, JsonSerializer.Serialize(new { status = status.ToWire() }, JsonSerializerOptions.Web), cancellationToken);
                    return;
                }

                if (batch.Count < 500)
                {
                    if (clock.GetUtcNow() - lastWrite >= s_keepAlive)
                    {
                        await http.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                        await http.Response.Body.FlushAsync(cancellationToken);
                        lastWrite = clock.GetUtcNow();
                    }

                    await Task.Delay(settings.LogPollInterval, clock, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (NotFoundException)
        {
            // Deleted while streaming: the stream simply ends.
            await WriteAsync(http, "end", null, JsonSerializer.Serialize(new { status = "deleted" }, JsonSerializerOptions.Web), CancellationToken.None);
        }
    }

    private static async Task WriteAsync(HttpContext http, string name, string? id, string data, CancellationToken cancellationToken)
    {
        var text = id is null ? $"event: {name}\ndata: {data}\n\n" : $"event: {name}\nid: {id}\ndata: {data}\n\n";
        await http.Response.WriteAsync(text, cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }
}
