namespace PushGateway.Connections.WebSockets;

/// <summary>What a receive produced: a whole data message, or how the client's side of the stream ended.</summary>
internal enum InboundKind
{
    Text,
    Binary,
    /// <summary>The client sent a close frame.</summary>
    Closed,
    /// <summary>The stream ended without a close frame: reset, hang-up, or aborted by the node.</summary>
    Gone,
    /// <summary>The message (or the frame that declares it) exceeds Gateway:MaxMessageBytes.</summary>
    TooBig,
    /// <summary>A frame that breaks RFC 6455: answered with 1002.</summary>
    ProtocolViolation,
    /// <summary>A text message that is not UTF-8: answered with 1007.</summary>
    InvalidUtf8,
}

/// <summary>One result of <see cref="WebSocketReader.ReceiveAsync"/>; the payload is valid until the next receive.</summary>
internal readonly record struct InboundMessage(InboundKind Kind, ReadOnlyMemory<byte> Payload = default, string? Detail = null)
{
    public bool IsData => Kind is InboundKind.Text or InboundKind.Binary;
}
