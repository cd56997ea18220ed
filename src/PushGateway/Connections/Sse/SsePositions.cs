using System.Buffers;
using System.Buffers.Text;
using System.Text;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections.Sse;

/// <summary>
/// The SSE event id: where one stream stands in every topic it has delivered, as
/// `topic:epoch:seq` entries joined by ','. EventSource keeps only the last id it saw and sends it
/// back as Last-Event-ID, so each id must describe the whole stream, not just its own message.
/// Touched only by the stream's writer loop (and before it starts): no lock.
/// </summary>
internal sealed class SsePositions
{
    /// <summary>
    /// Longest id written. Past it the least recently moved topics are left out and the id ends in
    /// <see cref="TruncatedMarker"/>, so a resume can say what it cannot restore instead of losing it
    /// silently. Kept under nginx's default 8 KB buffer for one header line (Kestrel allows 32 KB in all).
    /// </summary>
    public const int MaxIdLength = 6 * 1024;

    /// <summary>A last entry meaning "some positions were left out of this id".</summary>
    public const string TruncatedMarker = "~";

    private const int MaxEpochLength = 64;

    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly int maxIdLength;
    private long clock;
    // The id's length without the marker: entry lengths plus one ',' between entries.
    private int length;

    public SsePositions(int maxIdLength = MaxIdLength) => this.maxIdLength = maxIdLength;

    public int Count => entries.Count;

    /// <summary>True once a position had to be left out; cleared only by a new stream.</summary>
    public bool Truncated { get; private set; }

    public StreamPosition? Get(string topic) => entries.TryGetValue(topic, out var entry) ? new StreamPosition(entry.Seq, entry.Epoch) : null;

    /// <summary>
    /// Records a delivered position. Within an epoch a position only moves forward: a topic reached
    /// through two subscriptions (`fx.EURUSD` and `fx.*`) must not step back when the slower copy
    /// arrives. A new epoch replaces the old one. False (nothing recorded) for an epoch that cannot be
    /// written into an id.
    /// </summary>
    public bool Advance(string topic, string epoch, long seq) => Put(topic, epoch, seq, forwardOnly: true);

    /// <summary>Records a position as it is, even behind the current one: what a gap notice reports is where the topic now stands.</summary>
    public bool Set(string topic, string epoch, long seq) => Put(topic, epoch, seq, forwardOnly: false);

    private bool Put(string topic, string epoch, long seq, bool forwardOnly)
    {
        if (!IsValidEpoch(epoch) || seq < 0) return false;
        if (entries.TryGetValue(topic, out var entry))
        {
            if (entry.Epoch == epoch && (entry.Seq == seq || forwardOnly && entry.Seq > seq)) return true;
            length -= entry.Length;
            entries.Remove(topic);
            if (entries.Count > 0) length -= 1;
        }
        var added = new Entry(epoch, seq, ++clock, topic.Length + epoch.Length + 2 + Digits(seq));
        entries[topic] = added;
        length += added.Length + (entries.Count > 1 ? 1 : 0);
        while (length + (Truncated ? TruncatedMarker.Length + 1 : 0) > maxIdLength && entries.Count > 1) EvictOldest();
        return true;
    }

    /// <summary>Forgets a topic: after a gap without a position, the client reloads it and a resume has nothing to replay.</summary>
    public bool Forget(string topic)
    {
        if (!entries.Remove(topic, out var entry)) return false;
        length -= entry.Length + (entries.Count > 0 ? 1 : 0);
        return true;
    }

    /// <summary>Writes the id's value (without "id: "); empty when no topic has a position.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        var first = true;
        foreach (var (topic, entry) in entries)
        {
            if (!first) Write(writer, ","u8);
            first = false;
            Encoding.ASCII.GetBytes(topic, writer);
            Write(writer, ":"u8);
            Encoding.ASCII.GetBytes(entry.Epoch, writer);
            Write(writer, ":"u8);
            var span = writer.GetSpan(20);
            Utf8Formatter.TryFormat(entry.Seq, span, out var written);
            writer.Advance(written);
        }
        if (Truncated) Write(writer, first ? "~"u8 : ",~"u8);
    }

    public override string ToString()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteTo(buffer);
        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Reads an id this server wrote. All or nothing: one bad entry makes the whole id unreadable
    /// (false), because a browser echoes ids verbatim and anything else was not written by us.
    /// </summary>
    public static bool TryParse(string? text, out Dictionary<string, StreamPosition> positions, out bool truncated)
    {
        positions = new Dictionary<string, StreamPosition>(StringComparer.Ordinal);
        truncated = false;
        if (string.IsNullOrEmpty(text)) return true;
        // Twice the written maximum leaves room for ids of a node with a larger limit, and no more.
        if (text.Length > 2 * MaxIdLength) return false;
        foreach (var part in text.Split(','))
        {
            if (part == TruncatedMarker)
            {
                truncated = true;
                continue;
            }
            var fields = part.Split(':');
            if (fields.Length != 3 || !TopicName.IsValidTopic(fields[0]) || !IsValidEpoch(fields[1])) return Fail(positions, out truncated);
            if (!long.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
                return Fail(positions, out truncated);
            if (!positions.TryAdd(fields[0], new StreamPosition(seq, fields[1]))) return Fail(positions, out truncated);
        }
        return true;
    }

    /// <summary>Epochs are written by the publish function as hex; anything that could break the id's or SSE's framing is refused.</summary>
    internal static bool IsValidEpoch(string epoch)
    {
        if (epoch.Length is 0 or > MaxEpochLength) return false;
        foreach (var c in epoch)
        {
            if (c is not (>= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-')) return false;
        }
        return true;
    }

    private static bool Fail(Dictionary<string, StreamPosition> positions, out bool truncated)
    {
        positions.Clear();
        truncated = false;
        return false;
    }

    private void EvictOldest()
    {
        string? oldest = null;
        var oldestTouch = long.MaxValue;
        foreach (var (topic, entry) in entries)
        {
            if (entry.Touched < oldestTouch)
            {
                oldest = topic;
                oldestTouch = entry.Touched;
            }
        }
        Forget(oldest!);
        Truncated = true;
    }

    private static int Digits(long value)
    {
        var digits = 1;
        for (; value >= 10; value /= 10) digits++;
        return digits;
    }

    private static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    private readonly record struct Entry(string Epoch, long Seq, long Touched, int Length);
}
