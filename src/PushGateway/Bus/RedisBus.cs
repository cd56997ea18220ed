using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using PushGateway.Configuration;
using PushGateway.Topics;
using StackExchange.Redis;

namespace PushGateway.Bus;

/// <summary>
/// Redis pub/sub as the bus between nodes: one Redis subscription per distinct channel or glob,
/// whatever the number of local subscribers. Subscriptions are read by the node's own connection
/// (<see cref="SubscriptionSocket"/>) or, with Redis:Subscriber "library", TLS or several endpoints,
/// by StackExchange.Redis, which runs handlers one at a time and swallows their exceptions: either
/// way the handler only matches and hands off, and logs its own errors. Publishing, history and
/// functions always go through StackExchange.Redis.
/// </summary>
public sealed partial class RedisBus : IMessageBus
{
    private readonly RedisOptions options;
    private readonly HistoryOptions history;
    private readonly ILogger<RedisBus> logger;
    private readonly object gate = new();
    // Concurrent: the subscription socket's reader looks channels up without the lock.
    private readonly ConcurrentDictionary<string, RedisSubscription> subscriptionsByChannel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RedisSubscription> subscriptionsByKey = new(StringComparer.Ordinal);
    private volatile ConnectionMultiplexer? multiplexer;
    private SubscriptionSocket? socketSubscriber;
    private IBusListener? listener;

    public RedisBus(IOptions<RedisOptions> options, IOptions<HistoryOptions> history, ILogger<RedisBus> logger)
    {
        this.options = options.Value;
        this.history = history.Value;
        this.logger = logger;
    }

    public string Name => "redis";

    /// <summary>Proven by the last liveness probe, not merely reported by the client library (see the watchdog).</summary>
    public bool IsConnected
    {
        get
        {
            lock (health) return health.IsLive;
        }
    }

    public void Attach(IBusListener busListener) => listener = busListener;

    /// <summary>
    /// Connects without failing when Redis is down: the client keeps retrying and the node reports not
    /// ready. When Redis is there, returns once a liveness probe has proven the subscriptions deliver
    /// (at most three probe timeouts later), so a node starts ready.
    /// </summary>
    public async Task ConnectAsync()
    {
        multiplexer = await OpenMultiplexerAsync().ConfigureAwait(false);
        if (SocketEndpoint(options) is { } endpoint)
        {
            socketSubscriber = new SubscriptionSocket(endpoint, options.ReconnectInterval, OnPush, OnSubscriptionSocketChanged, logger);
            socketSubscriber.Start();
        }
        if (!multiplexer.IsConnected) LogRedisUnavailable(logger, options.ConnectionString!);
        else await LoadFunctionsAsync().ConfigureAwait(false);
        StartWatchdog();
        if (multiplexer.IsConnected)
        {
            try
            {
                await firstLive.Task.WaitAsync(options.ProbeTimeout * 3).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Not proven live yet: the node starts not ready and the watchdog keeps probing.
            }
        }
    }

    /// <summary>The client's configuration: the operator's connection string, and what a pub/sub node needs of it.</summary>
    internal static ConfigurationOptions ClientConfiguration(RedisOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        // The client's own master-change broadcast channel is of no use to a pub/sub node and would cost a subscription.
        configuration.ConfigurationChannel = "";
        configuration.ClientName ??= "pushgw-" + Environment.MachineName;
        // Not the default exponential back-off: see RedisOptions.ReconnectInterval.
        configuration.ReconnectRetryPolicy = new LinearRetry((int)options.ReconnectInterval.TotalMilliseconds);
        return configuration;
    }

    /// <summary>
    /// Where the node's own subscription connection goes, or null for the library's subscriber: asked
    /// for, or a connection string the own connection does not cover (TLS, several endpoints).
    /// </summary>
    internal static SubscriptionSocket.Endpoint? SocketEndpoint(RedisOptions options)
    {
        if (options.Subscriber != "socket") return null;
        var configuration = ClientConfiguration(options);
        if (configuration.Ssl || configuration.EndPoints.Count != 1) return null;
        var (host, port) = configuration.EndPoints[0] switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => (null, 0),
        };
        if (host is null) return null;
        return new SubscriptionSocket.Endpoint(host, port == 0 ? 6379 : port, configuration.Password, configuration.ClientName!,
            TimeSpan.FromMilliseconds(configuration.ConnectTimeout));
    }

    /// <summary>The own subscription connection, when the node uses one; for tests that break it on purpose.</summary>
    internal SubscriptionSocket? SocketSubscriber => socketSubscriber;

    private async Task<ConnectionMultiplexer> OpenMultiplexerAsync()
    {
        var configuration = ClientConfiguration(options);
        var opened = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        // Events of a connection the watchdog has replaced are history.
        opened.ConnectionFailed += (sender, e) => { if (IsCurrent(sender, e)) OnConnectionEvent(e, connected: false); };
        opened.ConnectionRestored += (sender, e) => { if (IsCurrent(sender, e)) OnConnectionEvent(e, connected: true); };
        return opened;
    }

    /// <summary>
    /// Events of a connection the watchdog has replaced are history, and so are those of the library's
    /// own (idle) subscription connection while the node reads its subscriptions itself.
    /// </summary>
    private bool IsCurrent(object? sender, ConnectionFailedEventArgs e) =>
        ReferenceEquals(sender, multiplexer) && !(socketSubscriber is not null && e.ConnectionType == ConnectionType.Subscription);

    public Task SubscribeAsync(string key, CancellationToken cancellationToken)
    {
        var pattern = TopicPattern.Parse(key);
        var channel = pattern.IsPattern ? pattern.ToRedisGlob(options.ChannelPrefix) : options.ChannelPrefix + key;
        // The client would queue the SUBSCRIBE until Redis returns, and the node would ack a subscription that is not live.
        if (!IsConnected) throw new InvalidOperationException("Redis is not connected");
        lock (gate)
        {
            if (subscriptionsByKey.ContainsKey(key)) throw new InvalidOperationException($"'{key}' is already subscribed");
            if (!subscriptionsByChannel.TryGetValue(channel, out var subscription))
            {
                subscription = new RedisSubscription(channel, pattern.IsPattern);
                var created = subscription;
                subscription.Handler = (c, v) => OnRedisMessage(created, c, v);
                subscriptionsByChannel[channel] = subscription;
                subscription.Pending = socketSubscriber is { } own
                    ? own.SubscribeAsync(channel, pattern.IsPattern)
                    : Subscriber.SubscribeAsync(subscription.Channel, subscription.Handler);
            }
            subscription.Add(pattern);
            subscriptionsByKey.Add(key, subscription);
            return subscription.Pending;
        }
    }

    public Task UnsubscribeAsync(string key, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!subscriptionsByKey.Remove(key, out var subscription)) return Task.CompletedTask;
            if (subscription.Remove(key) > 0) return Task.CompletedTask;
            subscriptionsByChannel.TryRemove(subscription.Name, out _);
            if (socketSubscriber is not { } own) return Subscriber.UnsubscribeAsync(subscription.Channel);
            own.Unsubscribe(subscription.Name);
            return Task.CompletedTask;
        }
    }

    /// <summary>Publishes through the sequenced path (Bus/pushgw.lua): numbered, kept in history, then PUBLISHed.</summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!TopicName.IsValidTopic(topic)) throw new ArgumentException($"'{topic}' is not a valid topic", nameof(topic));
        var bytes = MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : payload.ToArray();
        await CallFunctionAsync("FCALL", "pushgw_publish", 1, topic, bytes, options.ChannelPrefix, history.MaxEntries,
            (long)history.MaxAge.TotalMilliseconds, (long)history.IdleTtl.TotalSeconds).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopWatchdogAsync().ConfigureAwait(false);
        socketSubscriber?.Dispose();
        if (multiplexer is not null) await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        multiplexer?.Dispose();
    }

    private ISubscriber Subscriber =>
        (multiplexer ?? throw new InvalidOperationException("RedisBus.ConnectAsync was not called")).GetSubscriber();

    private void OnRedisMessage(RedisSubscription subscription, RedisChannel channel, RedisValue value) => Route(subscription, channel!, value!);

    /// <summary>The subscription socket's messages, on its reader thread: the control channel's echo, or a subscription's.</summary>
    private void OnPush(string channel, string? pattern, byte[] payload)
    {
        if (pattern is null && channel == controlChannel)
        {
            if (Utf8Parser.TryParse(payload, out long nonce, out var used) && used == payload.Length) OnEcho(nonce);
            return;
        }
        if (subscriptionsByChannel.TryGetValue(pattern ?? channel, out var subscription)) Route(subscription, channel, payload);
    }

    private void Route(RedisSubscription subscription, string channelName, byte[] raw)
    {
        try
        {
            var target = listener;
            if (target is null) return;
            var prefix = options.ChannelPrefix;
            if (!channelName.StartsWith(prefix, StringComparison.Ordinal)) return;
            var topic = prefix.Length == 0 ? channelName : channelName[prefix.Length..];
            // A glob also matches channels that are no topic (another node's control channel, a stray PUBLISH).
            if (subscription.IsPattern && !TopicName.IsValidTopic(topic)) return;
            var now = Stopwatch.GetTimestamp();
            // A plain PUBLISH has no envelope: it is delivered with seq 0, outside any history.
            SequencedEnvelope.TryParse(raw, out var seq, out var epoch, out var publishedAtMs, out var payload);
            foreach (var pattern in subscription.Patterns)
            {
                if (pattern.Matches(topic))
                    target.OnMessage(new BusMessage(topic, pattern.Text, payload, now, seq, seq > 0 ? epoch : null, publishedAtMs));
            }
        }
        catch (Exception ex)
        {
            LogHandlerFailed(logger, ex);
        }
    }

    /// <summary>
    /// The client library's view of its connections. A failure makes the node not live at once; a
    /// restore only asks for a probe: after a Redis restart the library resubscribes while Redis may
    /// still answer LOADING, and those subscriptions are lost although the connection reports restored.
    /// </summary>
    private void OnConnectionEvent(ConnectionFailedEventArgs e, bool connected)
    {
        if (connected) LogRedisRestored(logger, e.ConnectionType.ToString());
        else
        {
            // The client treats every -LOADING reply as a failed connection and reconnects: hundreds of
            // times while a restarted Redis loads its data. The watchdog's "live: False" says it once.
            if (e.FailureType == ConnectionFailureType.Loading) LogRedisLoading(logger, e.ConnectionType.ToString());
            else LogRedisFailed(logger, e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception);
            bool wasLive;
            lock (health) wasLive = health.MarkDown();
            if (wasLive) OnLiveChanged(false);
        }
        ProbeSoon();
    }

    /// <summary>The own subscription connection opened or dropped: a drop makes the node not live at once; an open only asks for a probe.</summary>
    private void OnSubscriptionSocketChanged(bool connected)
    {
        if (!connected)
        {
            bool wasLive;
            lock (health) wasLive = health.MarkDown();
            if (wasLive) OnLiveChanged(false);
        }
        ProbeSoon();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Endpoint} is not reachable yet; retrying in the background")]
    private static partial void LogRedisUnavailable(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis {ConnectionType} connection failed: {FailureType}")]
    private static partial void LogRedisFailed(ILogger logger, string connectionType, string failureType, Exception? exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis {ConnectionType} connection dropped by the client: Redis is loading its data")]
    private static partial void LogRedisLoading(ILogger logger, string connectionType);

    /// <summary>Debug: "restored" proves nothing (see OnConnectionEvent); the watchdog logs when the subscriptions are live again.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis {ConnectionType} connection restored")]
    private static partial void LogRedisRestored(ILogger logger, string connectionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis message handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
