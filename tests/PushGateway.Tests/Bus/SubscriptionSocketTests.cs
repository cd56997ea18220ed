using PushGateway.Bus;
using PushGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace PushGateway.Tests.Bus;

/// <summary>The node's own subscription connection against a real redis-server: what a library would have handled for it.</summary>
[Collection(RedisCollection.Name)]
public sealed class SubscriptionSocketTests(RedisServer redis)
{
    [Fact]
    public async Task A_payload_larger_than_the_read_buffer_and_a_burst_of_pipelined_messages_arrive_whole_and_in_order()
    {
        await using var bus = await ConnectAsync(redis.ConnectionString, out var listener);
        var topic = "socket.burst." + Guid.NewGuid().ToString("N")[..8];
        await bus.SubscribeAsync(topic, CancellationToken.None);
        var large = new string('x', 200_000);
        var publisher = redis.Client.GetSubscriber();

        var sent = new List<Task<long>> { publisher.PublishAsync(topic, large) };
        for (var i = 0; i < 2_000; i++) sent.Add(publisher.PublishAsync(topic, "{\"n\":" + i + "}"));
        await Task.WhenAll(sent);

        Assert.Equal(large, (await listener.NextAsync()).Payload);
        for (var i = 0; i < 2_000; i++) Assert.Equal("{\"n\":" + i + "}", (await listener.NextAsync()).Payload);
    }

    [Fact]
    public async Task A_Redis_that_requires_a_password_is_subscribed_with_it_and_a_wrong_one_leaves_the_node_not_ready()
    {
        await using var guarded = new RedisServer();
        await guarded.StartAsync(RedisServer.FreePort(), "--requirepass s3cret");
        using var admin = await ConnectionMultiplexer.ConnectAsync(guarded.ConnectionString + ",password=s3cret");
        await using (var bus = await ConnectAsync(guarded.ConnectionString + ",password=s3cret", out var listener))
        {
            Assert.True(bus.IsConnected);
            var topic = "socket.auth." + Guid.NewGuid().ToString("N")[..8];
            await bus.SubscribeAsync(topic, CancellationToken.None);
            Assert.Equal(1, await admin.GetSubscriber().PublishAsync(topic, "{\"auth\":true}"));
            Assert.Contains("auth", (await listener.NextAsync()).Payload);
        }

        await using var refused = await ConnectAsync(guarded.ConnectionString + ",password=wrong", out _);
        Assert.False(refused.IsConnected);
        // Redis refused the AUTH, and with it every SUBSCRIBE sent behind it.
        var numsub = (RedisResult[])(await admin.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", refused.ControlChannel))!;
        Assert.Equal(0, (long)numsub[1]);
    }

    private static Task<RedisBus> ConnectAsync(string connectionString, out RecordingListener listener)
    {
        listener = new RecordingListener();
        return FastProbeBus.ConnectAsync(connectionString, "socket", listener);
    }
}
