using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PushGateway.Observability;

/// <summary>
/// What the node measures and traces and where it goes: meters, activity sources, views, resource and
/// exporters. Kept apart from <see cref="TelemetryProviders"/> (who owns the providers) so that the
/// day OpenTelemetry.Extensions.Hosting is available, services.AddOpenTelemetry().WithMetrics(b =>
/// TelemetryPipeline.ConfigureMetrics(b, settings)) replaces the hand-made lifetime and nothing else changes.
/// </summary>
public static class TelemetryPipeline
{
    /// <summary>Ours first, then the platform's own meters, enabled by name.</summary>
    public static readonly string[] Meters =
    [
        GatewayMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "System.Net.Http",
        "System.Runtime",
    ];

    /// <summary>ASP.NET Core's request spans (GET /ws spans a whole session) and ours beneath them.</summary>
    public static readonly string[] ActivitySources = ["Microsoft.AspNetCore", GatewayTelemetry.ActivitySourceName];

    /// <summary>
    /// service.name, service.version and service.instance.id first, then OTEL_RESOURCE_ATTRIBUTES and
    /// OTEL_SERVICE_NAME on top, so a deployment can still override any of them.
    /// </summary>
    public static ResourceBuilder ConfigureResource(ResourceBuilder resource, TelemetrySettings settings) =>
        resource.Clear()
            .AddService(settings.ServiceName, serviceVersion: settings.ServiceVersion, autoGenerateServiceInstanceId: false, serviceInstanceId: settings.ServiceInstanceId)
            .AddTelemetrySdk()
            .AddEnvironmentVariableDetector();

    public static MeterProviderBuilder ConfigureMetrics(MeterProviderBuilder builder, TelemetrySettings settings)
    {
        builder.ConfigureResource(r => ConfigureResource(r, settings))
            .AddMeter(Meters)
            .AddView(LatencyBuckets.InstrumentName, new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets.BoundariesMs });
        if (settings.ExportsOtlp)
        {
            builder.AddOtlpExporter((exporter, reader) =>
            {
                ConfigureExporter(exporter, settings, "metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.MetricExportInterval.TotalMilliseconds;
            });
        }
        return builder;
    }

    public static TracerProviderBuilder ConfigureTracing(TracerProviderBuilder builder, TelemetrySettings settings)
    {
        builder.ConfigureResource(r => ConfigureResource(r, settings))
            .AddSource(ActivitySources)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.TraceSampleRatio)));
        if (settings.ExportsOtlp && settings.Traces)
        {
            builder.AddOtlpExporter(exporter => ConfigureExporter(exporter, settings, "traces"));
        }
        return builder;
    }

    private static void ConfigureExporter(OtlpExporterOptions exporter, TelemetrySettings settings, string signal)
    {
        exporter.Protocol = settings.IsHttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        exporter.Endpoint = settings.SignalEndpoint(signal);
    }
}
