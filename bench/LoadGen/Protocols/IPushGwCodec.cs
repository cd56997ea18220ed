namespace LoadGen.Protocols;

/// <summary>
/// One PushGateway subprotocol (docs/protocol.md): how commands are written and server frames read.
/// The seam that lets a new encoding be measured without touching the clients.
/// </summary>
public interface IPushGwCodec
{
    string SubProtocol { get; }

    /// <summary>Whether commands go out as text frames (json) or binary frames (msgpack).</summary>
    bool TextFrames { get; }

    byte[] EncodeSubscribe(long id, string topic, int? maxRate);

    void Decode(ReadOnlySpan<byte> frame, IFrameSink sink);
}
