using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DeployMind.Proxy.Admin;

namespace DeployMind.Proxy.Tests;

/// <summary>The deploymind-proxy command as a process of its own.</summary>
public sealed class CommandProcessTests
{
    private static string Exe => Path.Combine(AppContext.BaseDirectory, "deploymind-proxy");

    [Fact]
    public async Task Runs_until_SIGTERM_and_a_killed_proxy_restarts_with_its_backends()
    {
        using var dir = new TempDir();
        var tokenFile = Path.Combine(dir.Path, "token");
        var token = Proxies.NewToken();
        await File.WriteAllTextAsync(tokenFile, token + "\n");
        var stateFile = Path.Combine(dir.Path, "state.json");
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        int port = FreePort(), adminPort = FreePort();
        var args = $"--listen 127.0.0.1:{port} --admin 127.0.0.1:{adminPort} --admin-token-file {tokenFile} --state-file {stateFile} --backend a={a.UrlText}";
        var proxyUrl = new Uri($"http://127.0.0.1:{port}/");
        using var admin = new ProxyAdminClient(new Uri($"http://127.0.0.1:{adminPort}/"), token);
        using var http = new HttpClient();

        using (var first = Start(args))
        {
            await WaitHealthyAsync(admin, first);
            Assert.Equal("a", await http.GetStringAsync(proxyUrl));
            await admin.SetBackendsAsync([Proxies.Backend(a, 0), Proxies.Backend(b, 100)]);
            // Killed outright, as a crash would.
            first.Kill();
            await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        using var second = Start(args);
        await WaitHealthyAsync(admin, second);
        var state = await admin.GetStateAsync();
        Assert.Equal(2, state.Generation);
        Assert.Equal([0, 100], state.Backends.Select(x => x.Weight));
        Assert.Equal("b", await http.GetStringAsync(proxyUrl));

        using (var term = Process.Start("kill", ["-TERM", second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, term.ExitCode);
        }
        await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("stopping", await second.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [InlineData("--admin 0.0.0.0:{1}", "not a loopback address")]
    [InlineData("--admin 127.0.0.1:{1} --admin-token-file /nonexistent/token", "nonexistent")]
    [InlineData("--admin 127.0.0.1:{1} --backend x=ftp://h,5", "backends[0].url")]
    public async Task Refuses_to_start_with_exit_code_2(string admin, string expected)
    {
        using var dir = new TempDir();
        var tokenFile = Path.Combine(dir.Path, "token");
        await File.WriteAllTextAsync(tokenFile, Proxies.NewToken());
        var args = $"--listen 127.0.0.1:{FreePort()} " + string.Format(System.Globalization.CultureInfo.InvariantCulture, admin, 0, FreePort());
        if (!args.Contains("--admin-token-file", StringComparison.Ordinal))
        {
            args += $" --admin-token-file {tokenFile}";
        }
        using var process = Start(args);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(expected, await process.StandardError.ReadToEndAsync());
    }

    private static Process Start(string arguments) => Process.Start(new ProcessStartInfo(Exe, arguments)
    {
        UseShellExecute = false,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    }) ?? throw new InvalidOperationException("could not start deploymind-proxy");

    private static async Task WaitHealthyAsync(ProxyAdminClient admin, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                Assert.Fail($"deploymind-proxy exited: {await process.StandardError.ReadToEndAsync()}");
            }
            try
            {
                await admin.GetHealthAsync().WaitAsync(TimeSpan.FromSeconds(20));
                return;
            }
            catch (ProxyAdminException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
