using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections.Sse;

/// <summary>
/// The text/event-stream encoding of what a stream's queue holds. A message is `event: message`, a
/// gap notice `event: gap`, each with `data:` the one-line JSON object the WebSocket JSON subprotocol
/// sends, and an `id:` whenever the stream's positions moved. Every JSON object is on one line, so
/// one `data:` line always holds it.
/// </summary>
internal static class SseWire
{
    /// <summary>Writes one frame; true when it was a published message (for the delivery metrics).</summary>
    public static bool Write(IBufferWriter<byte> writer, OutboundFrame frame, SsePositions positions)
    {
        switch (frame)
        {
            case PublishedMessage message:
                writer.Write("event: message\n"u8);
                // Every sequenced message carries the id, even when a second copy (exact + pattern)
                // does not move it: the rule a client can rely on is simply "sequenced means id".
                if (message.Seq > 0 && message.Epoch is not null && positions.Advance(message.Topic, message.Epoch, message.Seq))
                    WriteId(writer, positions);
                WriteData(writer, message.Encode(WireFormat.Json).Span);
                return true;
            case SseLine line:
                writer.Write(line.Encode(WireFormat.Json).Span);
                writer.Write("\n\n"u8);
                return false;
            default:
                var json = frame.Encode(WireFormat.Json).Span;
                var notice = Notice.Read(json);
                writer.Write("event: "u8);
                writer.Write(notice.Type);
                writer.Write("\n"u8);
                if (notice.Type.SequenceEqual("gap"u8) && MovePositions(notice, positions)) WriteId(writer, positions);
                WriteData(writer, json);
                return false;
        }
    }

    /// <summary>
    /// A gap means "reload this topic": its position becomes the one the gap reports (even one behind
    /// a position the client claimed, which is how a forged position is corrected), so a later resume
    /// starts from there instead of reporting the same hole again; a gap without a position forgets
    /// the topic. A gap named after a pattern (the whole subscription) moves nothing.
    /// </summary>
    private static bool MovePositions(Notice notice, SsePositions positions)
    {
        if (notice.Topic is null || !TopicName.IsValidTopic(notice.Topic)) return false;
        return notice.Epoch is not null ? positions.Set(notice.Topic, notice.Epoch, notice.Seq) : positions.Forget(notice.Topic);
    }

    private static void WriteId(IBufferWriter<byte> writer, SsePositions positions)
    {
        writer.Write("id: "u8);
        positions.WriteTo(writer);
        writer.Write("\n"u8);
    }

    private static void WriteData(IBufferWriter<byte> writer, ReadOnlySpan<byte> json)
    {
        writer.Write("data: "u8);
        writer.Write(json);
        writer.Write("\n\n"u8);
    }

    /// <summary>The fields of a notice that matter to the stream; notices are rare, so parsing them back is cheap enough.</summary>
    private readonly record struct Notice(byte[] Type, string? Topic, long Seq, string? Epoch)
    {
        private static readonly byte[] Unknown = "notice"u8.ToArray();

        public static Notice Read(ReadOnlySpan<byte> json)
        {
            byte[]? type = null;
            string? topic = null, epoch = null;
            long seq = 0;
            var reader = new Utf8JsonReader(json);
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return new Notice(Unknown, null, 0, null);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.ValueSpan;
                    if (name.SequenceEqual("type"u8) && reader.Read() && reader.TokenType == JsonTokenType.String) type = SafeType(reader.GetString()!);
                    else if (name.SequenceEqual("topic"u8) && reader.Read() && reader.TokenType == JsonTokenType.String) topic = reader.GetString();
                    else if (name.SequenceEqual("epoch"u8) && reader.Read() && reader.TokenType == JsonTokenType.String) epoch = reader.GetString();
                    else if (name.SequenceEqual("seq"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number) seq = reader.GetInt64();
                    else reader.Skip();
                }
            }
            catch (JsonException)
            {
                // Our own writer made it; an unreadable notice still goes out, under the generic name.
            }
            return new Notice(type ?? Unknown, topic, seq, epoch);
        }

        /// <summary>The event name goes on its own line: only plain names (ours are "gap", "error") pass.</summary>
        private static byte[] SafeType(string type) =>
            type.Length is > 0 and <= 32 && type.All(char.IsAsciiLetterLower) ? Encoding.ASCII.GetBytes(type) : Unknown;
    }
}

/// <summary>A line of the stream that is not an event: a comment (`: keepalive`) or a field such as `retry: 3000`.</summary>
internal sealed class SseLine : OutboundFrame
{
    public static readonly SseLine Keepalive = Comment("keepalive");

    private readonly byte[] bytes;

    private SseLine(string text) => bytes = Encoding.ASCII.GetBytes(text);

    /// <summary>Sets how long EventSource waits before it reconnects after the stream ends.</summary>
    public static SseLine Retry(TimeSpan delay) => new(string.Create(CultureInfo.InvariantCulture, $"retry: {(long)delay.TotalMilliseconds}"));

    /// <summary>A retry of 1 to 5 s, jittered so the streams a node ends at once do not all come back in the same instant.</summary>
    public static SseLine ReconnectLater() => Retry(TimeSpan.FromMilliseconds(Random.Shared.Next(1000, 5000)));

    public static SseLine Comment(string text) => new(": " + text);

    public override ReadOnlyMemory<byte> Encode(WireFormat format) => bytes;
}
