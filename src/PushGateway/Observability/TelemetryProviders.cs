using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace PushGateway.Observability;

/// <summary>
/// Owns the OpenTelemetry meter and tracer providers for the host's lifetime: built when the host
/// starts (before Kestrel takes requests), shut down with a final export when it stops (after Kestrel,
/// so the drain's closes are counted), disposed with the container. This is the stand-in for
/// OpenTelemetry.Extensions.Hosting, which is not available here; see <see cref="TelemetryPipeline"/>.
/// With no OTLP endpoint no provider is built, so no listener exists and instruments cost nothing extra.
/// </summary>
internal sealed partial class TelemetryProviders(
    TelemetrySettings settings,
    IConfiguration configuration,
    ILogger<TelemetryProviders> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(5);

    private MeterProvider? meters;
    private TracerProvider? tracer;

    public TelemetrySettings Settings { get; } = settings;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Settings.ExportsOtlp)
        {
            LogNoExport(logger);
            return Task.CompletedTask;
        }
        // The SDK's builders read OTEL_* through their own IConfiguration, by default the environment
        // only; handing them the host's lets appsettings and the command line set those too.
        meters = TelemetryPipeline.ConfigureMetrics(Sdk.CreateMeterProviderBuilder(), Settings)
            .ConfigureServices(s => s.AddSingleton(configuration))
            .Build();
        if (Settings.Traces)
        {
            tracer = TelemetryPipeline.ConfigureTracing(Sdk.CreateTracerProviderBuilder(), Settings)
                .ConfigureServices(s => s.AddSingleton(configuration))
                .Build();
        }
        LogExporting(logger, Settings.OtlpEndpoint!.ToString(), Settings.Protocol, Settings.MetricExportInterval, Settings.Traces,
            Settings.ServiceName, Settings.ServiceInstanceId);
        return Task.CompletedTask;
    }

    /// <summary>Exports what is pending, bounded so that an unreachable collector cannot hold up the exit.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        var budget = (int)ShutdownBudget.TotalMilliseconds;
        tracer?.Shutdown(budget);
        meters?.Shutdown(budget);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        tracer?.Dispose();
        meters?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No OTLP endpoint (Telemetry:OtlpEndpoint, OTEL_EXPORTER_OTLP_ENDPOINT): metrics only at /stats and /ops")]
    private static partial void LogNoExport(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Exporting OTLP to {Endpoint} over {Protocol}, metrics every {Interval}, traces {Traces}, as {ServiceName}/{ServiceInstanceId}")]
    private static partial void LogExporting(ILogger logger, string endpoint, string protocol, TimeSpan interval, bool traces, string serviceName, string serviceInstanceId);
}
