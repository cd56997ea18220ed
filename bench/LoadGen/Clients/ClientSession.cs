using LoadGen.WebSockets;

namespace LoadGen.Clients;

/// <summary>The application protocol one client speaks over its WebSocket (PushGateway v1 or Socket.IO).</summary>
public abstract class ClientSession(BenchClient client) : IWebSocketHandler
{
    protected BenchClient Client { get; } = client;

    public abstract string PathAndQuery(Uri url);

    public abstract string? SubProtocol { get; }

    /// <summary>Called once the handshake is done and before frames are read: send what opens the session.</summary>
    public abstract void Open(RawWebSocket socket);

    public abstract void OnMessage(RawWebSocket socket, bool text, ReadOnlySpan<byte> payload);
}
