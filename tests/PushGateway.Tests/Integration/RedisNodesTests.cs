using System.Net.WebSockets;
using System.Text;
using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Integration;

/// <summary>Two gateway nodes on one real redis-server: what a fleet promises its clients.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisNodesTests(RedisServer redis) : IAsyncLifetime
{
    private GatewayNode nodeA = null!;
    private GatewayNode nodeB = null!;

    public Task InitializeAsync()
    {
        nodeA = GatewayNode.Start(redis);
        nodeB = GatewayNode.Start(redis);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await nodeA.DisposeAsync();
        await nodeB.DisposeAsync();
    }

    private static string Unique(string prefix) => prefix + "." + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task One_redis_publish_reaches_clients_on_every_node()
    {
        var topic = Unique("fx");
        await using var a = await nodeA.ConnectAsync();
        await using var b = await nodeB.ConnectAsync();
        await a.SubscribeAsync(topic);
        await b.SubscribeAsync(topic);
        Assert.Equal(2, await redis.PublishAsync(topic, """{"bid":1.1}"""));
        foreach (var client in new[] { a, b })
        {
            var message = await client.ReceiveMessageAsync();
            Assert.Equal(topic, message.GetProperty("topic").GetString());
            Assert.Equal(1.1, message.GetProperty("data").GetProperty("bid").GetDouble());
        }
    }

    [Fact]
    public async Task Pattern_and_exact_subscribers_on_two_nodes_each_get_their_copy()
    {
        var root = Unique("fx");
        await using var exact = await nodeA.ConnectAsync();
        await using var pattern = await nodeB.ConnectAsync();
        await using var both = await nodeA.ConnectAsync();
        await exact.SubscribeAsync(root + ".EURUSD");
        await pattern.SubscribeAsync(root + ".*");
        await both.SubscribeAsync(root + ".EURUSD");
        await both.SubscribeAsync(root + ".*");
        await redis.PublishAsync(root + ".EURUSD", """{"bid":1.1}""");

        Assert.False((await exact.ReceiveMessageAsync()).TryGetProperty("pattern", out _));
        Assert.Equal(root + ".*", (await pattern.ReceiveMessageAsync()).GetProperty("pattern").GetString());
        var first = await both.ReceiveMessageAsync();
        var second = await both.ReceiveMessageAsync();
        var patterns = new[] { first, second }.Select(m => m.TryGetProperty("pattern", out var p) ? p.GetString() : null).Order();
        Assert.Equal(new[] { null, root + ".*" }.Order(), patterns);
        await both.RoundTripAsync();
        Assert.True(both.NothingPending, "node A holds fx.* and fx.EURUSD, receives the message twice, and routes each copy once");
    }

    [Fact]
    public async Task After_unsubscribe_nothing_arrives_and_the_last_one_out_drops_the_redis_subscription()
    {
        var topic = Unique("unsub");
        await using var a = await nodeA.ConnectAsync();
        await using var witness = await nodeA.ConnectAsync();
        await using var b = await nodeB.ConnectAsync();
        await a.SubscribeAsync(topic);
        await witness.SubscribeAsync(topic);
        await b.SubscribeAsync(topic);
        Assert.Equal(2, await redis.NumSubAsync(topic));

        await a.UnsubscribeAsync(topic);
        Assert.Equal(2, await redis.NumSubAsync(topic));
        await redis.PublishAsync(topic, "1");
        await witness.ReceiveMessageAsync();
        await a.RoundTripAsync();
        Assert.True(a.NothingPending);

        await witness.UnsubscribeAsync(topic);
        Assert.Equal(1, await redis.NumSubAsync(topic));
        await b.UnsubscribeAsync(topic);
        Assert.Equal(0, await redis.NumSubAsync(topic));
    }

    [Fact]
    public async Task Patterns_are_reference_counted_per_node()
    {
        var name = Unique("refcount").Replace('.', '-');
        await using var node = GatewayNode.Start(redis, new Dictionary<string, string?> { ["Redis:ConnectionString"] = redis.ConnectionString + ",name=" + name });
        var clients = new List<TestClient>();
        for (var i = 0; i < 5; i++)
        {
            var client = await node.ConnectAsync();
            clients.Add(client);
            await client.SubscribeAsync("smog.krakow.*");
            await client.SubscribeAsync("fx." + i);
        }
        // Plus one channel: the node's own, for its liveness probe.
        Assert.Equal((6, 1), await redis.SubscriptionsOfAsync(name));
        foreach (var client in clients) await client.DisposeAsync();
        await Bounded.Eventually(async () => await redis.SubscriptionsOfAsync(name) == (1, 0), "every Redis subscription but the node's own is dropped after the clients leave");
    }

    [Fact]
    public async Task A_client_subscribed_to_everything_never_sees_a_nodes_liveness_probe()
    {
        await using var client = await nodeA.ConnectAsync();
        await client.SubscribeAsync(">");
        var probeSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observer = redis.Client.GetSubscriber();
        var probes = new StackExchange.Redis.RedisChannel("{pushgw}:node:*", StackExchange.Redis.RedisChannel.PatternMode.Pattern);
        await observer.SubscribeAsync(probes, (_, _) => probeSeen.TrySetResult());
        try
        {
            // Redis delivers in the order it executed the PUBLISHes: a probe it routed before the marker
            // would reach the client before the marker.
            await probeSeen.Task.Within();
            var topic = Unique("everything");
            await redis.PublishAsync(topic, """{"marker":true}""");

            var first = await client.ReceiveMessageAsync();
            Assert.Equal(topic, first.GetProperty("topic").GetString());
        }
        finally
        {
            await observer.UnsubscribeAsync(probes);
        }
    }

    [Fact]
    public async Task A_client_that_vanishes_without_a_close_frame_is_cleaned_up()
    {
        var topic = Unique("vanish");
        var metrics = nodeA.Get<GatewayMetrics>();
        var before = metrics.ConnectionsCurrent;
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(nodeA.WebSocketAddress, CancellationToken.None).Within();
        await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"subscribe","id":1,"topic":"{{topic}}"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[256];
        await socket.ReceiveAsync(buffer, CancellationToken.None).Within();
        Assert.Equal(1, await redis.NumSubAsync(topic));

        socket.Abort();
        socket.Dispose();

        await Bounded.Eventually(async () => await redis.NumSubAsync(topic) == 0, "the vanished client's subscription is released");
        await Bounded.Eventually(() => Task.FromResult(metrics.ConnectionsCurrent == before), "the connection is released");
        Assert.True(metrics.ClosedCount("peer_gone") >= 1);
    }

    [Fact]
    public async Task A_stalled_client_is_closed_as_a_slow_consumer_while_the_others_receive_everything()
    {
        await using var node = GatewayNode.Start(redis, new Dictionary<string, string?>
        {
            ["Gateway:SendQueueBytes"] = "262144",
            ["Gateway:SlowConsumerTimeout"] = "00:00:00",
            ["Gateway:CloseTimeout"] = "00:00:01",
        });
        var topic = Unique("slow");
        await using var healthy = await node.ConnectAsync();
        await healthy.SubscribeAsync(topic);
        using var stalled = new ClientWebSocket();
        await stalled.ConnectAsync(node.WebSocketAddress, CancellationToken.None).Within();
        await stalled.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"subscribe","id":1,"topic":"{{topic}}"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        // The stalled client never reads again; the healthy one paces the publisher, so only the stalled one falls behind.
        await Bounded.Eventually(async () => await redis.NumSubAsync(topic) == 1, "subscribed");
        var metrics = node.Get<GatewayMetrics>();
        var pad = new string('x', 8192);
        const int total = 3000;
        var received = 0;
        for (var batch = 0; batch < total / 50; batch++)
        {
            for (var i = 0; i < 50; i++) await redis.PublishAsync(topic, $$"""{"n":{{batch * 50 + i}},"pad":"{{pad}}"}""");
            for (var i = 0; i < 50; i++)
            {
                var message = await healthy.ReceiveMessageAsync();
                Assert.Equal(received++, message.GetProperty("data").GetProperty("n").GetInt32());
            }
        }
        Assert.Equal(total, received);
        await Bounded.Eventually(() => Task.FromResult(metrics.ClosedCount("slow_consumer") == 1), "the stalled client is closed as a slow consumer");
        Assert.Equal(1, metrics.ConnectionsCurrent);
    }
}
