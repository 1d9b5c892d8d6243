using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace DeployMind.EndToEnd.Tests;

/// <summary>
/// The dashboard in headless Chromium against the real server: sign-in, a deployment triggered from the page whose
/// log streams in and whose status changes, the analytics charts, role-based buttons, CSRF, script injection,
/// phone width and accessible names. Screenshots go to artifacts/screenshots/.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class DashboardTests(PlaywrightFixture playwright, DashboardServer server)
{
    private static readonly string[] s_terminal = ["deployed", "security_failed", "build_failed", "failed", "rolled_back", "cancelled"];

    private async Task<BrowserSession> BrowserAsync(int width = 1280, int height = 900) =>
        await BrowserSession.StartAsync(playwright.Playwright, width, height);

    private async Task SignInAsync(IPage page, string token, string path = "/")
    {
        await page.GotoAsync(server.BaseUrl + path);
        // The page finds it has no session and shows the sign-in form (client-side, at /signin?next=...).
        await Assertions.Expect(page.GetByLabel("API token")).ToBeVisibleAsync();
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await Assertions.Expect(page).Not.ToHaveURLAsync(new Regex("/signin"));
        }
        catch (PlaywrightException e)
        {
            await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("failed-sign-in") });
            throw new InvalidOperationException($"still on {page.Url} after signing in; the page says: {await page.Locator("main").InnerTextAsync()}", e);
        }
    }

    [Fact]
    public async Task SignIn_UnknownTokenThenViewerToken_RefusesThenStartsHttpOnlySession()
    {
        await using var browser = await BrowserAsync();
        var page = browser.Page;
        await page.GotoAsync(server.BaseUrl + "/analytics");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin\\?next=%2Fanalytics"));
        await page.GetByLabel("API token").FillAsync("dm_notARealToken000000000000000000000000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not accepted");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);

        // The session cookie is HttpOnly: script on the page cannot read it.
        await page.GetByLabel("API token").FillAsync(server.ViewerToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/analytics$"));
        var cookies = await browser.Context.CookiesAsync(server.BaseUrl);
        var session = Assert.Single(cookies, c => c.Name == "dm_session");
        Assert.True(session.HttpOnly, "dm_session must be HttpOnly");
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain("dm_session", await page.EvaluateAsync<string>("document.cookie"), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin"));
        await page.GotoAsync(server.BaseUrl + "/");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin"));
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task TriggerDeployment_AsDeployer_LogStreamsAndStatusChangesUntilTerminal()
    {
        await using var browser = await BrowserAsync();
        var page = browser.Page;
        await SignInAsync(page, server.DeployerToken);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Deployments", Exact = true })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("01-deployments-list"), FullPage = true });

        await page.GetByText("New deployment").ClickAsync();
        await page.Locator("#new-path").FillAsync(server.SamplePath);
        await page.Locator("#new-strategy").SelectOptionAsync("rolling");
        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("02-trigger-form") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/deployments/[^/]+$"));
        var id = Uri.UnescapeDataString(new Uri(page.Url).AbsolutePath.Split('/').Last());

        // Watch the status badge (aria-live) and the log (role=log) until the deployment is terminal. A run that is still
        // going after two minutes (a slow image build) is cancelled from the page, which must then end it too.
        var badge = page.Locator("#status-badge");
        var seen = new List<string>();
        var start = DateTime.UtcNow;
        var cancelled = false;
        var streamed = 0;
        while (DateTime.UtcNow - start < TimeSpan.FromMinutes(4))
        {
            var status = await badge.GetAttributeAsync("data-status") ?? "";
            if (seen.Count == 0 || seen[^1] != status)
            {
                seen.Add(status);
            }

            streamed = Math.Max(streamed, await page.Locator("#logs .log-line[data-origin='stream']").CountAsync());
            if (s_terminal.Contains(status) && await page.Locator("#stream-state").TextContentAsync() is { } state && state.StartsWith("Finished", StringComparison.Ordinal))
            {
                break;
            }

            if (!cancelled && DateTime.UtcNow - start > TimeSpan.FromMinutes(2) && seen.Count >= 2 && streamed > 0)
            {
                await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("03a-deployment-running"), FullPage = true });
                await page.GetByRole(AriaRole.Button, new() { Name = "Cancel deployment" }).ClickAsync();
                cancelled = true;
            }

            await page.WaitForTimeoutAsync(150);
        }

        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("03-deployment-after-run"), FullPage = true });
        Assert.True(s_terminal.Contains(seen[^1]), $"deployment {id} did not finish within 4 minutes (cancel clicked: {cancelled}); statuses seen: {string.Join(" → ", seen)}");
        Assert.True(seen.Count >= 2, $"the page never showed a status change; statuses seen: {string.Join(" → ", seen)}");
        Assert.True(streamed > 0, "no log entry arrived through the live stream (/logs/stream)");

        // What the page showed agrees with the API.
        using var api = server.Api(server.AdminToken);
        var detail = await api.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{Uri.EscapeDataString(id)}");
        Assert.Equal((string?)detail!["deployment"]!["status"], seen[^1]);
        var logCount = await page.Locator("#logs .log-line").CountAsync();
        var logs = await api.GetFromJsonAsync<JsonObject>($"/api/v1/deployments/{Uri.EscapeDataString(id)}/logs?limit=500");
        Assert.Equal(logs!["items"]!.AsArray().Count, logCount);
        await Assertions.Expect(page.Locator("#timeline li")).Not.ToHaveCountAsync(0);
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task DeploymentPage_SeededDeployment_ShowsFindingsBuildHealthChartAndAgentCosts()
    {
        await using var browser = await BrowserAsync();
        var page = browser.Page;
        await SignInAsync(page, server.ViewerToken, $"/deployments/{server.DeployedDeploymentId}");
        await Assertions.Expect(page.Locator("#status-badge")).ToHaveAttributeAsync("data-status", "deployed");
        await Assertions.Expect(page.Locator("#security .sev-group").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#build dl")).ToContainTextAsync("Language");
        await Assertions.Expect(page.Locator("#health svg[role=img]")).ToBeVisibleAsync();
        Assert.Equal(5, await page.Locator("#health svg[role=img] circle").CountAsync());
        await Assertions.Expect(page.Locator("#agents tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#agents-total-cost")).ToContainTextAsync("$");
        await Assertions.Expect(page.Locator("#logs .log-line")).ToHaveCountAsync(30);
        await Assertions.Expect(page.Locator("#stream-state")).ToContainTextAsync("Finished");
        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("04-deployment-details"), FullPage = true });
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task AnalyticsPage_SeededHistory_DrawsEveryChart()
    {
        await using var browser = await BrowserAsync();
        var page = browser.Page;
        await SignInAsync(page, server.ViewerToken, "/analytics");
        foreach (var name in new[] { "success-rate", "deployments-per-day", "durations", "most-vulnerable-repositories", "agent-costs" })
        {
            var card = page.Locator($"#analytics-{name}");
            await Assertions.Expect(card.Locator("figure.chart").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
            Assert.Equal(0, await card.Locator(".problem").CountAsync());
            Assert.Equal(0, await card.Locator(".empty").CountAsync());
        }

        // Seeded 14 days: several day bars, the 15 sample repositories' vulnerability bars, 4 agents.
        Assert.True(await page.Locator("#analytics-deployments-per-day svg rect").CountAsync() >= 10, "too few day bars");
        Assert.True(await page.Locator("#analytics-agent-costs svg rect").CountAsync() >= 4, "too few agent bars");
        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("05-analytics"), FullPage = true });

        await page.Locator("#days").SelectOptionAsync("7");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("days=7"));
        await Assertions.Expect(page.Locator("#analytics-deployments-per-day svg[role=img]")).ToBeVisibleAsync();
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task DeployButtons_AsViewer_AreHiddenAndServerRefusesPost()
    {
        await using var browser = await BrowserAsync();
        var page = browser.Page;
        await SignInAsync(page, server.ViewerToken);
        await Assertions.Expect(page.Locator("#deployments-table")).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByText("New deployment").CountAsync());
        await page.GotoAsync(server.BaseUrl + $"/deployments/{server.DeployedDeploymentId}");
        await Assertions.Expect(page.Locator("#status-badge")).ToBeVisibleAsync();
        foreach (var name in new[] { "Cancel deployment", "Roll back", "Deploy this commit again", "Delete records" })
        {
            Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = name }).CountAsync());
        }

        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("06-viewer-deployment"), FullPage = true });

        // Even with a valid session and CSRF token, the viewer role may not trigger anything.
        var status = await page.EvaluateAsync<int>(@"async () => {
            const csrf = (document.cookie.split('; ').find(c => c.startsWith('dm_csrf=')) || '').slice(8) || sessionStorage.getItem('deploymind.csrf') || '';
            const r = await fetch('/api/v1/deployments', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) }, body: JSON.stringify({ repository: 'acme/viewer-forged' }) });
            return r.status; }");
        Assert.Equal(403, status);
        Assert.Empty(await server.DeploymentsAsync("acme/viewer-forged"));
    }

    [Fact]
    public async Task ForgedPost_WithoutCsrfToken_IsRefused()
    {
        await using var browser = await BrowserAsync();
        var page = browser.Page;
        await SignInAsync(page, server.DeployerToken);

        // 1. Script on a dashboard page that leaves out X-CSRF-Token (the cookie alone must not be enough).
        var status = await page.EvaluateAsync<int>(@"async () => {
            const r = await fetch('/api/v1/deployments', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ repository: 'acme/forged' }) });
            return r.status; }");
        Assert.Equal(403, status);

        // 2. A form on another origin of the same site (another loopback port: SameSite does not apply) that posts
        //    to the API with the victim's cookies. Playwright serves the attacker's page; nothing leaves the machine.
        var attacker = $"http://127.0.0.1:{FreePort()}/attack";
        await page.RouteAsync(attacker, route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Body = $$"""
                <!doctype html><form id=f method=POST enctype="text/plain" action="{{server.BaseUrl}}/api/v1/deployments">
                <input name='{"repository":"acme/forged","x":"' value='"}'></form><script>document.getElementById('f').submit()</script>
                """,
        }));
        var response = await page.RunAndWaitForResponseAsync(() => page.GotoAsync(attacker),
            r => r.Url.StartsWith(server.BaseUrl + "/api/v1/deployments", StringComparison.Ordinal) && r.Request.Method == "POST");
        Assert.InRange(response.Status, 400, 499);

        Assert.Empty(await server.DeploymentsAsync("acme/forged"));
        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("07-forged-post-refused") });
    }

    [Fact]
    public async Task ScriptInjection_InRepositoryLogAndFindings_RendersAsText()
    {
        await using var browser = await BrowserAsync();
        var page = browser.Page;
        await SignInAsync(page, server.AdminToken, "/?repository=" + Uri.EscapeDataString(DashboardServer.InjectionRepository));
        var link = page.GetByRole(AriaRole.Link, new() { Name = DashboardServer.InjectionRepository });
        await Assertions.Expect(link).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("08-injection-list") });
        await link.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/deployments/{server.InjectionDeploymentId}$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(DashboardServer.InjectionRepository);
        await Assertions.Expect(page.Locator("#logs .log-line .msg")).ToHaveTextAsync(DashboardServer.InjectionLogMessage);
        await Assertions.Expect(page.Locator("#findings")).ToContainTextAsync("<img src=x onerror=alert(6)>");
        await Assertions.Expect(page.Locator("#security-decision")).ToContainTextAsync("reject");
        await page.WaitForTimeoutAsync(500);
        await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot("09-injection-deployment"), FullPage = true });

        Assert.Equal(0, await page.Locator("main img, main script, main iframe, main b, main a[href^='javascript']").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("window.__dmInjected ?? null"));
        Assert.Empty(browser.Dialogs);
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task Pages_At375PixelsWide_FitAndNameEveryControl()
    {
        await using var browser = await BrowserAsync(375, 812);
        var page = browser.Page;
        await SignInAsync(page, server.DeployerToken);
        var pages = new (string Path, string Ready, string Shot)[]
        {
            ("/", "#deployments-table", "10-phone-deployments"),
            ($"/deployments/{server.DeployedDeploymentId}", "#agents", "11-phone-deployment"),
            ("/analytics", "#analytics-agent-costs svg", "12-phone-analytics"),
        };
        foreach (var (path, ready, shot) in pages)
        {
            await page.GotoAsync(server.BaseUrl + path);
            await page.Locator(ready).First.WaitForAsync();
            await page.WaitForTimeoutAsync(300);
            await page.ScreenshotAsync(new() { Path = Artifacts.Screenshot(shot), FullPage = false });
            var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            Assert.True(width <= 375, $"{path} is {width}px wide on a 375px screen");

            var unnamed = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
                .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
                .filter(e => {
                    if (e.matches('input, select, textarea')) return e.labels.length === 0 && !e.getAttribute('aria-label');
                    return !(e.textContent.trim() || e.getAttribute('aria-label'));
                })
                .map(e => e.outerHTML.slice(0, 120))");
            Assert.True(unnamed.Length == 0, $"{path}: controls without an accessible name: {string.Join(" | ", unnamed)}");
            Assert.True(await page.Locator("[aria-live]").CountAsync() > 0, $"{path} has no live region");
        }

        // The log and the status are live regions so screen readers hear new entries and status changes.
        await page.GotoAsync(server.BaseUrl + $"/deployments/{server.DeployedDeploymentId}");
        await Assertions.Expect(page.Locator("#logs")).ToHaveAttributeAsync("aria-live", "polite");
        await Assertions.Expect(page.Locator("#deployment-status")).ToHaveAttributeAsync("aria-live", "polite");
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task DeploymentsList_StatusFilterWithCursorPaging_ListsEachMatchOnce()
    {
        await using var browser = await BrowserAsync();
        var page = browser.Page;
        await SignInAsync(page, server.ViewerToken);
        await page.Locator("#status").SelectOptionAsync("deployed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=deployed"));
        await Assertions.Expect(page.Locator("#deployments-table")).ToBeVisibleAsync();

        var ids = new HashSet<string>();
        for (var guard = 0; guard < 20; guard++)
        {
            await page.Locator("#deployments-results[aria-busy=false]").WaitForAsync();
            foreach (var badge in await page.Locator("#deployments-table [data-status]").AllAsync())
            {
                Assert.Equal("deployed", await badge.GetAttributeAsync("data-status"));
            }

            foreach (var row in await page.Locator("#deployments-table tbody tr").AllAsync())
            {
                Assert.True(ids.Add(await row.GetAttributeAsync("data-id") ?? ""), "a deployment appeared on two pages");
            }

            var next = page.Locator("#next-page");
            if (await next.CountAsync() == 0)
            {
                break;
            }

            var before = page.Url;
            await next.ClickAsync();
            await Assertions.Expect(page).Not.ToHaveURLAsync(before);
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("cursor="));
        }

        var expected = (await server.DeploymentsAsync()).Count(d => (string?)d["status"] == "deployed");
        Assert.Equal(expected, ids.Count);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
