using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeployMind.Proxy.Tests;

/// <summary>A real Kestrel app on a free loopback port. GET / answers its name; /slow?ms=N waits first;
/// /abort drops the connection; POST /echo returns the body. <see cref="ErrorEvery"/> and <see cref="DelayMs"/>
/// make every request slow or some fail with 500.</summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _received;
    private int _stopped;

    private TestBackend(string name, WebApplication app, Uri url)
    {
        Name = name;
        _app = app;
        Url = url;
    }

    public string Name { get; }

    public Uri Url { get; }

    public string UrlText => Url.AbsoluteUri;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Every Nth request answers 500 (0 = never).</summary>
    public int ErrorEvery { get; set; }

    /// <summary>Every request waits this long first.</summary>
    public int DelayMs { get; set; }

    public static async Task<TestBackend> StartAsync(string name, int port = 0)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        TestBackend? self = null;
        app.Run(async context =>
        {
            var n = Interlocked.Increment(ref self!._received);
            var path = context.Request.Path.Value ?? "/";
            if (self.DelayMs > 0)
            {
                await Task.Delay(self.DelayMs);
            }
            if (path == "/abort")
            {
                context.Abort();
                return;
            }
            if (path == "/slow")
            {
                var ms = int.Parse(context.Request.Query["ms"].ToString() is { Length: > 0 } s ? s : "1000", System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    await Task.Delay(ms, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            if (self.ErrorEvery > 0 && n % self.ErrorEvery == 0)
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("boom " + self.Name);
                return;
            }
            if (path == "/echo")
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                await context.Response.WriteAsync(self.Name + ":" + body);
                return;
            }
            context.Response.Headers["X-Backend"] = self.Name;
            await context.Response.WriteAsync(self.Name);
        });
        await app.StartAsync();
        var url = new Uri(app.Urls.First());
        self = new TestBackend(name, app, url);
        return self;
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
