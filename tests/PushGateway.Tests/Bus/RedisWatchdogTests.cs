using PushGateway.Bus;
using PushGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace PushGateway.Tests.Bus;

/// <summary>
/// The Redis bus proves its subscriptions deliver instead of trusting whatever reads them. Each test
/// breaks a real connection the way production does it by accident, then waits for the bus to notice
/// and repair it, with the node's own subscription connection ("socket", the default) and with the
/// client library's ("library"). Probes are fast here so the tests are short; nothing asserts how fast.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisWatchdogTests(RedisServer redis)
{
    [Theory]
    [InlineData("socket")]
    [InlineData("library")]
    public async Task A_bus_is_live_once_connected_and_its_control_channel_is_subscribed(string subscriber)
    {
        await using var bus = await ConnectAsync(out var listener, subscriber);
        Assert.Equal(subscriber == "socket", bus.SocketSubscriber is not null);

        await listener.WaitAsync(true);
        Assert.True(bus.IsConnected);
        Assert.Equal(1, await redis.NumSubAsync(bus.ControlChannel));
    }

    [Fact]
    public async Task Subscriptions_gone_from_Redis_and_the_client_are_noticed_and_issued_again()
    {
        await using var bus = await ConnectAsync(out var listener, "library");
        await listener.WaitAsync(true);
        var topic = "watchdog.lost." + Guid.NewGuid().ToString("N")[..8];
        await bus.SubscribeAsync(topic, CancellationToken.None);

        // The connection stays up but every subscription on it is gone, from Redis and from the client's
        // own table. (Redis forgetting while the client still believes cannot be made from outside; the
        // probe's check of the client's table covers the other half.)
        await bus.Multiplexer!.GetSubscriber().UnsubscribeAllAsync();

        await listener.WaitForRepairAsync();
        await Bounded.Eventually(async () => await redis.NumSubAsync(topic) == 1, "the topic is subscribed again");
        Assert.Equal(1, await redis.NumSubAsync(bus.ControlChannel));
        await AssertDeliversAsync(listener, topic, "repair");
    }

    [Fact]
    public async Task A_subscription_connection_that_delivers_nothing_is_replaced()
    {
        await using var bus = await ConnectAsync(out var listener, "library");
        await listener.WaitAsync(true);
        var topic = "watchdog.silent." + Guid.NewGuid().ToString("N")[..8];
        await bus.SubscribeAsync(topic, CancellationToken.None);
        var before = bus.Multiplexer;

        // Someone else listens on the control channel, so PUBLISH counts a receiver, while the node's own
        // subscription to it is gone: to the bus this is a connection Redis writes to and nothing arrives on.
        await using (await ListenOnControlChannelAsync(bus))
        {
            await bus.Multiplexer!.GetSubscriber().UnsubscribeAsync(bus.ControlChannel);

            await listener.WaitForRepairAsync();
            Assert.NotSame(before, bus.Multiplexer);
            await AssertDeliversAsync(listener, topic, "reconnect");
        }
    }

    [Fact]
    public async Task Subscriptions_Redis_forgot_on_the_own_connection_are_issued_again()
    {
        await using var bus = await ConnectAsync(out var listener, "socket");
        await listener.WaitAsync(true);
        var topic = "watchdog.forgot." + Guid.NewGuid().ToString("N")[..8];
        await bus.SubscribeAsync(topic, CancellationToken.None);
        var generation = bus.SocketSubscriber!.Generation;

        // Redis drops them while the connection stays open and the node still counts them (as after a
        // restart behind a proxy that kept the client's connection).
        bus.SocketSubscriber.ForgetOnRedisOnly();

        await listener.WaitForRepairAsync();
        await Bounded.Eventually(async () => await redis.NumSubAsync(topic) == 1, "the topic is subscribed again");
        Assert.Equal(generation, bus.SocketSubscriber.Generation);
        await AssertDeliversAsync(listener, topic, "repair");
    }

    [Fact]
    public async Task An_own_connection_that_delivers_nothing_is_replaced()
    {
        await using var bus = await ConnectAsync(out var listener, "socket");
        await listener.WaitAsync(true);
        var topic = "watchdog.silent." + Guid.NewGuid().ToString("N")[..8];
        await bus.SubscribeAsync(topic, CancellationToken.None);
        var generation = bus.SocketSubscriber!.Generation;
        await using (await ListenOnControlChannelAsync(bus))
        {
            bus.SocketSubscriber.ForgetOnRedisOnly(bus.ControlChannel);

            await listener.WaitForRepairAsync();
            Assert.True(bus.SocketSubscriber.Generation > generation, "a new connection was opened");
            await AssertDeliversAsync(listener, topic, "reconnect");
        }
    }

    [Fact]
    public async Task An_own_connection_Redis_closes_comes_back_with_every_subscription()
    {
        var name = "killed" + Guid.NewGuid().ToString("N")[..8];
        await using var bus = await ConnectAsync(out var listener, "socket", ",name=" + name);
        await listener.WaitAsync(true);
        var topic = "watchdog.killed." + Guid.NewGuid().ToString("N")[..8];
        await bus.SubscribeAsync(topic, CancellationToken.None);
        await bus.SubscribeAsync("watchdog.killed.*", CancellationToken.None);
        var generation = bus.SocketSubscriber!.Generation;

        Assert.Equal(1, await redis.KillSubscribersAsync(name));

        await listener.WaitForRepairAsync();
        Assert.True(bus.SocketSubscriber.Generation > generation, "a new connection was opened");
        Assert.Equal((2, 1), await redis.SubscriptionsOfAsync(name));
        // Redis counts the channel and the pattern as two receivers.
        Assert.Equal(2, await redis.PublishAsync(topic, """{"after":"kill"}"""));
        var keys = new HashSet<string>();
        for (var i = 0; i < 2; i++)
        {
            var (received, key, payload) = await listener.NextAsync();
            Assert.Equal(topic, received);
            Assert.Contains("kill", payload);
            keys.Add(key);
        }
        Assert.Equal(new HashSet<string> { topic, "watchdog.killed.*" }, keys);
    }

    /// <summary>Publishes one message after a repair and checks the bus delivers it.</summary>
    private async Task AssertDeliversAsync(ConnectionListener listener, string topic, string marker)
    {
        Assert.Equal(1, await redis.PublishAsync(topic, $$"""{"after":"{{marker}}"}"""));
        var (received, _, payload) = await listener.NextAsync();
        Assert.Equal(topic, received);
        Assert.Contains(marker, payload);
    }

    /// <summary>A stranger subscribed to the bus's control channel until disposed: Redis then counts a receiver whatever the node does.</summary>
    private async Task<IAsyncDisposable> ListenOnControlChannelAsync(RedisBus bus)
    {
        var stranger = redis.Client.GetSubscriber();
        await stranger.SubscribeAsync(bus.ControlChannel, (_, _) => { });
        return new Unsubscribing(() => stranger.UnsubscribeAsync(bus.ControlChannel));
    }

    private sealed class Unsubscribing(Func<Task> unsubscribe) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await unsubscribe();
    }

    private Task<RedisBus> ConnectAsync(out ConnectionListener listener, string subscriber, string connectionSuffix = "")
    {
        listener = new ConnectionListener();
        return FastProbeBus.ConnectAsync(redis.ConnectionString + connectionSuffix, subscriber, listener);
    }

    /// <summary>Records messages and, in order, every liveness change the bus reports.</summary>
    private sealed class ConnectionListener : IBusListener
    {
        private readonly System.Threading.Channels.Channel<bool> changes = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        private readonly RecordingListener messages = new();

        public void OnMessage(in BusMessage message) => messages.OnMessage(message);

        public void OnConnectionChanged(bool connected) => changes.Writer.TryWrite(connected);

        public Task<(string Topic, string Key, string Payload)> NextAsync() => messages.NextAsync();

        /// <summary>The bus reported the connection down, then live again.</summary>
        public async Task WaitForRepairAsync()
        {
            await WaitAsync(false);
            await WaitAsync(true);
        }

        /// <summary>Skips changes until the bus reports <paramref name="live"/>.</summary>
        public async Task WaitAsync(bool live)
        {
            while (await changes.Reader.ReadAsync().AsTask().Within() != live)
            {
            }
        }
    }
}
