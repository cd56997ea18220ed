using Microsoft.Extensions.Configuration;
using PushGateway.Observability;

namespace PushGateway.Tests.Observability;

public sealed class TelemetrySettingsTests
{
    private static TelemetrySettings Resolve(TelemetryOptions options, Dictionary<string, string?>? configuration = null) =>
        TelemetrySettings.Resolve(options, new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build());

    [Fact]
    public void Nothing_configured_means_no_export_and_the_documented_defaults()
    {
        var settings = Resolve(new TelemetryOptions());

        Assert.False(settings.ExportsOtlp);
        Assert.Equal("grpc", settings.Protocol);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.MetricExportInterval);
        Assert.Equal("pushgateway", settings.ServiceName);
        Assert.Equal(Environment.MachineName, settings.ServiceInstanceId);
        Assert.True(settings.Traces);
    }

    [Fact]
    public void The_standard_otel_variables_apply_when_the_section_leaves_them_empty()
    {
        var settings = Resolve(new TelemetryOptions(), new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "edge-gateway",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "5000",
        });

        Assert.Equal(new Uri("http://collector:4318"), settings.OtlpEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.MetricExportInterval);
        Assert.Equal("edge-gateway", settings.ServiceName);
        Assert.True(settings.IsHttpProtobuf);
    }

    [Fact]
    public void The_section_wins_over_the_otel_variables()
    {
        var settings = Resolve(
            new TelemetryOptions { OtlpEndpoint = "http://mine:4317", Protocol = "grpc", ServiceName = "mine", MetricExportInterval = TimeSpan.FromSeconds(2) },
            new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://theirs:4318", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf", ["OTEL_SERVICE_NAME"] = "theirs" });

        Assert.Equal(new Uri("http://mine:4317"), settings.OtlpEndpoint);
        Assert.Equal("grpc", settings.Protocol);
        Assert.Equal("mine", settings.ServiceName);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.MetricExportInterval);
    }

    [Theory]
    [InlineData("http://collector:4318", "http://collector:4318/v1/metrics")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/metrics")]
    [InlineData("https://gateway.example/otlp", "https://gateway.example/otlp/v1/metrics")]
    public void Otlp_http_gets_one_url_per_signal(string endpoint, string expected)
    {
        var settings = Resolve(new TelemetryOptions { OtlpEndpoint = endpoint, Protocol = "http/protobuf" });
        Assert.Equal(new Uri(expected), settings.SignalEndpoint("metrics"));
    }

    [Fact]
    public void Grpc_takes_the_endpoint_as_it_is()
    {
        var settings = Resolve(new TelemetryOptions { OtlpEndpoint = "http://collector:4317" });
        Assert.Equal(new Uri("http://collector:4317"), settings.SignalEndpoint("traces"));
    }

    [Fact]
    public void Bad_settings_are_reported_at_startup()
    {
        var errors = new TelemetryOptions { OtlpEndpoint = "collector:4317/x y", Protocol = "udp", MetricExportInterval = TimeSpan.Zero, TraceSampleRatio = 2 }
            .Validate().ToList();
        Assert.Equal(4, errors.Count);
    }
}
