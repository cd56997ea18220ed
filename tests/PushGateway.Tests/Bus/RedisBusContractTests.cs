using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PushGateway.Bus;
using PushGateway.Configuration;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Bus;

/// <summary>The contract against a real redis-server, the publisher and the subscriber being two separate nodes' buses.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisBusContractTests(RedisServer redis) : BusContractTests
{
    protected override async Task<(IMessageBus Publisher, IMessageBus Subscriber)> CreatePairAsync()
    {
        var options = Options.Create(new RedisOptions { ConnectionString = redis.ConnectionString, ChannelPrefix = "contract:" });
        var publisher = new RedisBus(options, Options.Create(new HistoryOptions()), NullLogger<RedisBus>.Instance);
        var subscriber = new RedisBus(options, Options.Create(new HistoryOptions()), NullLogger<RedisBus>.Instance);
        await publisher.ConnectAsync();
        await subscriber.ConnectAsync();
        return (publisher, subscriber);
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisBusSubscriptionTests(RedisServer redis)
{
    [Fact]
    public async Task Holds_one_redis_subscription_per_channel_and_glob()
    {
        var name = "numsub" + Guid.NewGuid().ToString("N")[..6];
        await using var bus = new RedisBus(Options.Create(new RedisOptions { ConnectionString = redis.ConnectionString + ",name=" + name, ChannelPrefix = name + ":" }), Options.Create(new HistoryOptions()),
            NullLogger<RedisBus>.Instance);
        await bus.ConnectAsync();
        bus.Attach(new RecordingListener());

        await bus.SubscribeAsync("fx.EURUSD", CancellationToken.None);
        await bus.SubscribeAsync("fx.*", CancellationToken.None);
        await bus.SubscribeAsync("fx.>", CancellationToken.None);
        await bus.SubscribeAsync("smog.*.a", CancellationToken.None);
        Assert.Equal(1, await redis.NumSubAsync(name + ":fx.EURUSD"));
        // One channel more than the keys need: the node's own control channel, which its liveness probe uses.
        Assert.Equal(1, await redis.NumSubAsync(bus.ControlChannel));
        Assert.StartsWith(name + ":", bus.ControlChannel);
        Assert.Equal((2, 2), await redis.SubscriptionsOfAsync(name));

        await bus.UnsubscribeAsync("fx.*", CancellationToken.None);
        Assert.Equal((2, 2), await redis.SubscriptionsOfAsync(name));
        await bus.UnsubscribeAsync("fx.>", CancellationToken.None);
        await bus.UnsubscribeAsync("smog.*.a", CancellationToken.None);
        await bus.UnsubscribeAsync("fx.EURUSD", CancellationToken.None);
        Assert.Equal((1, 0), await redis.SubscriptionsOfAsync(name));
        Assert.Equal(0, await redis.NumSubAsync(name + ":fx.EURUSD"));
    }
}
