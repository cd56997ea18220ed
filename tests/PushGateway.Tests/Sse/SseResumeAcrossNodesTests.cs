using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Sse;

/// <summary>A browser whose stream dropped reconnects through the load balancer to another node sharing Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class SseResumeAcrossNodesTests(RedisServer redis) : IAsyncLifetime
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
    public async Task Resuming_on_another_node_replays_exactly_the_missed_messages_of_every_topic_in_order_then_live()
    {
        var orders = Unique("orders");
        var root = Unique("smog");
        var query = $"topics={orders},{root}.krakow.*";
        string lastId;
        await using (var first = await SseClient.ConnectAsync(nodeA, query))
        {
            for (var n = 1; n <= 3; n++)
            {
                await nodeA.PublishAsync(orders, $$"""{"n":{{n}}}""");
                await nodeA.PublishAsync(root + ".krakow.a", $$"""{"n":{{100 + n}}}""");
            }
            for (var i = 0; i < 6; i++) await first.ReadMessageAsync();
            lastId = first.LastEventId!;
        }
        Assert.Equal(2, lastId.Split(',').Length);
        for (var n = 4; n <= 6; n++)
        {
            await nodeA.PublishAsync(orders, $$"""{"n":{{n}}}""");
            await nodeB.PublishAsync(root + ".krakow.a", $$"""{"n":{{100 + n}}}""");
        }

        await using var second = await SseClient.ConnectAsync(nodeB, query, lastEventId: lastId);
        await nodeA.PublishAsync(orders, """{"n":7}""");
        await nodeA.PublishAsync(root + ".krakow.a", """{"n":107}""");

        var byTopic = new Dictionary<string, List<int>>();
        for (var i = 0; i < 8; i++)
        {
            var (block, message) = await second.ReadMessageAsync();
            Assert.NotNull(block.Id);
            var topic = message.GetProperty("topic").GetString()!;
            (byTopic.TryGetValue(topic, out var list) ? list : byTopic[topic] = []).Add(SseClient.N(message));
        }
        Assert.Equal([4, 5, 6, 7], byTopic[orders]);
        Assert.Equal([104, 105, 106, 107], byTopic[root + ".krakow.a"]);

        // Nothing else is pending: a marker published last is the very next event.
        await nodeA.PublishAsync(orders, """{"n":8}""");
        Assert.Equal(8, SseClient.N((await second.ReadMessageAsync()).Message));
    }

    [Fact]
    public async Task A_second_drop_before_a_topic_moved_again_still_resumes_it()
    {
        var quiet = Unique("quiet");
        var busy = Unique("busy");
        var query = $"topics={quiet},{busy}";
        string lastId;
        await using (var first = await SseClient.ConnectAsync(nodeA, query))
        {
            await nodeA.PublishAsync(quiet, """{"n":1}""");
            await first.ReadMessageAsync();
            lastId = first.LastEventId!;
        }
        // Reconnect to B; only `busy` publishes, so the resumed stream's ids must still carry `quiet`.
        await using (var second = await SseClient.ConnectAsync(nodeB, query, lastEventId: lastId))
        {
            await nodeB.PublishAsync(busy, """{"n":10}""");
            await second.ReadMessageAsync();
            lastId = second.LastEventId!;
        }
        Assert.Contains(quiet + ":", lastId);
        await nodeA.PublishAsync(quiet, """{"n":2}""");

        await using var third = await SseClient.ConnectAsync(nodeA, query, lastEventId: lastId);
        Assert.Equal(2, SseClient.N((await third.ReadMessageAsync()).Message));
    }
}
