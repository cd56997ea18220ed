using System.Text.Json;
using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Integration;

/// <summary>Snapshot, resume, gap notices and node-side gap repair, on two nodes sharing a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class DeliverySemanticsTests(RedisServer redis) : IAsyncLifetime
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

    private static int N(JsonElement message) => message.GetProperty("data").GetProperty("n").GetInt32();

    [Fact]
    public async Task A_snapshot_comes_from_redis_on_a_node_that_never_saw_the_topic_then_live_follows()
    {
        var topic = Unique("snap");
        for (var i = 1; i <= 3; i++) await nodeA.PublishAsync(topic, $$"""{"n":{{i}}}""");
        await using var client = await nodeB.ConnectAsync();
        await client.SubscribeAsync(topic, ""","snapshot":true""");
        var snapshot = await client.ReceiveMessageAsync();
        Assert.Equal(3, N(snapshot));
        Assert.Equal(3, snapshot.GetProperty("seq").GetInt64());
        Assert.False(string.IsNullOrEmpty(snapshot.GetProperty("epoch").GetString()));
        await nodeA.PublishAsync(topic, """{"n":4}""");
        Assert.Equal(4, N(await client.ReceiveMessageAsync()));
        await client.RoundTripAsync();
        Assert.True(client.NothingPending);
    }

    [Fact]
    public async Task A_pattern_snapshot_gives_the_latest_of_each_matching_topic()
    {
        var root = Unique("smog");
        await nodeA.PublishAsync(root + ".krakow.a", """{"n":1}""");
        await nodeA.PublishAsync(root + ".krakow.a", """{"n":2}""");
        await nodeA.PublishAsync(root + ".krakow.b", """{"n":7}""");
        await nodeA.PublishAsync(root + ".gdansk.c", """{"n":9}""");
        await using var client = await nodeB.ConnectAsync();
        await client.SubscribeAsync(root + ".krakow.*", ""","snapshot":true""");
        var first = await client.ReceiveMessageAsync();
        var second = await client.ReceiveMessageAsync();
        var latest = new[] { first, second }.ToDictionary(m => m.GetProperty("topic").GetString()!, N);
        Assert.Equal(new Dictionary<string, int> { [root + ".krakow.a"] = 2, [root + ".krakow.b"] = 7 }, latest);
        Assert.Equal(root + ".krakow.*", first.GetProperty("pattern").GetString());
    }

    [Fact]
    public async Task Resuming_on_the_other_node_delivers_exactly_the_missed_messages_in_order()
    {
        var topic = Unique("resume");
        long lastSeq;
        string epoch;
        await using (var client = await nodeA.ConnectAsync())
        {
            await client.SubscribeAsync(topic);
            for (var i = 1; i <= 3; i++) await nodeA.PublishAsync(topic, $$"""{"n":{{i}}}""");
            JsonElement last = default;
            for (var i = 1; i <= 3; i++) last = await client.ReceiveMessageAsync();
            lastSeq = last.GetProperty("seq").GetInt64();
            epoch = last.GetProperty("epoch").GetString()!;
        }
        for (var i = 4; i <= 8; i++) await nodeB.PublishAsync(topic, $$"""{"n":{{i}}}""");

        await using var resumed = await nodeB.ConnectAsync();
        await resumed.SubscribeAsync(topic, $$""","since":{"seq":{{lastSeq}},"epoch":"{{epoch}}"}""");
        // Published while history is being read: must come exactly once, after the replay.
        await nodeA.PublishAsync(topic, """{"n":9}""");
        var received = new List<int>();
        for (var i = 4; i <= 9; i++) received.Add(N(await resumed.ReceiveMessageAsync()));
        Assert.Equal(Enumerable.Range(4, 6), received);
        await nodeA.PublishAsync(topic, """{"n":10}""");
        Assert.Equal(10, N(await resumed.ReceiveMessageAsync()));
        await resumed.RoundTripAsync();
        Assert.True(resumed.NothingPending, "no duplicates");
    }

    [Theory]
    [InlineData("wrong-epoch", 1, "epoch_changed")]
    [InlineData(null, 999, "invalid_position")]
    public async Task An_unrecoverable_position_gets_a_gap_notice_not_a_partial_replay(string? forgedEpoch, long seq, string reason)
    {
        var topic = Unique("gap");
        await nodeA.PublishAsync(topic, """{"n":1}""");
        await nodeA.PublishAsync(topic, """{"n":2}""");
        await using var client = await nodeB.ConnectAsync();
        await client.SubscribeAsync(topic, ""","snapshot":true""");
        var epoch = forgedEpoch ?? (await client.ReceiveMessageAsync()).GetProperty("epoch").GetString();
        if (forgedEpoch is not null) await client.ReceiveMessageAsync();
        await client.UnsubscribeAsync(topic);

        await client.SubscribeAsync(topic, $$""","since":{"seq":{{seq}},"epoch":"{{epoch}}"}""");
        var gap = await client.WaitForAsync(o => o.GetProperty("type").GetString() == "gap");
        Assert.Equal(topic, gap.GetProperty("topic").GetString());
        Assert.False(gap.GetProperty("recovered").GetBoolean());
        Assert.Equal(reason, gap.GetProperty("reason").GetString());
        Assert.Equal(2, gap.GetProperty("seq").GetInt64());
        await client.RoundTripAsync();
        Assert.True(client.NothingPending, "nothing replayed after a gap");
    }

    [Fact]
    public async Task A_node_repairs_a_jump_in_the_live_stream_from_history()
    {
        var topic = Unique("repair");
        await using var client = await nodeA.ConnectAsync();
        await client.SubscribeAsync(topic);
        await nodeA.PublishAsync(topic, """{"n":1}""");
        Assert.Equal(1, N(await client.ReceiveMessageAsync()));
        // Messages 2 and 3 reach history but their PUBLISH is lost (as when the node's Redis link drops).
        var db = redis.Client.GetDatabase();
        var meta = "{pushgw}:meta:" + topic;
        foreach (var n in new[] { 2, 3 })
        {
            var seq = await db.HashIncrementAsync(meta, "seq");
            await db.ExecuteAsync("XADD", "{pushgw}:hist:" + topic, seq + "-0", "d", $$"""{"n":{{n}}}""", "t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        var repairedBefore = nodeA.Get<GatewayMetrics>().GapsRepaired;
        await nodeA.PublishAsync(topic, """{"n":4}""");
        var received = new List<int>();
        for (var i = 0; i < 3; i++) received.Add(N(await client.ReceiveMessageAsync()));
        Assert.Equal(new[] { 2, 3, 4 }, received);
        Assert.Equal(repairedBefore + 1, nodeA.Get<GatewayMetrics>().GapsRepaired);
    }

    [Fact]
    public async Task Plain_publish_is_delivered_without_a_sequence()
    {
        var topic = Unique("plain");
        await using var client = await nodeA.ConnectAsync();
        await client.SubscribeAsync(topic);
        await redis.PublishAsync(topic, """{"n":1}""");
        var message = await client.ReceiveMessageAsync();
        Assert.Equal(1, N(message));
        Assert.False(message.TryGetProperty("seq", out _));
    }
}
