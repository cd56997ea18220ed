using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using PushGateway.Configuration;
using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>
/// One client: a receive loop that carries out commands in order, and a send loop that is the
/// only writer to the socket, draining the connection's queue in coalesced frames.
/// </summary>
internal sealed partial class ClientConnection
{
    private static long lastId;

    private readonly WebSocket socket;
    private readonly SendQueue queue;
    private readonly TopicRouter router;
    private readonly GatewayOptions options;
    private readonly GatewayMetrics metrics;
    private readonly ILogger logger;
    // Touched only by the receive loop and, after it ended, by the cleanup: no lock needed.
    private readonly Dictionary<string, ConnectionSubscription> subscriptions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource abort = new();
    private CloseReason? closeReason;

    public ClientConnection(WebSocket socket, WireFormat format, TopicRouter router, GatewayOptions options, GatewayMetrics metrics, ILogger logger)
    {
        Id = Interlocked.Increment(ref lastId);
        this.socket = socket;
        this.router = router;
        this.options = options;
        this.metrics = metrics;
        this.logger = logger;
        queue = new SendQueue(format, options.SendQueueBytes);
        abort.Token.Register(static s => ((WebSocket)s!).Abort(), socket);
    }

    public long Id { get; }

    public CloseReason? CloseReason => Volatile.Read(ref closeReason);

    public int SubscriptionCount => subscriptions.Count;

    private WireFormat Format => queue.Format;

    /// <summary>Runs both loops until the connection ends, then releases everything it held.</summary>
    public async Task RunAsync()
    {
        metrics.ConnectionOpened();
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
            foreach (var subscription in subscriptions.Values)
            {
                await router.UnsubscribeAsync(subscription).ConfigureAwait(false);
            }
            subscriptions.Clear();
            await sending.ConfigureAwait(false);
            abort.Dispose();
            socket.Dispose();
            metrics.ConnectionClosed(closeReason!.Reason);
        }
    }

    /// <summary>Queues a frame without waiting; a connection that cannot keep up is closed as a slow consumer.</summary>
    public void Enqueue(OutboundFrame frame)
    {
        if (queue.TryEnqueue(frame, out var size)) metrics.QueuedBytesChanged(size);
        else if (CloseReason is null) Close(CloseReason.SlowConsumer, flush: false);
    }

    /// <summary>
    /// Starts the closing handshake once; the first reason wins. The socket is aborted if the
    /// handshake has not finished within the close timeout, because a stalled peer never answers.
    /// </summary>
    public void Close(CloseReason reason, bool flush)
    {
        if (Interlocked.CompareExchange(ref closeReason, reason, null) is not null) return;
        metrics.QueuedBytesChanged(-queue.Complete(discard: !flush));
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
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var count = 0;
            while (CloseReason is null)
            {
                if (count == buffer.Length) buffer = Grow(buffer, count);
                var result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
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
                count = 0;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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

    private async Task HandleFrameAsync(ReadOnlyMemory<byte> frame)
    {
        if (!CommandParser.TryParse(frame.Span, out var command, out var error))
        {
            Reply(ReplyFrame.Error(error!));
            return;
        }
        var reply = command!.Type switch
        {
            CommandTypes.Subscribe => await SubscribeAsync(command).ConfigureAwait(false),
            CommandTypes.Unsubscribe => await UnsubscribeAsync(command).ConfigureAwait(false),
            CommandTypes.Ping => ReplyFrame.Pong(command.RawId),
            _ => Error(command, ErrorCodes.UnknownType, $"unknown command type '{Truncate(command.Type)}'"),
        };
        Reply(reply);
    }

    private async Task<ReplyFrame> SubscribeAsync(ClientCommand command)
    {
        if (!TryGetPattern(command, out var pattern, out var invalid)) return invalid!;
        if (subscriptions.ContainsKey(pattern!.Text))
            return Error(command, ErrorCodes.AlreadySubscribed, $"already subscribed to '{pattern.Text}'");
        if (subscriptions.Count >= options.MaxSubscriptionsPerConnection)
            return Error(command, ErrorCodes.TooManySubscriptions, $"at most {options.MaxSubscriptionsPerConnection} subscriptions per connection");
        var subscription = new ConnectionSubscription(this, pattern);
        try
        {
            await router.SubscribeAsync(subscription, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogSubscribeFailed(logger, Id, pattern.Text, ex);
            return Error(command, ErrorCodes.InternalError, "the subscription could not be made; retry later");
        }
        subscriptions.Add(pattern.Text, subscription);
        return ReplyFrame.Ack(command.RawId);
    }

    private async Task<ReplyFrame> UnsubscribeAsync(ClientCommand command)
    {
        if (!TryGetPattern(command, out var pattern, out var invalid)) return invalid!;
        if (!subscriptions.Remove(pattern!.Text, out var subscription))
            return Error(command, ErrorCodes.NotSubscribed, $"not subscribed to '{pattern.Text}'");
        await router.UnsubscribeAsync(subscription).ConfigureAwait(false);
        return ReplyFrame.Ack(command.RawId);
    }

    private static bool TryGetPattern(ClientCommand command, out TopicPattern? pattern, out ReplyFrame? error)
    {
        pattern = null;
        error = null;
        if (command.Topic is null)
        {
            error = Error(command, ErrorCodes.MissingTopic, $"'{command.Type}' needs a 'topic'");
            return false;
        }
        if (!TopicPattern.TryParse(command.Topic, out pattern, out var why))
        {
            error = Error(command, ErrorCodes.InvalidTopic, why!);
            return false;
        }
        return true;
    }

    private static ReplyFrame Error(ClientCommand command, string code, string message) =>
        ReplyFrame.Error(new ProtocolError(code, message, command.RawId));

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "...";

    private void Reply(ReplyFrame frame) => Enqueue(frame);

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
                metrics.QueuedBytesChanged(-bytes);
                var buffer = ArrayPool<byte>.Shared.Rent(bytes + batch.Count);
                try
                {
                    var length = WriteFrame(batch, buffer, out var delivered, out var oldest);
                    await socket.SendAsync(buffer.AsMemory(0, length), messageType, endOfMessage: true, abort.Token).ConfigureAwait(false);
                    if (delivered > 0) metrics.FrameWritten(delivered, Stopwatch.GetElapsedTime(oldest).TotalMilliseconds);
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

    private int WriteFrame(List<OutboundFrame> batch, byte[] buffer, out int delivered, out long oldest)
    {
        delivered = 0;
        oldest = long.MaxValue;
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
                oldest = Math.Min(oldest, message.ReceivedTimestamp);
            }
        }
        return at;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} closing with {Code} {Reason}")]
    private static partial void LogClosing(ILogger logger, long connectionId, int code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} could not subscribe to {Topic}")]
    private static partial void LogSubscribeFailed(ILogger logger, long connectionId, string topic, Exception exception);
}
