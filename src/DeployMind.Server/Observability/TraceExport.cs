using DeployMind.Domain;
using DeployMind.Server.Configuration;
using OpenTelemetry.Exporter;

namespace DeployMind.Server.Observability;

/// <summary>
/// Where the server sends its traces, from the standard OpenTelemetry variables: <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>
/// (used as given) or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the collector's base address; <c>/v1/traces</c> is appended for
/// HTTP), <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>http/protobuf</c>, the default, or <c>grpc</c>) and
/// <c>OTEL_EXPORTER_OTLP_HEADERS</c> (<c>key=value,...</c>, e.g. a collector's API key; never logged).
/// Without an endpoint nothing is exported: spans are still created for in-process listeners.
/// </summary>
public sealed record TraceExport(Uri Endpoint, OtlpExportProtocol Protocol, string? Headers)
{
    public static TraceExport? From(ServerSettings settings)
    {
        var protocol = settings.Variable("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? settings.Variable("OTEL_EXPORTER_OTLP_PROTOCOL");
        var parsed = protocol?.Trim().ToLowerInvariant() switch
        {
            null or "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            "grpc" => OtlpExportProtocol.Grpc,
            _ => throw new InvalidInputException("OTEL_EXPORTER_OTLP_PROTOCOL",
                $"OTEL_EXPORTER_OTLP_PROTOCOL='{protocol}' is not an OTLP protocol DeployMind exports with; use 'http/protobuf' (the default) or 'grpc'"),
        };
        var headers = settings.Variable("OTEL_EXPORTER_OTLP_TRACES_HEADERS") ?? settings.Variable("OTEL_EXPORTER_OTLP_HEADERS");
        if (settings.Variable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") is { } traces)
        {
            return new TraceExport(Parse("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces), parsed, headers);
        }

        if (settings.Variable("OTEL_EXPORTER_OTLP_ENDPOINT") is not { } endpoint)
        {
            return null;
        }

        var baseUri = Parse("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
        return new TraceExport(parsed == OtlpExportProtocol.HttpProtobuf ? new Uri(baseUri.ToString().TrimEnd('/') + "/v1/traces") : baseUri, parsed, headers);
    }

    private static Uri Parse(string variable, string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InvalidInputException(variable, $"{variable}='{text}' is not an http(s) URL; set it to the collector's address, e.g. http://127.0.0.1:4318");
}
