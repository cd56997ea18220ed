namespace PushGateway.Protocol;

/// <summary>The encoding a connection negotiated through its WebSocket subprotocol.</summary>
public enum WireFormat
{
    Json,
    MessagePack,
}

/// <summary>Subprotocol names as offered in Sec-WebSocket-Protocol.</summary>
public static class SubProtocols
{
    public const string Json = "pushgw.json";
    public const string MessagePack = "pushgw.msgpack";
}
