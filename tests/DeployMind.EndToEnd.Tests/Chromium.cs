using Microsoft.Playwright;

namespace DeployMind.EndToEnd.Tests;

/// <summary>
/// Debian's Chromium, driven by the Playwright driver that ships inside the Microsoft.Playwright package
/// (its own node and JS package in the output's .playwright folder). Nothing is downloaded: no `playwright install`.
/// </summary>
public static class Chromium
{
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>DEPLOYMIND_CHROMIUM overrides the executable (another Chromium build).</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("DEPLOYMIND_CHROMIUM") is { Length: > 0 } path ? path : DefaultPath;

    public static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>Fails with what to do when Chromium is not installed, instead of a driver stack trace.</summary>
    public static void EnsureInstalled()
    {
        var path = ExecutablePath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The browser tests need Chromium at {path}, which does not exist. Install Debian's chromium with " +
                "`bash scripts/chromium.sh` (scripts/test.sh runs it), or set DEPLOYMIND_CHROMIUM to a Chromium executable.");
        }
    }
}

/// <summary>One Playwright driver for the test run (a node process from the package, started once).</summary>
public sealed class PlaywrightFixture : IAsyncLifetime
{
    public IPlaywright Playwright { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Chromium.EnsureInstalled();
        // Pages talk to a real server that also runs deployments: allow more than the 5 s default.
        Assertions.SetDefaultExpectTimeout(20_000);
        try
        {
            Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(
                "The Playwright driver did not start. It runs from the .playwright folder that the Microsoft.Playwright " +
                $"package copies next to the test assembly ({AppContext.BaseDirectory}); rebuild the test project. Cause: {ex.Message}", ex);
        }
    }

    public Task DisposeAsync()
    {
        Playwright?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// A Chromium with a fresh user-data-dir (no cookies, no cache) and one page; JavaScript errors and dialogs
/// on the page are recorded, so a test can assert that none happened (an alert would mean injected script ran).
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly DirectoryInfo _profile;

    private BrowserSession(DirectoryInfo profile, IBrowserContext context, IPage page)
    {
        _profile = profile;
        Context = context;
        Page = page;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public List<string> PageErrors { get; } = [];

    public List<string> Dialogs { get; } = [];

    public static async Task<BrowserSession> StartAsync(IPlaywright playwright, int width = 1280, int height = 900)
    {
        Chromium.EnsureInstalled();
        var profile = Directory.CreateTempSubdirectory("deploymind-chromium-");
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile.FullName, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium.ExecutablePath,
            Headless = true,
            Args = Chromium.Args,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
            Timeout = 60_000,
        });
        context.SetDefaultTimeout(20_000);
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        var session = new BrowserSession(profile, context, page);
        page.PageError += (_, error) => session.PageErrors.Add(error);
        page.Dialog += async (_, dialog) =>
        {
            session.Dialogs.Add($"{dialog.Type}: {dialog.Message}");
            await dialog.DismissAsync();
        };
        return session;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; the temp directory is cleaned by the OS eventually.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<PlaywrightFixture>, ICollectionFixture<DashboardServer>
{
    public const string Name = "browser";
}
