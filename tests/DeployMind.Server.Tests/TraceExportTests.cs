using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using DeployMind.Server.Configuration;
using DeployMind.Server.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace DeployMind.Server.Tests;

public sealed class TraceExportTests
{
    [Fact]
    public async Task Deployment_WithAnOtlpEndpoint_SendsItsStageSpansToTheCollector()
    {
        await using var collector = new OtlpCollector();
        await collector.StartAsync();
        string id;
        await using (var server = await ServerHarness.SqliteAsync(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-collector-key=k-123",
        }))
        {
            var repository = await GitRepository.CreateAsync(server.Directory);
            using var client = server.Api(server.DeployerToken);
            var response = await client.PostAsJsonAsync("/api/v1/deployments", new { path = repository });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
            await server.WaitForFinishAsync(id);
            Assert.True(server.Services.GetRequiredService<TracerProvider>().ForceFlush(30_000), "the exporter did not flush within 30 s");
        }

        // The exporter batches; the flush above and the server's shutdown send what it holds. Protobuf carries strings as UTF-8, so names and values show.
        Assert.NotEmpty(collector.Requests);
        Assert.All(collector.Requests, r =>
        {
            Assert.Equal("/v1/traces", r.Path);
            Assert.Equal("application/x-protobuf", r.ContentType);
            Assert.Equal("k-123", r.CollectorKey);
        });
        var text = string.Concat(collector.Requests.Select(r => Encoding.UTF8.GetString(r.Body)));
        Assert.Contains(id, text, StringComparison.Ordinal);
        Assert.Contains("deploymind-server", text, StringComparison.Ordinal);
        foreach (var stage in new[] { "source", "security", "build", "deploy", "verify" })
        {
            Assert.Contains("stage " + stage, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4318", "OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "OTEL_EXPORTER_OTLP_PROTOCOL")]
    public void From_BadValue_NamesTheVariable(string variable, string value, string named)
    {
        var settings = Settings(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318", [variable] = value });

        var error = Assert.Throws<InvalidInputException>(() => TraceExport.From(settings));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_BaseEndpointOrTracesEndpoint_ResolvesWhereSpansGo()
    {
        Assert.Null(TraceExport.From(Settings([])));
        Assert.Equal("http://127.0.0.1:4318/v1/traces", TraceExport.From(Settings(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318/" }))!.Endpoint.ToString());
        Assert.Equal("http://127.0.0.1:9999/custom", TraceExport.From(Settings(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://127.0.0.1:9999/custom",
        }))!.Endpoint.ToString());
        Assert.Equal("http://127.0.0.1:4317/", TraceExport.From(Settings(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
        }))!.Endpoint.ToString());
    }

    private static ServerSettings Settings(Dictionary<string, string?> values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    /// <summary>An OTLP/HTTP trace receiver on a loopback port that keeps every export request.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private LoopbackApp? _app;

        public sealed record Request(string Path, string? ContentType, string? CollectorKey, byte[] Body);

        public ConcurrentQueue<Request> Requests { get; } = new();

        public string Url => _app!.Url;

        public async Task StartAsync() => _app = await LoopbackApp.StartAsync(app =>
            app.MapPost("/v1/traces", async (HttpContext http) =>
            {
                using var body = new MemoryStream();
                await http.Request.Body.CopyToAsync(body);
                Requests.Enqueue(new Request(http.Request.Path, http.Request.ContentType, http.Request.Headers["x-collector-key"], body.ToArray()));
                return Results.Bytes([], "application/x-protobuf");
            }));

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }
}
