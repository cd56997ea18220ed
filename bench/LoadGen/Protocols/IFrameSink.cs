namespace LoadGen.Protocols;

/// <summary>Receives what a decoder finds in a server frame; called on the connection's receive loop.</summary>
public interface IFrameSink
{
    /// <summary>A published message: its topic and the seq and scheduled send time (µs, <see cref="Measurement.WallClock"/>) from its payload.</summary>
    void OnDelivery(ReadOnlySpan<byte> topic, long seq, long scheduledMicros);

    /// <summary>A reply to a command: <c>ack</c>, <c>pong</c> or <c>error</c> (with its code).</summary>
    void OnReply(ReadOnlySpan<byte> type, long id, ReadOnlySpan<byte> code);
}
