using System.Buffers;
using System.Text.Json;

namespace PushGateway.Protocol;

/// <summary>A reply to one client's command (ack, pong, error). Built as JSON; other formats transcode it.</summary>
public sealed class ReplyFrame : OutboundFrame
{
    private readonly byte[] json;
    private byte[]? messagePack;

    private ReplyFrame(byte[] json) => this.json = json;

    public static ReplyFrame Ack(byte[]? rawId) => Simple("ack"u8, rawId);

    public static ReplyFrame Pong(byte[]? rawId) => Simple("pong"u8, rawId);

    public static ReplyFrame Error(ProtocolError error) =>
        Build(w =>
        {
            w.WriteString("type"u8, "error"u8);
            WriteId(w, error.RawId);
            w.WriteString("code"u8, error.Code);
            w.WriteString("message"u8, error.Message);
        });

    /// <summary>For frames later features add (snapshot end, gap notices): the caller writes the object's fields.</summary>
    public static ReplyFrame Build(Action<Utf8JsonWriter> writeFields)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeFields(writer);
            writer.WriteEndObject();
        }
        return new ReplyFrame(buffer.WrittenSpan.ToArray());
    }

    public override ReadOnlyMemory<byte> Encode(WireFormat format) => format switch
    {
        WireFormat.Json => json,
        _ => messagePack ??= WireTranscoder.JsonToMessagePack(json),
    };

    private static ReplyFrame Simple(ReadOnlySpan<byte> type, byte[]? rawId)
    {
        var typeCopy = type.ToArray();
        return Build(w =>
        {
            w.WriteString("type"u8, typeCopy);
            WriteId(w, rawId);
        });
    }

    private static void WriteId(Utf8JsonWriter writer, byte[]? rawId)
    {
        writer.WritePropertyName("id"u8);
        if (rawId is null) writer.WriteNullValue();
        else writer.WriteRawValue(rawId, skipInputValidation: true);
    }
}
