using Microsoft.Extensions.Logging.Abstractions;
using PushGateway.Bus;
using StackExchange.Redis;

namespace BusBench;

/// <summary>What the gateway does with a bus message: a topic string and the payload's bytes, handed off.</summary>
internal delegate void OnMessage(string channel, byte[] payload);

/// <summary>The gateway's subscription path today: StackExchange.Redis 1.2.6, configured as Bus/RedisBus.cs configures it.</summary>
internal sealed class LibrarySubscriber : IDisposable
{
    private readonly ConnectionMultiplexer multiplexer;

    public LibrarySubscriber(string redis, string channel, OnMessage onMessage)
    {
        var configuration = ConfigurationOptions.Parse(redis);
        configuration.AbortOnConnectFail = false;
        configuration.ConfigurationChannel = "";
        multiplexer = ConnectionMultiplexer.Connect(configuration);
        // As RedisBus.OnRedisMessage converts: the channel to a string, the value to a byte array.
        multiplexer.GetSubscriber().Subscribe(channel, (c, v) =>
        {
            string name = c!;
            byte[] raw = v!;
            onMessage(name, raw);
        });
    }

    public void Dispose() => multiplexer.Dispose();
}

/// <summary>
/// The gateway's Redis:Subscriber "socket" itself (Bus/SubscriptionSocket.cs): one socket read with
/// blocking receives on a thread of its own, which calls back on that thread for every message.
/// </summary>
internal sealed class ThreadSubscriber : IDisposable
{
    private readonly SubscriptionSocket socket;

    public ThreadSubscriber(string redis, string channel, OnMessage onMessage)
    {
        var colon = redis.LastIndexOf(':');
        var endpoint = new SubscriptionSocket.Endpoint(redis[..colon], int.Parse(redis[(colon + 1)..]), null, "busbench", TimeSpan.FromSeconds(5));
        socket = new SubscriptionSocket(endpoint, TimeSpan.FromMilliseconds(500), (c, _, payload) => onMessage(c, payload), _ => { }, NullLogger.Instance);
        socket.Start();
        if (!socket.SubscribeAsync(channel, isPattern: false).Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException("SUBSCRIBE was not confirmed");
    }

    public void Dispose() => socket.Dispose();
}
