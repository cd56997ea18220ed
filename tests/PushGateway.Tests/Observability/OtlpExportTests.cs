using System.Text;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Observability;

/// <summary>The node pushes OTLP to whatever Telemetry:OtlpEndpoint names: here, a receiver in the test.</summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private OtlpReceiver receiver = null!;
    private GatewayNode node = null!;

    public async Task InitializeAsync()
    {
        receiver = await OtlpReceiver.StartAsync();
        node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = receiver.Endpoint.ToString(),
            ["Telemetry:Protocol"] = "http/protobuf",
            ["Telemetry:MetricExportInterval"] = "00:00:00.5",
            ["Telemetry:ServiceInstanceId"] = "otlp-test-node",
            // A standard OTEL_* key, read through the host's configuration like the exporter's own settings.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
    }

    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_of_the_gateway_and_of_aspnetcore_arrive_with_the_node_identity()
    {
        await using var client = await node.ConnectAsync();
        await client.RoundTripAsync();

        var metrics = await receiver.WaitForAsync("metrics", "pushgw.connections.opened").Within();
        var text = Encoding.UTF8.GetString(metrics);
        Assert.Contains("pushgw.connections.current", text);
        Assert.Contains("pushgw.redis.connected", text);
        Assert.Contains("otlp-test-node", text);
        Assert.Contains("pushgateway", text);

        await receiver.WaitForAsync("metrics", "kestrel.active_connections").Within();
    }

    [Fact]
    public async Task Delivery_latency_is_exported_as_a_histogram_once_messages_flow()
    {
        await using var client = await node.ConnectAsync();
        var topic = "otlp." + Guid.NewGuid().ToString("N")[..8];
        await client.SubscribeAsync(topic);
        await node.Get<PushGateway.Bus.IMessageBus>().PublishAsync(topic, "{\"v\":1}"u8.ToArray(), CancellationToken.None).Within();
        await client.ReceiveMessageAsync();

        await receiver.WaitForAsync("metrics", "pushgw.delivery.latency").Within();
    }

    [Fact]
    public async Task Subscribe_commands_and_connection_sessions_are_traced()
    {
        await using (var client = await node.ConnectAsync())
        {
            await client.SubscribeAsync("otlp.traced." + Guid.NewGuid().ToString("N")[..8]);
            await client.CloseAsync();
            await client.Closed.Within();
        }

        await receiver.WaitForAsync("traces", "pushgw.subscribe").Within();
        await receiver.WaitForAsync("traces", "pushgw.close.reason").Within();
    }

    [Fact]
    public async Task The_default_protocol_is_grpc_over_cleartext_http2_as_the_compose_collector_expects()
    {
        await using var grpcReceiver = await OtlpReceiver.StartAsync(grpc: true);
        await using var grpcNode = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = grpcReceiver.Endpoint.ToString(),
            ["Telemetry:MetricExportInterval"] = "00:00:00.5",
        });

        await grpcReceiver.WaitForAsync("metrics", "pushgw.connections.opened").Within();
    }
}
