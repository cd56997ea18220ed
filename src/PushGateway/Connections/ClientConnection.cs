using PushGateway.Configuration;
using PushGateway.Connections.WebSockets;
using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Security;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>
/// One client: a receive loop that carries out commands in order, and a queue that only its
/// transport drains, in coalesced frames. Which socket code carries it is the transport's business.
/// </summary>
internal sealed partial class ClientConnection : IDeliveryTarget
{
    private static long lastId;

    private readonly IClientTransport transport;
    private readonly SendQueue queue;
    private readonly ConnectionServices services;
    private readonly TopicRouter router;
    private readonly GatewayOptions options;
    private readonly GatewayMetrics metrics;
    private readonly ILogger logger;
    // Touched only by the receive loop and, after it ended, by the cleanup: no lock needed.
    private SubscriptionTable subscriptions = new();
    private CloseReason? closeReason;

    public ClientConnection(IClientTransport transport, WireFormat format, ConnectionServices services)
    {
        Id = Interlocked.Increment(ref lastId);
        this.transport = transport;
        this.services = services;
        router = services.Router;
        options = services.Options;
        metrics = services.Metrics;
        logger = services.Logger;
        queue = new SendQueue(format, options.SendQueueBytes, metrics);
    }

    public long Id { get; }

    public CloseReason? CloseReason => Volatile.Read(ref closeReason);

    /// <summary>Set at the handshake; replaced when the client refreshes its token.</summary>
    public ClientPrincipal Principal { get; set; } = ClientPrincipal.Anonymous;

    public int SubscriptionCount => subscriptions.Count;

    private WireFormat Format => queue.Format;

    /// <summary>
    /// Runs the receive loop and the transport's sender until the connection ends, then releases everything it held.
    /// The loop is inlined here rather than awaited as a method of its own: every pending await of an idle
    /// connection is an object on the heap for its whole life.
    /// </summary>
    public async Task RunAsync(string? subProtocol)
    {
        var direct = transport is SocketTransport ? 1 : 0;
        metrics.ConnectionOpened();
        metrics.DirectConnectionsChanged(direct);
        services.Registry.Add(this);
        using var session = GatewayTelemetry.StartConnection(Id, subProtocol);
        var sending = Task.CompletedTask;
        try
        {
            WatchCredentials();
            sending = transport.RunSenderAsync(queue);
            while (CloseReason is null)
            {
                var message = await transport.ReceiveAsync().ConfigureAwait(false);
                if (EndsConnection(message)) break;
                if (!AdmitMessage(message.Payload.Span)) continue;
                var expected = Format == WireFormat.Json ? InboundKind.Text : InboundKind.Binary;
                if (message.Kind != expected)
                {
                    var kind = expected == InboundKind.Text ? "text" : "binary";
                    Reply(ReplyFrame.Error(new ProtocolError(ErrorCodes.UnsupportedFrame, $"this subprotocol takes {kind} frames")));
                    continue;
                }
                await HandleFrameAsync(message.Payload).ConfigureAwait(false);
            }
        }
        finally
        {
            try
            {
                Close(CloseReason.PeerGone, flush: false);
                Guard.Dispose();
                foreach (var subscription in subscriptions.Snapshot())
                {
                    await router.UnsubscribeAsync(subscription).ConfigureAwait(false);
                    subscription.Dispose();
                }
                subscriptions.Clear();
                await sending.ConfigureAwait(false);
            }
            finally
            {
                // Whatever failed above, the node's counts and registry must not keep a connection that is gone.
                var reason = CloseReason ?? CloseReason.PeerGone;
                metrics.ConnectionClosed(reason.Reason);
                GatewayTelemetry.ConnectionEnded(session, reason.Code, reason.Reason);
                services.Registry.Remove(this);
                metrics.DirectConnectionsChanged(-direct);
            }
        }
    }

    /// <summary>For transports that keep the connection alive themselves (the node's keep-alive sweep calls this).</summary>
    public void CheckLiveness(long nowMs)
    {
        // The close frame may still reach a peer that is slow rather than gone; the close timeout ends it either way.
        if (transport.CheckLiveness(nowMs)) Close(CloseReason.KeepAliveTimeout, flush: false);
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
        var since = queue.OverflowStarted(now);
        if (services.Time.GetElapsedTime(since, now) >= options.SlowConsumerTimeout || options.SlowConsumerTimeout == TimeSpan.Zero)
        {
            Close(CloseReason.SlowConsumer, flush: false);
            return;
        }
        if (!subscription.MarkGap(message.Topic)) return;
        var notice = GapNotice.Create(message.Topic, subscription.Key, "slow_consumer", message.Seq, message.Epoch);
        if (queue.TryEnqueue(notice, null, out _, reserve: true) != EnqueueResult.Queued) Close(CloseReason.SlowConsumer, flush: false);
    }

    /// <summary>
    /// Starts the closing handshake once; the first reason wins. The transport aborts the socket if the
    /// handshake has not finished within the close timeout, because a stalled peer never answers.
    /// </summary>
    public void Close(CloseReason reason, bool flush)
    {
        if (Interlocked.CompareExchange(ref closeReason, reason, null) is not null) return;
        transport.BeginClose(reason, options.CloseTimeout);
        queue.Complete(discard: !flush);
        if (reason != CloseReason.PeerGone) LogClosing(logger, Id, reason.Code, reason.Reason);
    }

    /// <summary>Closes the connection for what the transport reported instead of a message; true when it did.</summary>
    private bool EndsConnection(in InboundMessage message)
    {
        switch (message.Kind)
        {
            case InboundKind.Closed:
                Close(CloseReason.Normal, flush: false);
                return true;
            case InboundKind.Gone:
                Close(CloseReason.PeerGone, flush: false);
                return true;
            case InboundKind.TooBig:
                Close(CloseReason.MessageTooBig, flush: true);
                return true;
            case InboundKind.ProtocolViolation:
                LogViolation(logger, Id, message.Detail);
                Close(CloseReason.ProtocolViolation, flush: false);
                return true;
            case InboundKind.InvalidUtf8:
                Close(CloseReason.InvalidPayload, flush: false);
                return true;
            default:
                return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} closing with {Code} {Reason}")]
    private static partial void LogClosing(ILogger logger, long connectionId, int code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} broke the WebSocket protocol: {Detail}")]
    private static partial void LogViolation(ILogger logger, long connectionId, string? detail);
}
