using System.Net.WebSockets;

namespace PushGateway.Connections;

/// <summary>
/// Why the server closes a connection: the WebSocket close code and the reason text of docs/protocol.md.
/// 4000-4099 allow a reconnect, 4100-4199 are terminal.
/// </summary>
public sealed record CloseReason(int Code, string Reason)
{
    public static readonly CloseReason Normal = new(1000, "normal");
    public static readonly CloseReason ProtocolViolation = new(1002, "protocol_violation");
    public static readonly CloseReason InvalidPayload = new(1007, "invalid_payload");
    public static readonly CloseReason MessageTooBig = new(1009, "message_too_big");
    public static readonly CloseReason SlowConsumer = new(4000, "slow_consumer");
    public static readonly CloseReason Draining = new(4001, "draining");
    public static readonly CloseReason KeepAliveTimeout = new(4002, "keepalive_timeout");
    public static readonly CloseReason TokenExpired = new(4003, "token_expired");
    public static readonly CloseReason RateLimited = new(4004, "rate_limited");
    public static readonly CloseReason ProtocolError = new(4100, "protocol_error");
    public static readonly CloseReason Unauthorized = new(4101, "unauthorized");

    /// <summary>Not sent: the peer went away (reset, dead, or closed) — used for metrics.</summary>
    public static readonly CloseReason PeerGone = new(1006, "peer_gone");

    public WebSocketCloseStatus Status => (WebSocketCloseStatus)Code;
}
