using System.Text;
using System.Text.Json;

namespace LoadGen.Protocols;

/// <summary>pushgw.json: one command per text frame; server frames hold JSON objects separated by <c>\n</c>.</summary>
public sealed class PushGwJsonCodec : IPushGwCodec
{
    public string SubProtocol => "pushgw.json";
    public bool TextFrames => true;

    public byte[] EncodeSubscribe(long id, string topic, int? maxRate) => Encoding.UTF8.GetBytes(maxRate is { } m
        ? $"{{\"type\":\"subscribe\",\"id\":{id},\"topic\":\"{topic}\",\"maxRate\":{m}}}"
        : $"{{\"type\":\"subscribe\",\"id\":{id},\"topic\":\"{topic}\"}}");

    public void Decode(ReadOnlySpan<byte> frame, IFrameSink sink)
    {
        while (!frame.IsEmpty)
        {
            var nl = frame.IndexOf((byte)'\n');
            var line = nl < 0 ? frame : frame[..nl];
            frame = nl < 0 ? default : frame[(nl + 1)..];
            if (!line.IsEmpty) DecodeObject(line, sink);
        }
    }

    private static void DecodeObject(ReadOnlySpan<byte> line, IFrameSink sink)
    {
        var r = new Utf8JsonReader(line);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new FormatException("server frame line is not a JSON object");
        ReadOnlySpan<byte> type = default, topic = default, code = default;
        long id = -1, seq = -1, t = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8)) { r.Read(); type = r.ValueSpan; }
            else if (r.ValueTextEquals("topic"u8)) { r.Read(); topic = r.ValueSpan; }
            else if (r.ValueTextEquals("data"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); continue; }
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (r.ValueTextEquals("seq"u8)) { r.Read(); seq = r.GetInt64(); }
                    else if (r.ValueTextEquals("t"u8)) { r.Read(); t = r.TryGetInt64(out var ti) ? ti : (long)r.GetDouble(); }
                    else r.Skip();
                }
            }
            else if (r.ValueTextEquals("id"u8)) { r.Read(); if (r.TokenType == JsonTokenType.Number) id = r.GetInt64(); }
            else if (r.ValueTextEquals("code"u8)) { r.Read(); code = r.ValueSpan; }
            else r.Skip();
        }
        if (type.SequenceEqual("message"u8)) sink.OnDelivery(topic, seq, t);
        else sink.OnReply(type, id, code);
    }
}
