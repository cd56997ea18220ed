using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using PushGateway.Configuration;
using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Security;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>
/// One client: a receive loop that carries out commands in order, and a send loop that is the
/// only writer to the socket, draining the connection's queue in coalesced frames.
/// </summary>
internal sealed partial class ClientConnection : IDeliveryTarget
{
    private static long lastId;

    private readonly WebSocket socket;
    private readonly SendQueue queue;
    private readonly ConnectionServices services;
    private readonly TopicRouter router;
    private readonly GatewayOptions options;
    private readonly GatewayMetrics metrics;
    private readonly ILogger logger;
    private long overflowSince;
    // Touched only by the receive loop and, after it ended, by the cleanup: no lock needed.
    private readonly Dictionary<string, ConnectionSubscription> subscriptions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource abort = new();
    private CloseReason? closeReason;

    public ClientConnection(WebSocket socket, WireFormat format, ConnectionServices services)
    {
        Id = Interlocked.Increment(ref lastId);
        this.socket = socket;
        this.services = services;
        router = services.Router;
        options = services.Options;
        metrics = services.Metrics;
        logger = services.Logger;
        queue = new SendQueue(format, options.SendQueueBytes, metrics);
        abort.Token.Register(static s => ((WebSocket)s!).Abort(), socket);
    }

    public long Id { get; }

    public CloseReason? CloseReason => Volatile.Read(ref closeReason);

    /// <summary>Set at the handshake; replaced when the client refreshes its token.</summary>
    public ClientPrincipal Principal { get; set; } = ClientPrincipal.Anonymous;

    public int SubscriptionCount => subscriptions.Count;

    private WireFormat Format => queue.Format;

    /// <summary>Runs both loops until the connection ends, then releases everything it held.</summary>
    public async Task RunAsync()
    {
        metrics.ConnectionOpened();
        WatchCredentials();
        var sending = SendLoopAsync();
        try
        {
            await ReceiveLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The peer vanished (reset, keep-alive timeout) or the socket was aborted: nothing to answer.
        }
        finally
        {
            Close(CloseReason.PeerGone, flush: false);
            Guard.Dispose();
            foreach (var subscription in subscriptions.Values)
            {
                await router.UnsubscribeAsync(subscription).ConfigureAwait(false);
                subscription.Dispose();
            }
            subscriptions.Clear();
            await sending.ConfigureAwait(false);
            abort.Dispose();
            socket.Dispose();
            metrics.ConnectionClosed(closeReason!.Reason);
        }
    }

    /// <summary>Queues a reply or notice without waiting; a connection that cannot take even that is closed as a slow consumer.</summary>
    public void Enqueue(OutboundFrame frame)
    {
        if (!queue.TryEnqueue(frame, out _) && CloseReason is null) Close(CloseReason.SlowConsumer, flush: false);
    }

    /// <summary>
    /// Queues a delivery without waiting. Over budget, a conflatable topic's newest value replaces the
    /// queued one; anything else is dropped with a gap notice, and a client that stays over budget for
    /// Gateway:SlowConsumerTimeout is closed as a slow consumer. Called under the subscription's gate.
    /// </summary>
    public void Enqueue(PublishedMessage message, ConnectionSubscription subscription)
    {
        if (queue.TryEnqueue(message, message.Conflatable ? subscription : null, out _) == EnqueueResult.Full) OnOverflow(message, subscription);
    }

    public void CountConflated() => metrics.MessagesConflated(1);

    private void OnOverflow(PublishedMessage message, ConnectionSubscription subscription)
    {
        metrics.MessageDropped();
        if (CloseReason is not null) return;
        var now = services.Time.GetTimestamp();
        var since = Interlocked.CompareExchange(ref overflowSince, now, 0);
        if (since != 0 && services.Time.GetElapsedTime(since, now) >= options.SlowConsumerTimeout || options.SlowConsumerTimeout == TimeSpan.Zero)
        {
            Close(CloseReason.SlowConsumer, flush: false);
            return;
        }
        if (!subscription.MarkGap(message.Topic)) return;
        var notice = GapNotice.Create(message.Topic, subscription.Key, "slow_consumer", message.Seq, message.Epoch);
        if (queue.TryEnqueue(notice, null, out _, reserve: true) != EnqueueResult.Queued) Close(CloseReason.SlowConsumer, flush: false);
    }

    /// <summary>
    /// Starts the closing handshake once; the first reason wins. The socket is aborted if the
    /// handshake has not finished within the close timeout, because a stalled peer never answers.
    /// </summary>
    public void Close(CloseReason reason, bool flush)
    {
        if (Interlocked.CompareExchange(ref closeReason, reason, null) is not null) return;
        queue.Complete(discard: !flush);
        if (reason != CloseReason.PeerGone) LogClosing(logger, Id, reason.Code, reason.Reason);
        try
        {
            abort.CancelAfter(options.CloseTimeout);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[]? buffer = null;
        try
        {
            var count = 0;
            while (CloseReason is null)
            {
                ValueWebSocketReceiveResult result;
                if (buffer is null)
                {
                    // An idle connection holds no receive buffer: a zero-byte read waits for the next frame, and
                    // only then is a buffer rented. Most connections of a push service are idle most of the time.
                    result = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                    buffer = ArrayPool<byte>.Shared.Rent(1024);
                }
                else
                {
                    if (count == buffer.Length) buffer = Grow(buffer, count);
                    // Never offer more than one byte past the limit: for a frame that declares a larger payload the
                    // WebSocket fills the whole slice before returning, so a bigger (pooled) buffer would let a client
                    // that declares a huge frame and trickles its bytes hold the connection without reaching the check.
                    var room = Math.Min(buffer.Length, options.MaxMessageBytes + 1) - count;
                    result = await socket.ReceiveAsync(buffer.AsMemory(count, room), CancellationToken.None).ConfigureAwait(false);
                }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(CloseReason.Normal, flush: false);
                    return;
                }
                count += result.Count;
                if (count > options.MaxMessageBytes)
                {
                    Close(CloseReason.MessageTooBig, flush: true);
                    return;
                }
                if (!result.EndOfMessage) continue;
                if (AdmitMessage(buffer.AsSpan(0, count)))
                {
                    var expected = Format == WireFormat.Json ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                    if (result.MessageType != expected)
                    {
                        var kind = expected == WebSocketMessageType.Text ? "text" : "binary";
                        Reply(ReplyFrame.Error(new ProtocolError(ErrorCodes.UnsupportedFrame, $"this subprotocol takes {kind} frames")));
                    }
                    else
                    {
                        await HandleFrameAsync(buffer.AsMemory(0, count)).ConfigureAwait(false);
                    }
                }
                count = 0;
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] Grow(byte[] buffer, int used)
    {
        // One byte past the limit is enough to tell that a message is too big.
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, options.MaxMessageBytes + 1));
        buffer.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<OutboundFrame>();
        var messageType = Format == WireFormat.Json ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        try
        {
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                var bytes = queue.DequeueBatch(batch, options.MaxFrameBytes);
                // Back under half the budget: the client is keeping up again.
                if (queue.QueuedBytes < queue.Capacity / 2) Volatile.Write(ref overflowSince, 0);
                var buffer = ArrayPool<byte>.Shared.Rent(bytes + batch.Count);
                try
                {
                    var length = WriteFrame(batch, buffer, out var delivered, out var oldest);
                    await socket.SendAsync(buffer.AsMemory(0, length), messageType, endOfMessage: true, abort.Token).ConfigureAwait(false);
                    if (delivered > 0) metrics.FrameWritten(delivered, oldest);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            var reason = CloseReason ?? CloseReason.Normal;
            if (reason != CloseReason.PeerGone && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(reason.Status, reason.Reason, abort.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket died or was aborted; the receive loop notices too and cleans up.
            Close(CloseReason.PeerGone, flush: false);
        }
    }

    /// <summary>Copies the batch into one frame; <paramref name="oldestLatencyMs"/> is the age of its oldest message, from its publish time when known.</summary>
    private int WriteFrame(List<OutboundFrame> batch, byte[] buffer, out int delivered, out double oldestLatencyMs)
    {
        delivered = 0;
        oldestLatencyMs = 0;
        var nowMs = services.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var at = 0;
        foreach (var frame in batch)
        {
            // JSON objects in one frame are separated by '\n'; MessagePack maps simply follow each other.
            if (at > 0 && Format == WireFormat.Json) buffer[at++] = (byte)'\n';
            var bytes = frame.Encode(Format).Span;
            bytes.CopyTo(buffer.AsSpan(at));
            at += bytes.Length;
            if (frame is PublishedMessage message)
            {
                delivered++;
                oldestLatencyMs = Math.Max(oldestLatencyMs, message.LatencyMs(nowMs));
            }
        }
        return at;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} closing with {Code} {Reason}")]
    private static partial void LogClosing(ILogger logger, long connectionId, int code, string reason);
}
