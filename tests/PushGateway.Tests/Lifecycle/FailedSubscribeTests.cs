using PushGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace PushGateway.Tests.Lifecycle;

/// <summary>
/// A SUBSCRIBE that Redis refuses (here: an ACL without the channel) must leave nothing behind: once
/// Redis allows it, the next subscribe to the same topic works. Its own redis-server, because it
/// changes the default user's permissions.
/// </summary>
public sealed class FailedSubscribeTests : IAsyncLifetime
{
    private readonly RedisServer redis = new();
    private GatewayNode node = null!;
    private ConnectionMultiplexer admin = null!;

    public async Task InitializeAsync()
    {
        await redis.StartAsync(RedisServer.FreePort());
        admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        // Everything but channels under "denied.": the node's own control channel stays allowed.
        await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "resetchannels", "&{pushgw}:*", "&allowed.*");
        node = GatewayNode.Start(redis);
    }

    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        await admin.CloseAsync();
        admin.Dispose();
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task A_topic_whose_subscribe_Redis_refused_can_be_subscribed_once_Redis_allows_it()
    {
        await using var client = await node.ConnectAsync();
        var refused = await client.CommandAsync("subscribe", "denied.topic");
        Assert.Equal("error", refused.GetProperty("type").GetString());

        await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "allchannels");

        var accepted = await client.CommandAsync("subscribe", "denied.topic");
        Assert.Equal("ack", accepted.GetProperty("type").GetString());
        await node.PublishAsync("denied.topic", """{"n":1}""");
        var message = await client.ReceiveMessageAsync();
        Assert.Equal("denied.topic", message.GetProperty("topic").GetString());
    }
}
