using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Persistence;
using DeployMind.Persistence.Seeding;
using DeployMind.Persistence.Tokens;
using DeployMind.Server;
using DeployMind.Server.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// API throughput and latency at N deployments, and webhook intake under concurrent deliveries.
//   DeployMind.Bench.Server DATABASE_URL_OR_FILE [deployments=100000] [seconds=10] [concurrency=16] [deliveries=100]
// Baselines from the same run: /healthz over the same HTTP stack (the floor), and the same reads made through the
// library directly (DeploymentQueries), so the figures show what the API adds.
var url = args.Length > 0 ? args[0] : throw new ArgumentException("give a database URL or a SQLite file");
var count = Arg(1, 100_000);
var seconds = Arg(2, 10);
var concurrency = Arg(3, 16);
var deliveries = Arg(4, 100);
const string Secret = "bench-webhook-secret";

var work = Directory.CreateTempSubdirectory("deploymind-bench-server-");
await File.WriteAllTextAsync(Path.Combine(work.FullName, "deploymind.yml"), "name: bench\nrepository: acme/bench\nbranch: main\ntargets:\n  - name: web-1\n    type: local\n");
await File.WriteAllTextAsync(Path.Combine(work.FullName, "server.yml"),
    "apps:\n  - config: deploymind.yml\nwebhooks:\n  acme/bench:\n    secret: { env: BENCH_WEBHOOK_SECRET }\n");
var settings = new Dictionary<string, string?>
{
    ["urls"] = "http://127.0.0.1:0",
    ["DEPLOYMIND_DATABASE_URL"] = url,
    ["DEPLOYMIND_DATA_DIR"] = work.FullName,
    ["DEPLOYMIND_SERVER_CONFIG"] = Path.Combine(work.FullName, "server.yml"),
    ["DEPLOYMIND_WORKERS"] = "0",
    ["DEPLOYMIND_AUTH_FAILURE_LIMIT"] = "100000",
    ["BENCH_WEBHOOK_SECRET"] = Secret,
    ["Logging:LogLevel:Default"] = "Warning",
};
await using var app = DeployMindServer.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
await app.StartAsync();
var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var database = app.Services.GetRequiredService<DeployMindDatabase>();
Console.WriteLine($"server on {baseUrl}, {database.Location.ProviderName} {database.Location.Display}");

var existing = await CountAsync(database);
if (existing < count)
{
    var watch = Stopwatch.StartNew();
    await using var writer = database.CreateBulkWriter();
    foreach (var batch in new SampleDataGenerator(42).Generate(count - existing, DateTime.UtcNow, 90).Chunk(1000))
    {
        await writer.WriteAsync(batch, CancellationToken.None);
    }

    Console.WriteLine($"seeded {count - existing} deployments ({(count - existing) * SampleDataGenerator.RowsPerDeployment} rows) in {watch.Elapsed.TotalSeconds:0.0} s");
}

Console.WriteLine($"{await CountAsync(database)} deployments in the database; {concurrency} concurrent clients, {seconds} s per scenario");
var token = (await app.Services.GetRequiredService<ApiTokenStore>().CreateAsync("bench", ApiTokenRole.Admin, "bench", CancellationToken.None)).Plaintext;
List<string> ids;
string middleCursor;
await using (var db = database.CreateContext())
{
    ids = await db.Deployments.OrderBy(d => d.Id).Select(d => d.Id).Take(50_000).ToListAsync();
}

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri(baseUrl) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
{
    var page = JsonNode.Parse(await http.GetStringAsync("/api/v1/deployments?limit=200"))!;
    for (var i = 0; i < 20 && page["nextCursor"] is not null; i++)
    {
        page = JsonNode.Parse(await http.GetStringAsync($"/api/v1/deployments?limit=200&cursor={page["nextCursor"]}"))!;
    }

    middleCursor = (string)page["nextCursor"]!;
}

var queries = app.Services.GetRequiredService<DeploymentQueries>();
// Warm-up (not reported): after a bulk load the first reads also pay for the database's caches and checkpoints.
for (var i = 0; i < 200; i++)
{
    using var warm = await http.GetAsync(i % 2 == 0 ? "/api/v1/deployments?limit=50" : $"/api/v1/deployments/{ids[i]}");
}

Console.WriteLine();
Console.WriteLine($"{"scenario",-52} {"req/s",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"errors",7}");
await Run("GET /healthz (HTTP floor)", async _ => await http.GetAsync("/healthz"));
await Run("GET /api/v1/deployments?limit=50", async _ => await http.GetAsync("/api/v1/deployments?limit=50"));
await Run("GET /api/v1/deployments?limit=50&cursor=(page 21)", async _ => await http.GetAsync($"/api/v1/deployments?limit=50&cursor={middleCursor}"));
await Run("GET /api/v1/deployments?status=failed&repository=..", async _ => await http.GetAsync("/api/v1/deployments?limit=50&status=failed&repository=acme/search"));
await Run("GET /api/v1/deployments/{random id}", async r => await http.GetAsync($"/api/v1/deployments/{ids[r.Next(ids.Count)]}"));
await Run("library: DeploymentQueries.ListAsync(limit 50)", async _ =>
{
    await queries.ListAsync(new DeploymentListFilter(Limit: 50), CancellationToken.None);
    return null;
});
await Run("library: DeploymentQueries.GetAsync(random id)", async r =>
{
    await queries.GetAsync(ids[r.Next(ids.Count)], CancellationToken.None);
    return null;
});

// Webhook intake: every delivery is sent twice at once (a redelivery racing the original); each must queue exactly one deployment.
Console.WriteLine();
int queuedBefore;
await using (var db = database.CreateContext())
{
    queuedBefore = await db.Deployments.CountAsync(d => d.TriggerType == TriggerType.Webhook && d.Repository == "acme/bench");
}

var deliveryIds = Enumerable.Range(0, deliveries).Select(_ => Guid.NewGuid().ToString()).ToList();
var latencies = new ConcurrentBag<double>();
var statuses = new ConcurrentDictionary<int, int>();
using var hooks = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = deliveries * 2 }) { BaseAddress = new Uri(baseUrl) };
var wall = Stopwatch.StartNew();
await Task.WhenAll(deliveryIds.Concat(deliveryIds).Select(async (delivery, i) =>
{
    var sha = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(delivery)[..20]);
    var body = new JsonObject
    {
        ["ref"] = "refs/heads/main",
        ["after"] = sha,
        ["repository"] = new JsonObject { ["full_name"] = "acme/bench" },
        ["pusher"] = new JsonObject { ["name"] = $"pusher-{i % deliveries}" },
    }.ToJsonString();
    using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    request.Headers.Add("X-GitHub-Event", "push");
    request.Headers.Add("X-GitHub-Delivery", delivery);
    request.Headers.Add("X-Hub-Signature-256", GitHubWebhooks.Sign(Secret, Encoding.UTF8.GetBytes(body)));
    var watch = Stopwatch.StartNew();
    using var response = await hooks.SendAsync(request);
    latencies.Add(watch.Elapsed.TotalMilliseconds);
    statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
}));
wall.Stop();
int queued, recorded;
await using (var db = database.CreateContext())
{
    queued = await db.Deployments.CountAsync(d => d.TriggerType == TriggerType.Webhook && d.Repository == "acme/bench") - queuedBefore;
    recorded = await db.WebhookDeliveries.CountAsync(w => deliveryIds.Contains(w.DeliveryId) && w.DeploymentId != null);
}

var sorted = latencies.Order().ToList();
Console.WriteLine($"webhook intake: {deliveries} deliveries each sent twice concurrently ({deliveries * 2} requests) in {wall.Elapsed.TotalMilliseconds:0} ms; " +
                  $"answers {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; " +
                  $"p50 {Percentile(sorted, 50):0.0} ms, p99 {Percentile(sorted, 99):0.0} ms");
Console.WriteLine($"  deployments queued: {queued} (expected {deliveries}); deliveries recorded with their deployment: {recorded} (expected {deliveries}) -> " +
                  (queued == deliveries && recorded == deliveries ? "no loss, no duplicates" : "MISMATCH"));
await app.StopAsync();
work.Delete(recursive: true);
return queued == deliveries && recorded == deliveries ? 0 : 1;

async Task Run(string name, Func<Random, Task<HttpResponseMessage?>> call)
{
    var times = new ConcurrentBag<double>();
    var errors = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        var random = new Random(worker);
        while (!stop.IsCancellationRequested)
        {
            var t = Stopwatch.StartNew();
            using var response = await call(random);
            if (response is { IsSuccessStatusCode: false })
            {
                Interlocked.Increment(ref errors);
            }
            else if (response is not null)
            {
                await response.Content.CopyToAsync(Stream.Null);
            }

            times.Add(t.Elapsed.TotalMilliseconds);
        }
    }));
    var all = times.Order().ToList();
    Console.WriteLine($"{name,-52} {all.Count / watch.Elapsed.TotalSeconds,8:0} {Percentile(all, 50),8:0.0} {Percentile(all, 95),8:0.0} {Percentile(all, 99),8:0.0} {errors,7}");
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];

static async Task<int> CountAsync(DeployMindDatabase database)
{
    await database.MigrateAsync(CancellationToken.None);
    await using var db = database.CreateContext();
    return await db.Deployments.CountAsync();
}

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
