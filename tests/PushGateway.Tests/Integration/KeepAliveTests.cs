using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Integration;

/// <summary>A peer that stops answering the server's pings (dead, or half-open) is found and released.</summary>
public sealed class KeepAliveTests
{
    [Fact]
    public async Task A_client_that_stops_answering_pings_is_dropped_and_its_subscriptions_released()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:KeepAliveInterval"] = "00:00:00.200",
            // The healthy client must answer within it even on a busy CI machine.
            ["Gateway:KeepAliveTimeout"] = "00:00:01.500",
        });
        var metrics = node.Get<GatewayMetrics>();
        // A paused client never reads, so its WebSocket never answers the server's pings.
        await using var silent = await node.ConnectAsync(paused: true);
        await silent.SendAsync("""{"type":"subscribe","id":1,"topic":"keepalive.silent"}""");
        await Bounded.Eventually(() => Task.FromResult(metrics.Snapshot().Subscriptions == 1), "the silent client subscribed");
        await using var healthy = await node.ConnectAsync();
        await healthy.SubscribeAsync("keepalive.healthy");

        await Bounded.Eventually(() => Task.FromResult(metrics.ConnectionsCurrent == 1), "the silent client is dropped");
        Assert.Equal(1, metrics.Snapshot().Subscriptions);
        // On the direct transport (the default) a keep-alive timeout is a close of its own (4002), not a vanished peer.
        Assert.Equal(1, metrics.ClosedCount("keepalive_timeout"));
        await healthy.RoundTripAsync();
    }

    [Fact]
    public async Task A_client_that_reads_but_never_answers_pings_gets_4002()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:KeepAliveInterval"] = "00:00:00.200",
            ["Gateway:KeepAliveTimeout"] = "00:00:00.500",
        });
        // A raw client that reads the server's frames (pings included) and answers none of them.
        await using var socket = await BadInput.RawWebSocket.ConnectAsync(node.WebSocketAddress);
        var close = await socket.ReadUntilClosedAsync().Within();
        Assert.Equal(4002, close);
        await Bounded.Eventually(() => Task.FromResult(node.Get<GatewayMetrics>().ConnectionsCurrent == 0), "the connection is released");
        Assert.Equal(1, node.Get<GatewayMetrics>().ClosedCount("keepalive_timeout"));
    }
}
