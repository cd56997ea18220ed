using System.Buffers;

namespace LoadGen.Protocols;

/// <summary>
/// pushgw.msgpack: commands are MessagePack maps in binary frames; a server frame is taken to hold
/// one or more MessagePack maps back to back, with the same fields as the JSON objects (the
/// binary counterpart of the <c>\n</c>-separated JSON frame). Written against the JSON contract
/// before the gateway's MessagePack section existed: check it against docs/protocol.md when it lands.
/// </summary>
public sealed class PushGwMessagePackCodec : IPushGwCodec
{
    public string SubProtocol => "pushgw.msgpack";
    public bool TextFrames => false;

    public byte[] EncodeSubscribe(long id, string topic, int? maxRate)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var w = new MessagePackWriter(buffer);
        w.MapHeader(maxRate is null ? 3 : 4);
        w.String("type"); w.String("subscribe");
        w.String("id"); w.Int(id);
        w.String("topic"); w.String(topic);
        if (maxRate is { } m) { w.String("maxRate"); w.Int(m); }
        return buffer.WrittenSpan.ToArray();
    }

    public void Decode(ReadOnlySpan<byte> frame, IFrameSink sink)
    {
        var r = new MessagePackReader(frame);
        while (!r.End)
        {
            if (!r.TryReadMapHeader(out var fields)) throw new FormatException("server frame item is not a MessagePack map");
            ReadOnlySpan<byte> type = default, topic = default, code = default;
            long id = -1, seq = -1, t = 0;
            for (var f = 0; f < fields; f++)
            {
                if (!r.TryReadStringBytes(out var key)) { r.Skip(); r.Skip(); continue; }
                if (key.SequenceEqual("type"u8) && r.TryReadStringBytes(out var v)) type = v;
                else if (key.SequenceEqual("topic"u8) && r.TryReadStringBytes(out v)) topic = v;
                else if (key.SequenceEqual("code"u8) && r.TryReadStringBytes(out v)) code = v;
                else if (key.SequenceEqual("id"u8) && r.TryReadInt64(out var n)) id = n;
                else if (key.SequenceEqual("data"u8) && r.TryReadMapHeader(out var dataFields))
                {
                    for (var d = 0; d < dataFields; d++)
                    {
                        if (!r.TryReadStringBytes(out var dk)) { r.Skip(); r.Skip(); continue; }
                        if (dk.SequenceEqual("seq"u8) && r.TryReadInt64(out n)) seq = n;
                        else if (dk.SequenceEqual("t"u8) && r.TryReadInt64(out n)) t = n;
                        else r.Skip();
                    }
                }
                else r.Skip();
            }
            if (type.SequenceEqual("message"u8)) sink.OnDelivery(topic, seq, t);
            else sink.OnReply(type, id, code);
        }
    }
}
