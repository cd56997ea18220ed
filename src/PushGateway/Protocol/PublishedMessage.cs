using System.Buffers;
using System.Text;
using System.Text.Json;

namespace PushGateway.Protocol;

/// <summary>
/// A message from the bus, serialized once per node (per subscription key) and shared by every
/// recipient's queue: fan-out copies references, never bytes.
/// </summary>
public sealed class PublishedMessage : OutboundFrame
{
    private static readonly byte[] TypeAndTopic = "{\"type\":\"message\",\"topic\":\""u8.ToArray();
    private static readonly byte[] PatternField = "\",\"pattern\":\""u8.ToArray();
    private static readonly byte[] DataField = "\",\"data\":"u8.ToArray();
    private static readonly byte[] SeqField = "\",\"seq\":"u8.ToArray();
    private static readonly byte[] EpochField = ",\"epoch\":\""u8.ToArray();
    private static readonly byte[] DataAfterEpoch = "\",\"data\":"u8.ToArray();

    private readonly byte[] json;
    private byte[]? messagePack;

    private PublishedMessage(string topic, byte[] json, long receivedTimestamp, long seq, string? epoch, long publishedAtMs, int dataOffset)
    {
        Topic = topic;
        this.json = json;
        ReceivedTimestamp = receivedTimestamp;
        Seq = seq;
        Epoch = epoch;
        PublishedAtMs = publishedAtMs;
        this.dataOffset = dataOffset;
    }

    private readonly int dataOffset;

    public string Topic { get; }

    /// <summary>Position in the topic's history; 0 for a plain PUBLISH, which has none.</summary>
    public long Seq { get; }

    public string? Epoch { get; }

    /// <summary>Set by the router from Gateway:ConflatablePatterns: a slow client gets the newest value instead of every value.</summary>
    public bool Conflatable { get; set; }

    /// <summary>Unix milliseconds at the publish function (Redis' clock), 0 when unknown.</summary>
    public long PublishedAtMs { get; }

    /// <summary>Age at <paramref name="nowMs"/>: from the publish time when the message carries one (end to end), else from its arrival at this node.</summary>
    public double LatencyMs(long nowMs) =>
        PublishedAtMs > 0 ? nowMs - PublishedAtMs : System.Diagnostics.Stopwatch.GetElapsedTime(ReceivedTimestamp).TotalMilliseconds;

    /// <summary>The payload as embedded in the frame (valid JSON), for filters such as the deadband.</summary>
    public ReadOnlySpan<byte> Data => json.AsSpan(dataOffset, json.Length - dataOffset - 1);

    /// <summary>Stopwatch timestamp of arrival from the bus, for the delivery latency histogram.</summary>
    public long ReceivedTimestamp { get; }

    public static PublishedMessage Create(string topic, string? pattern, ReadOnlySpan<byte> payload, long receivedTimestamp,
        long seq = 0, string? epoch = null, long publishedAtMs = 0)
    {
        // Topic, pattern and epoch characters are validated ([A-Za-z0-9_.*>-]), so they need no JSON escaping.
        var data = JsonPayload.Normalize(payload);
        Span<byte> seqText = stackalloc byte[20];
        var sequenced = seq > 0 && epoch is not null;
        var seqLength = 0;
        if (sequenced) System.Buffers.Text.Utf8Formatter.TryFormat(seq, seqText, out seqLength);
        var length = TypeAndTopic.Length + topic.Length + (pattern is null ? 0 : PatternField.Length + pattern.Length)
            + (sequenced ? SeqField.Length + seqLength + EpochField.Length + epoch!.Length + DataAfterEpoch.Length : DataField.Length)
            + data.Length + 1;
        var json = new byte[length];
        var span = json.AsSpan();
        TypeAndTopic.CopyTo(span);
        var at = TypeAndTopic.Length;
        at += Encoding.ASCII.GetBytes(topic, span[at..]);
        if (pattern is not null)
        {
            PatternField.CopyTo(span[at..]);
            at += PatternField.Length;
            at += Encoding.ASCII.GetBytes(pattern, span[at..]);
        }
        if (sequenced)
        {
            SeqField.CopyTo(span[at..]);
            at += SeqField.Length;
            seqText[..seqLength].CopyTo(span[at..]);
            at += seqLength;
            EpochField.CopyTo(span[at..]);
            at += EpochField.Length;
            at += Encoding.ASCII.GetBytes(epoch!, span[at..]);
            DataAfterEpoch.CopyTo(span[at..]);
            at += DataAfterEpoch.Length;
        }
        else
        {
            DataField.CopyTo(span[at..]);
            at += DataField.Length;
        }
        var dataOffset = at;
        data.CopyTo(span[at..]);
        at += data.Length;
        span[at] = (byte)'}';
        return new PublishedMessage(topic, json, receivedTimestamp, sequenced ? seq : 0, sequenced ? epoch : null, publishedAtMs, dataOffset);
    }

    public override ReadOnlyMemory<byte> Encode(WireFormat format) => format switch
    {
        WireFormat.Json => json,
        // Transcoded at most once per node: racing threads may both encode, and either result is right.
        _ => messagePack ??= EncodeMessagePack(),
    };

    private byte[] EncodeMessagePack()
    {
        try
        {
            return WireTranscoder.JsonToMessagePack(json);
        }
        catch (JsonException)
        {
            // JSON text that MessagePack strings cannot hold (an escaped lone surrogate) goes as a string, like any other non-JSON payload.
            var asString = JsonPayload.AsJsonString(Data);
            var rebuilt = new byte[dataOffset + asString.Length + 1];
            json.AsSpan(0, dataOffset).CopyTo(rebuilt);
            asString.CopyTo(rebuilt, dataOffset);
            rebuilt[^1] = (byte)'}';
            return WireTranscoder.JsonToMessagePack(rebuilt);
        }
    }
}

/// <summary>Makes a published payload safe to embed as the <c>data</c> of a one-line JSON object.</summary>
internal static class JsonPayload
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public static ReadOnlySpan<byte> Normalize(ReadOnlySpan<byte> payload)
    {
        if (!IsValidJson(payload)) return AsJsonString(payload);
        // A server frame separates objects with '\n', so a pretty-printed payload is re-encoded on one line.
        return payload.IndexOfAny((byte)'\n', (byte)'\r') < 0 ? payload : Compact(payload);
    }

    private static bool IsValidJson(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || !System.Text.Unicode.Utf8.IsValid(payload)) return false;
        try
        {
            var reader = new Utf8JsonReader(payload, ReaderOptions);
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static byte[] AsJsonString(ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            // Invalid UTF-8 becomes U+FFFD rather than failing the message.
            writer.WriteStringValue(Encoding.UTF8.GetString(payload));
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Compact(ReadOnlySpan<byte> payload)
    {
        using var document = JsonDocument.Parse(payload.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        var buffer = new ArrayBufferWriter<byte>(payload.Length);
        using (var writer = new Utf8JsonWriter(buffer)) document.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
