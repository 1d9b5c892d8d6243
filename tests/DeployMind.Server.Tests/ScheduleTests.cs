using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Server.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ScheduleTests(PostgresServer server)
{
    /// <summary>
    /// Two separate server processes (the real DeployMind.Server executable) share one PostgreSQL database and one schedule
    /// firing every second: every occurrence must queue exactly one deployment, whichever process claims it.
    /// </summary>
    [Fact]
    public async Task Schedule_TwoServerProcessesOnOnePostgres_FiresEachOccurrenceOnce()
    {
        using var directory = new TempDirectory("deploymind-schedule");
        var repository = await GitRepository.CreateAsync(directory);
        await File.WriteAllTextAsync(directory.Combine("deploymind.yml"), $"""
            name: nightly
            source:
              path: {repository}
            branch: main
            targets:
              - name: web-1
                type: local
            """);
        await File.WriteAllTextAsync(directory.Combine("server.yml"), """
            apps:
              - config: deploymind.yml
                schedules:
                  - cron: "* * * * * *"
                    time_zone: Europe/Berlin
            """);
        var url = await server.CreateDatabaseAsync("schedule");
        await using (var services = TestDatabase.BuildServices(url))
        {
            await services.GetRequiredService<DeployMindDatabase>().MigrateAsync(CancellationToken.None);
        }

        var processes = new List<Process>();
        try
        {
            foreach (var _ in new[] { 1, 2 })
            {
                processes.Add(await StartServerAsync(url, directory));
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }

        await using var check = TestDatabase.BuildServices(url);
        await using var db = check.GetRequiredService<DeployMindDatabase>().CreateContext();
        var deployments = await db.Deployments.Where(d => d.TriggerType == TriggerType.Scheduled).ToListAsync();
        var fires = await db.ScheduleFires.Where(f => f.ScheduleKey.StartsWith("schedule:nightly:")).ToListAsync();
        Assert.True(deployments.Count >= 3, $"expected a deployment per second for ~5 s, got {deployments.Count}");
        Assert.Equal(fires.Count(f => f.DeploymentId is not null), deployments.Count);
        Assert.Equal(fires.Count, fires.Select(f => f.FireTime).Distinct().Count());
        Assert.All(deployments, d => Assert.Equal("scheduler", d.TriggeredBy));
        Assert.Equal(deployments.Count, deployments.Select(d => d.Metadata!["trigger"]!["fire_time"]!.ToString()).Distinct().Count());
    }

    private static async Task<Process> StartServerAsync(string databaseUrl, TempDirectory directory)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "DeployMind.Server"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory.Path,
        };
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["DEPLOYMIND_DATABASE_URL"] = databaseUrl;
        start.Environment["DEPLOYMIND_DATA_DIR"] = directory.Path;
        start.Environment["DEPLOYMIND_SERVER_CONFIG"] = directory.Combine("server.yml");
        start.Environment["DEPLOYMIND_SCHEDULER_INTERVAL"] = "200ms";
        start.Environment["DEPLOYMIND_WORKERS"] = "0";
        start.Environment["DEPLOYMIND_LOG_FORMAT"] = "text";
        var process = Process.Start(start) ?? throw new InvalidOperationException("the server process did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server process exited with {process.ExitCode} before answering /readyz");
            }

            try
            {
                if ((await client.GetAsync($"http://127.0.0.1:{port}/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("the server process did not answer /readyz within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
