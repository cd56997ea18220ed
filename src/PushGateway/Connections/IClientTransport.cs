using PushGateway.Connections.WebSockets;

namespace PushGateway.Connections;

/// <summary>
/// The socket side of a WebSocket <see cref="ClientConnection"/>: messages in, the send queue's frames
/// out, the closing handshake. Two implementations: <see cref="SocketTransport"/>, the gateway's own
/// framing on the raw socket (the default for plain HTTP/1.1), and <see cref="ManagedWebSocketTransport"/>,
/// ASP.NET Core's WebSocket, for everything else (TLS, HTTP/2, Gateway:DirectWebSockets off).
/// </summary>
internal interface IClientTransport : IDisposable
{
    /// <summary>The next whole client message, or how the client's side ended. The payload is valid until the next call.</summary>
    ValueTask<InboundMessage> ReceiveAsync();

    /// <summary>Writes what <paramref name="queue"/> holds until it is completed and drained, then the close frame; completes when sending has ended.</summary>
    Task RunSenderAsync(SendQueue queue);

    /// <summary>
    /// Records why the connection closes (the close frame's code and reason), before the queue is completed.
    /// The socket is aborted if the closing handshake has not finished within <paramref name="timeout"/>.
    /// </summary>
    void BeginClose(CloseReason reason, TimeSpan timeout);

    /// <summary>
    /// For transports that keep the connection alive themselves: pings when idle; true when a ping went
    /// unanswered past the keep-alive timeout, and the connection should be closed for it.
    /// </summary>
    bool CheckLiveness(long nowMs);
}
