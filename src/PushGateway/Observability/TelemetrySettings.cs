using System.Globalization;
using System.Reflection;

namespace PushGateway.Observability;

/// <summary>
/// What the exporters are given, resolved once at startup from section "Telemetry" and, where a key
/// there is empty, the standard OTEL_* variables (read through IConfiguration, so appsettings and the
/// command line may set them too).
/// </summary>
public sealed record TelemetrySettings(
    Uri? OtlpEndpoint,
    string Protocol,
    TimeSpan MetricExportInterval,
    bool Traces,
    double TraceSampleRatio,
    string ServiceName,
    string ServiceInstanceId,
    string ServiceVersion)
{
    public static readonly TimeSpan DefaultMetricExportInterval = TimeSpan.FromSeconds(15);

    public bool ExportsOtlp => OtlpEndpoint is not null;

    public bool IsHttpProtobuf => string.Equals(Protocol, OtlpProtocols.HttpProtobuf, StringComparison.OrdinalIgnoreCase);

    public static TelemetrySettings Resolve(TelemetryOptions options, IConfiguration configuration)
    {
        var endpoint = FirstNonEmpty(options.OtlpEndpoint, configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var exportMs = configuration["OTEL_METRIC_EXPORT_INTERVAL"];
        var interval = options.MetricExportInterval
            ?? (int.TryParse(exportMs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0
                ? TimeSpan.FromMilliseconds(ms)
                : DefaultMetricExportInterval);
        return new TelemetrySettings(
            OtlpEndpoint: endpoint is null ? null : new Uri(endpoint, UriKind.Absolute),
            Protocol: (FirstNonEmpty(options.Protocol, configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) ?? OtlpProtocols.Grpc).ToLowerInvariant(),
            MetricExportInterval: interval,
            Traces: options.Traces,
            TraceSampleRatio: options.TraceSampleRatio,
            ServiceName: FirstNonEmpty(options.ServiceName, configuration["OTEL_SERVICE_NAME"]) ?? TelemetryOptions.DefaultServiceName,
            ServiceInstanceId: FirstNonEmpty(options.ServiceInstanceId) ?? Environment.MachineName,
            ServiceVersion: typeof(TelemetrySettings).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");
    }

    /// <summary>
    /// gRPC takes the base URL as it is. OTLP/HTTP wants one URL per signal, and the exporter does not
    /// add the path to an endpoint set in code, so it is added here as the spec does for
    /// OTEL_EXPORTER_OTLP_ENDPOINT: http://collector:4318 becomes http://collector:4318/v1/metrics.
    /// </summary>
    public Uri SignalEndpoint(string signal)
    {
        var endpoint = OtlpEndpoint ?? throw new InvalidOperationException("no OTLP endpoint is configured");
        if (!IsHttpProtobuf) return endpoint;
        var builder = new UriBuilder(endpoint);
        builder.Path = builder.Path.TrimEnd('/') + "/v1/" + signal;
        return builder.Uri;
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
