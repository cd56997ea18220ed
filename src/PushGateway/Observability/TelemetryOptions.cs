namespace PushGateway.Observability;

/// <summary>
/// Section "Telemetry": where OpenTelemetry metrics and traces go. The standard OTEL_* variables
/// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES)
/// apply when the matching key here is left empty, so a container can be configured either way.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    public const string DefaultServiceName = "pushgateway";

    /// <summary>Base URL of an OTLP receiver, e.g. http://otel-collector:4317. Empty (and no OTEL_EXPORTER_OTLP_ENDPOINT): nothing is exported.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>"grpc" (port 4317 by convention) or "http/protobuf" (port 4318). Empty: OTEL_EXPORTER_OTLP_PROTOCOL, else grpc.</summary>
    public string? Protocol { get; set; }

    /// <summary>How often metrics are pushed. Empty: OTEL_METRIC_EXPORT_INTERVAL (milliseconds), else 15 seconds.</summary>
    public TimeSpan? MetricExportInterval { get; set; }

    /// <summary>Whether spans (connection sessions, subscribe commands, HTTP requests) are exported along with metrics.</summary>
    public bool Traces { get; set; } = true;

    /// <summary>Fraction of new traces kept, 0 to 1; a child follows its parent's decision.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>service.name. Empty: OTEL_SERVICE_NAME, else "pushgateway".</summary>
    public string? ServiceName { get; set; }

    /// <summary>service.instance.id, also the node id of /stats. Empty: the machine name (the pod name in Kubernetes).</summary>
    public string? ServiceInstanceId { get; set; }

    public IEnumerable<string> Validate()
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint)
            && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"))
            yield return $"Telemetry:OtlpEndpoint '{OtlpEndpoint}' must be an http:// or https:// URL, e.g. http://otel-collector:4317";
        if (!string.IsNullOrWhiteSpace(Protocol) && !OtlpProtocols.IsKnown(Protocol))
            yield return $"Telemetry:Protocol must be '{OtlpProtocols.Grpc}' or '{OtlpProtocols.HttpProtobuf}'";
        if (MetricExportInterval is { } interval && interval < TimeSpan.FromMilliseconds(100))
            yield return "Telemetry:MetricExportInterval must be at least 00:00:00.1";
        if (TraceSampleRatio is < 0 or > 1) yield return "Telemetry:TraceSampleRatio must be between 0 and 1";
    }
}

/// <summary>The two OTLP transports, by their OTEL_EXPORTER_OTLP_PROTOCOL names.</summary>
public static class OtlpProtocols
{
    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http/protobuf";

    public static bool IsKnown(string protocol) =>
        string.Equals(protocol, Grpc, StringComparison.OrdinalIgnoreCase) || string.Equals(protocol, HttpProtobuf, StringComparison.OrdinalIgnoreCase);
}
