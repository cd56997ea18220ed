using StackExchange.Redis;

namespace PushGateway.Bus;

/// <summary>
/// The liveness half of the Redis bus. Each node subscribes to a control channel of its own and, every
/// probe interval, PUBLISHes a number to it through Redis. PUBLISH's reply says how many subscribers
/// Redis holds for it (0: Redis has lost this node's subscriptions) and the number coming back proves the
/// subscription connection delivers. The node is live, and ready, only on that proof; the client
/// library's "connection restored" event only asks for a probe sooner.
/// </summary>
public sealed partial class RedisBus
{
    private readonly SubscriptionHealth health = new();
    private readonly SemaphoreSlim probeSoon = new(0, 1);
    private readonly CancellationTokenSource stopping = new();
    private string controlChannel = "";
    private EchoWait? awaitedEcho;
    private long lastNonce;
    private ProbeResult? lastResult;
    private readonly TaskCompletionSource firstLive = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task watchdog = Task.CompletedTask;

    /// <summary>The control channel: braces are not allowed in topics, so no client pattern can route it.</summary>
    internal string ControlChannel => controlChannel;

    /// <summary>The current connection, for tests that break it on purpose.</summary>
    internal ConnectionMultiplexer? Multiplexer => multiplexer;

    private void StartWatchdog()
    {
        controlChannel = options.ChannelPrefix + "{pushgw}:node:" + Guid.NewGuid().ToString("N");
        watchdog = Task.Run(() => WatchAsync(stopping.Token));
    }

    /// <summary>Asks the watchdog to probe now rather than at the end of its interval.</summary>
    private void ProbeSoon()
    {
        try
        {
            if (probeSoon.CurrentCount == 0) probeSoon.Release();
        }
        catch (SemaphoreFullException)
        {
            // Someone else asked first: one probe answers both.
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var subscribed = socketSubscriber is { } own ? own.SubscribeAsync(controlChannel, isPattern: false) : SubscribeControlAsync(Subscriber);
            await subscribed.WaitAsync(options.ProbeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Redis is not there yet: the first probe reports the subscription lost and repairs it.
            LogWatchdogFailed(logger, ex);
        }
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                int generation;
                lock (health) generation = health.Generation;
                var result = await ProbeAsync(cancellationToken).ConfigureAwait(false);
                Repair repair;
                bool changed, live;
                lock (health)
                {
                    repair = health.Record(result, generation, out changed);
                    live = health.IsLive;
                }
                if (result != lastResult) LogProbe(logger, result, repair);
                lastResult = result;
                if (changed) OnLiveChanged(live);
                // Not on any first result: a first probe that timed out on a busy machine would start the node not ready.
                if (live) firstLive.TrySetResult();
                if (repair == Repair.Resubscribe) await ResubscribeAllAsync().ConfigureAwait(false);
                else if (repair == Repair.Reconnect) await ReconnectAsync().ConfigureAwait(false);
                // Until proven live, probe often: the 2 s budget for being back after Redis returns starts then.
                var wait = live ? options.ProbeInterval : TimeSpan.FromTicks(Math.Min(options.ProbeInterval.Ticks, TimeSpan.FromMilliseconds(200).Ticks));
                await probeSoon.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogWatchdogFailed(logger, ex);
                try
                {
                    await Task.Delay(options.ProbeInterval, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var current = multiplexer;
        if (current is null || !current.IsConnected || socketSubscriber is { IsConnected: false }) return ProbeResult.Unreachable;
        var nonce = Interlocked.Increment(ref lastNonce);
        var wait = new EchoWait(nonce);
        Volatile.Write(ref awaitedEcho, wait);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(options.ProbeTimeout);
        long receivers;
        try
        {
            receivers = await current.GetSubscriber().PublishAsync(controlChannel, nonce).WaitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return ProbeResult.Unreachable;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The client itself can fault while it has no connection (1.2.6 throws a NullReferenceException
            // describing the missing server). Redis is just as unreachable, and the probe must keep its
            // 200 ms pace rather than take the watchdog's one-interval pause after a failure of its own.
            LogProbeFaulted(logger, ex);
            return ProbeResult.Unreachable;
        }
        // The client records a SUBSCRIBE issued while its subscription connection was down, and completes
        // it, without ever sending it; after the reconnect it only resends what it sent. The control
        // channel would come back and vouch for a topic Redis never heard of.
        // The own connection sends every subscription it holds on each connection it opens, so it has
        // no such half; a subscription still unconfirmed there is one on its way, not one lost.
        var unsent = socketSubscriber is null && HasUnsentSubscription(current.GetSubscriber());
        if (receivers == 0 || unsent) return ProbeResult.Lost;
        try
        {
            await wait.Arrived.Task.WaitAsync(bounded.Token).ConfigureAwait(false);
            return ProbeResult.Live;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Silent;
        }
    }

    private bool HasUnsentSubscription(ISubscriber subscriber)
    {
        lock (gate)
        {
            foreach (var subscription in subscriptionsByChannel.Values)
            {
                if (subscriber.SubscribedEndpoint(subscription.Channel) is null) return true;
            }
        }
        return false;
    }

    private void OnEcho(RedisChannel channel, RedisValue value)
    {
        if (value.TryParse(out long nonce)) OnEcho(nonce);
    }

    private void OnEcho(long nonce)
    {
        // A late echo of an earlier probe proves nothing about the current one.
        if (Volatile.Read(ref awaitedEcho) is { } wait && nonce == wait.Nonce) wait.Arrived.TrySetResult();
    }

    private Task SubscribeControlAsync(ISubscriber subscriber) => subscriber.SubscribeAsync(controlChannel, OnEcho);

    /// <summary>
    /// Redis forgot this node's subscriptions while the connection stayed up (it answered LOADING to the
    /// client's own resubscribe after a restart): issue them again. UNSUBSCRIBE first, so the client
    /// library forgets them too and really sends SUBSCRIBE. Issued under the lock, so a key the router
    /// adds or drops meanwhile is neither lost nor revived.
    /// </summary>
    private async Task ResubscribeAllAsync()
    {
        if (socketSubscriber is { } own)
        {
            // The own connection's table is the truth: SUBSCRIBE everything again on the same connection.
            LogResubscribing(logger, subscriptionsByChannel.Count + 1);
            await own.ResubscribeAllAsync().WaitAsync(options.ProbeTimeout).ConfigureAwait(false);
            return;
        }
        var pending = new List<Task>();
        var subscriber = Subscriber;
        lock (gate)
        {
            pending.Add(subscriber.UnsubscribeAsync(controlChannel));
            pending.Add(SubscribeControlAsync(subscriber));
            foreach (var subscription in subscriptionsByChannel.Values)
            {
                pending.Add(subscriber.UnsubscribeAsync(subscription.Channel));
                pending.Add(subscriber.SubscribeAsync(subscription.Channel, subscription.Handler));
            }
        }
        LogResubscribing(logger, pending.Count / 2);
        // Bounded: a command the library queues for a connection that never comes back must not stop the probes.
        await Task.WhenAll(pending).WaitAsync(options.ProbeTimeout).ConfigureAwait(false);
    }

    /// <summary>
    /// The subscription connection is up but delivers nothing (a half-open TCP connection, a stuck proxy):
    /// only a new connection helps. Every subscription moves to it before the old one closes, so the
    /// overlap may deliver a message twice; the router drops sequenced duplicates.
    /// </summary>
    private async Task ReconnectAsync()
    {
        LogReconnecting(logger);
        if (socketSubscriber is { } own)
        {
            // Only the subscription connection is suspect: PUBLISH answered. The next probe checks the new one.
            own.Reconnect();
            return;
        }
        var fresh = await OpenMultiplexerAsync().ConfigureAwait(false);
        var pending = new List<Task>();
        ConnectionMultiplexer? old;
        lock (gate)
        {
            old = multiplexer;
            multiplexer = fresh;
            var subscriber = fresh.GetSubscriber();
            pending.Add(SubscribeControlAsync(subscriber));
            foreach (var subscription in subscriptionsByChannel.Values) pending.Add(subscriber.SubscribeAsync(subscription.Channel, subscription.Handler));
        }
        try
        {
            await Task.WhenAll(pending).WaitAsync(options.ProbeTimeout).ConfigureAwait(false);
        }
        finally
        {
            if (old is not null)
            {
                // Commands already sent on the old connection (a publish, a history read) may have run: let
                // them answer rather than fail a caller who would then publish twice.
                await old.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
                old.Dispose();
            }
        }
    }

    private void OnLiveChanged(bool live)
    {
        LogLiveChanged(logger, live);
        // A restarted Redis without persistence has lost the function library. Loaded only once Redis has
        // answered a probe: a FUNCTION LOAD answered with LOADING makes the client drop and reopen its
        // connection, hundreds of times while a big data set loads.
        if (live) _ = LoadFunctionsAsync();
        try
        {
            listener?.OnConnectionChanged(live);
        }
        catch (Exception ex)
        {
            LogHandlerFailed(logger, ex);
        }
    }

    private async Task StopWatchdogAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await watchdog.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is what was asked.
        }
    }

    private sealed class EchoWait(long nonce)
    {
        public long Nonce { get; } = nonce;

        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis liveness probe: {Result}; repair: {Repair}")]
    private static partial void LogProbe(ILogger logger, ProbeResult result, Repair repair);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The Redis client failed a liveness probe without a connection")]
    private static partial void LogProbeFaulted(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis lost this node's subscriptions; subscribing to {Count} channels and patterns again")]
    private static partial void LogResubscribing(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis subscription connection delivers nothing; opening a new connection")]
    private static partial void LogReconnecting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis subscriptions live: {Live}")]
    private static partial void LogLiveChanged(ILogger logger, bool live);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Redis liveness watchdog failed; retrying")]
    private static partial void LogWatchdogFailed(ILogger logger, Exception exception);
}
