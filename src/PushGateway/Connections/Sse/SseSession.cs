using System.Diagnostics;
using System.IO.Pipelines;
using PushGateway.Configuration;
using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections.Sse;

/// <summary>
/// One Server-Sent Events stream: the subscriptions of one `GET /sse`, a bounded queue the router
/// fills without waiting, and one writer loop that drains it onto the response, one flush per batch.
/// Where a WebSocket client is sent a gap when its queue overflows, a stream is simply ended: the
/// browser reconnects with its Last-Event-ID and resumes from history, which loses nothing.
/// </summary>
internal sealed partial class SseSession : IDeliveryTarget, IAsyncDisposable
{
    private static long lastId;

    private readonly HttpContext context;
    private readonly SseRequest request;
    private readonly ConnectionServices services;
    private readonly GatewayOptions options;
    private readonly GatewayMetrics metrics;
    private readonly ILogger logger;
    private readonly SendQueue queue;
    private readonly SsePositions positions = new();
    private readonly List<(ConnectionSubscription Subscription, ClientCommand? Recovery)> subscriptions = [];
    // Cancels a write that cannot finish (a stalled peer) CloseTimeout after the stream was ended.
    private readonly CancellationTokenSource abort = new();
    private ITimer? keepalive;
    private CloseReason? endReason;

    public SseSession(HttpContext context, SseRequest request, ConnectionServices services, ILogger logger)
    {
        Id = Interlocked.Increment(ref lastId);
        this.context = context;
        this.request = request;
        this.services = services;
        this.logger = logger;
        options = services.Options;
        metrics = services.Metrics;
        queue = new SendQueue(WireFormat.Json, options.SendQueueBytes, metrics);
        abort.Token.Register(static s => ((HttpContext)s!).Abort(), context);
    }

    public long Id { get; }

    public CloseReason? EndReason => Volatile.Read(ref endReason);

    /// <summary>
    /// Subscribes every key before the response starts, so a client that sees the stream open (its
    /// headers) is subscribed. Keys that resume or snapshot hold their live messages back until
    /// <see cref="RunAsync"/> has read history. False, with nothing held, when the bus refused.
    /// </summary>
    public async Task<bool> SubscribeAsync()
    {
        var resume = request.Resume;
        foreach (var key in request.Keys)
        {
            var matching = resume.For(key);
            // The id of this stream starts where the last one ended, so reconnecting again before a
            // topic has published anything new does not lose its position.
            foreach (var (topic, position) in matching) positions.Set(topic, position.Epoch, position.Seq);
            var recover = request.Snapshot || matching.Count > 0 || resume.Truncated;
            var subscription = new ConnectionSubscription(this, key, new DeliveryOptions(request.MaxRate, null), services.Time);
            var recovery = recover
                ? new ClientCommand
                {
                    Type = CommandTypes.Subscribe,
                    Topic = key.Text,
                    Snapshot = request.Snapshot,
                    Since = key.IsPattern ? null : matching.GetValueOrDefault(key.Text),
                    Positions = key.IsPattern ? matching : null,
                    MaxRate = request.MaxRate,
                }
                : null;
            // Live messages are held back from the moment the subscription exists until history has
            // been read, so nothing falls between the two and nothing is delivered twice.
            if (recover) subscription.BeginRecovery();
            try
            {
                await services.Router.SubscribeAsync(subscription, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogSubscribeFailed(logger, Id, key.Text, ex);
                subscription.Dispose();
                await ReleaseAsync().ConfigureAwait(false);
                return false;
            }
            subscriptions.Add((subscription, recovery));
        }
        return true;
    }

    /// <summary>
    /// Streams until the client goes, the node stops (<paramref name="stopping"/>), the queue
    /// overflows or <see cref="End"/> is called; then releases every subscription.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        metrics.ConnectionOpened();
        using var onAborted = context.RequestAborted.Register(static s => ((SseSession)s!).End(CloseReason.PeerGone), this);
        using var onStopping = stopping.Register(static s => ((SseSession)s!).End(CloseReason.Draining), this);
        if (request.Resume.Unreadable) Enqueue(SseLine.Comment("the Last-Event-ID could not be read and was ignored"));
        if (options.KeepAliveInterval > TimeSpan.Zero)
        {
            keepalive = services.Time.CreateTimer(static s => ((SseSession)s!).SendKeepalive(), this, options.KeepAliveInterval, options.KeepAliveInterval);
        }
        try
        {
            var writing = WriteLoopAsync();
            await RecoverAsync().ConfigureAwait(false);
            await writing.ConfigureAwait(false);
        }
        finally
        {
            keepalive?.Dispose();
            await ReleaseAsync().ConfigureAwait(false);
            metrics.ConnectionClosed((EndReason ?? CloseReason.Normal).Reason);
        }
    }

    /// <summary>
    /// Ends the stream once; the first reason wins. What is already queued is still written (a client
    /// that is merely behind, say after a large replay, makes progress before it resumes, instead of
    /// resuming from the same place for ever); a stalled one is aborted when CloseTimeout passes. A drain
    /// also tells EventSource to come back after a jittered delay (to another node, once this one is out
    /// of the load balancer), so a node's streams do not all reconnect in the same instant.
    /// </summary>
    public void End(CloseReason reason)
    {
        if (Interlocked.CompareExchange(ref endReason, reason, null) is not null) return;
        if (reason == CloseReason.Draining)
        {
            queue.TryEnqueue(SseLine.ReconnectLater(), null, out _, reserve: true);
        }
        queue.Complete(discard: reason == CloseReason.PeerGone);
        if (reason != CloseReason.PeerGone) LogEnding(logger, Id, reason.Reason);
        try
        {
            abort.CancelAfter(options.CloseTimeout);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>A notice (a gap); never waits. A stream that cannot take even that is ended.</summary>
    public void Enqueue(OutboundFrame frame)
    {
        if (!queue.TryEnqueue(frame, out _) && EndReason is null) End(CloseReason.SlowConsumer);
    }

    /// <summary>
    /// A delivery, under the subscription's gate; never waits. Over budget a conflatable topic's
    /// newest value replaces the queued one; anything else ends the stream (see the type's summary).
    /// </summary>
    public void Enqueue(PublishedMessage message, ConnectionSubscription subscription)
    {
        if (queue.TryEnqueue(message, message.Conflatable ? subscription : null, out _) != EnqueueResult.Full) return;
        metrics.MessageDropped();
        End(CloseReason.SlowConsumer);
    }

    public void CountConflated() => metrics.MessagesConflated(1);

    public async ValueTask DisposeAsync()
    {
        End(CloseReason.PeerGone);
        await ReleaseAsync().ConfigureAwait(false);
        abort.Dispose();
    }

    /// <summary>Gives every subscription back to the router: the last one of a key on this node also drops the bus subscription.</summary>
    private async Task ReleaseAsync()
    {
        foreach (var (subscription, _) in subscriptions)
        {
            await services.Router.UnsubscribeAsync(subscription).ConfigureAwait(false);
            subscription.Dispose();
        }
        subscriptions.Clear();
    }

    /// <summary>Reads history for the keys that resume or snapshot, one key at a time, as a WebSocket subscribe does.</summary>
    private async Task RecoverAsync()
    {
        foreach (var (subscription, command) in subscriptions)
        {
            if (command is null) continue;
            if (EndReason is not null) return;
            var key = subscription.Key;
            var frames = new List<OutboundFrame>();
            IReadOnlyDictionary<string, long> recoveredUpTo = new Dictionary<string, long>();
            // The id this stream resumes from had to leave positions out: say so rather than replay
            // some topics of the key and silently not others.
            if (request.Resume.Truncated && (key.IsPattern || command.Since is null))
                frames.Add(GapNotice.Create(key.Text, key, "id_truncated"));
            try
            {
                var recovered = await SubscriptionRecovery.RunAsync(services.History, services.HistoryOptions, key, command, CancellationToken.None).ConfigureAwait(false);
                frames.AddRange(recovered.Frames);
                recoveredUpTo = recovered.RecoveredUpTo;
            }
            catch (Exception ex)
            {
                LogRecoveryFailed(logger, Id, key.Text, ex);
                frames.Add(GapNotice.Create(key.Text, key, "history_unavailable"));
            }
            subscription.EndRecovery(frames, recoveredUpTo);
        }
    }

    /// <summary>A comment proxies see as traffic and EventSource ignores; a full queue needs none, so a refusal is fine.</summary>
    private void SendKeepalive()
    {
        queue.TryEnqueue(SseLine.Keepalive, out _);
    }

    private async Task WriteLoopAsync()
    {
        var body = context.Response.BodyWriter;
        var batch = new List<OutboundFrame>();
        try
        {
            // Sends the headers now: EventSource reports the stream open, and it is already subscribed.
            await FlushAsync(body).ConfigureAwait(false);
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                queue.DequeueBatch(batch, options.MaxFrameBytes);
                var delivered = 0;
                var oldest = 0.0;
                var nowMs = services.Time.GetUtcNow().ToUnixTimeMilliseconds();
                foreach (var frame in batch)
                {
                    if (!SseWire.Write(body, frame, positions)) continue;
                    var message = (PublishedMessage)frame;
                    delivered++;
                    oldest = Math.Max(oldest, message.LatencyMs(nowMs));
                }
                await FlushAsync(body).ConfigureAwait(false);
                if (delivered > 0) metrics.FrameWritten(delivered, oldest);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away or the write was aborted: nothing more can be sent.
            End(CloseReason.PeerGone);
        }
    }

    private async Task FlushAsync(PipeWriter body)
    {
        var result = await body.FlushAsync(abort.Token).ConfigureAwait(false);
        if (result.IsCompleted || result.IsCanceled) throw new OperationCanceledException("the response was closed");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SSE stream {StreamId} ending: {Reason}")]
    private static partial void LogEnding(ILogger logger, long streamId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SSE stream {StreamId} could not subscribe to {Topic}")]
    private static partial void LogSubscribeFailed(ILogger logger, long streamId, string topic, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SSE stream {StreamId} could not read history for {Topic}")]
    private static partial void LogRecoveryFailed(ILogger logger, long streamId, string topic, Exception exception);
}
