using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace PushGateway.Protocol.MessagePack;

public static partial class JsonMessagePackTranscoder
{
    /// <summary>What <see cref="JsonWriterOptions.MaxDepth"/> = 0 stands for.</summary>
    private const int JsonWriterDefaultMaxDepth = 1000;

    [ThreadStatic] private static Utf8JsonWriter? t_jsonWriter;

    /// <summary>
    /// Transcodes one whole MessagePack document to compact JSON: trailing bytes are an error.
    /// On an exception <paramref name="utf8JsonOutput"/> may hold part of the document, to be discarded.
    /// </summary>
    /// <exception cref="MessagePackFormatException">The input is malformed, truncated, too deep, or followed by more bytes.</exception>
    public static void MessagePackToJson(ReadOnlySpan<byte> msgpack, IBufferWriter<byte> utf8JsonOutput)
    {
        ArgumentNullException.ThrowIfNull(utf8JsonOutput);
        var reader = new MessagePackReader(msgpack);
        var writer = t_jsonWriter ?? new Utf8JsonWriter(utf8JsonOutput);
        t_jsonWriter = null;
        try
        {
            writer.Reset(utf8JsonOutput);
            MessagePackToJson(ref reader, writer);
            if (!reader.End) throw new MessagePackFormatException("bytes follow the end of the value", reader.Position);
            writer.Flush();
        }
        finally
        {
            // Parked on a sentinel so the cached writer does not keep the caller's buffer alive. (Reset(Stream.Null)
            // would do too, but allocates a buffer each time.)
            writer.Reset(DetachedOutput.Instance);
            t_jsonWriter = writer;
        }
    }

    /// <summary>
    /// Transcodes the next value of <paramref name="reader"/> and advances past it. bin becomes a base64 string;
    /// ext becomes <c>{"$ext":type,"data":base64}</c>; a float that is NaN or infinite becomes null (JSON has no
    /// such numbers); a map key that is not a str becomes its JSON text (the key 1 becomes "1", bin its base64).
    /// Nesting is bounded by the reader's <see cref="MessagePackReader.MaxDepth"/> and by what the writer has room for.
    /// </summary>
    /// <exception cref="MessagePackFormatException">The input is malformed, truncated, too deep, or a str is not valid UTF-8.</exception>
    public static void MessagePackToJson(ref MessagePackReader reader, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var writerMaxDepth = writer.Options.MaxDepth == 0 ? JsonWriterDefaultMaxDepth : writer.Options.MaxDepth;
        // Checked here so a deep document fails as bad input, not as the writer's InvalidOperationException.
        var maxDepth = Math.Min(reader.MaxDepth, writerMaxDepth - writer.CurrentDepth);
        WriteValue(ref reader, writer, 0, maxDepth);
    }

    private static void WriteValue(ref MessagePackReader reader, Utf8JsonWriter writer, int depth, int maxDepth)
    {
        var start = reader.Position;
        switch (reader.NextType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (reader.TryReadInt64(out var signed)) writer.WriteNumberValue(signed);
                else writer.WriteNumberValue(reader.ReadUInt64());
                break;
            case MessagePackType.Float:
                // A float32 is written widened to double, its exact value, as JavaScript decoders give it:
                // writing it as a float would print 0.1f as 0.1, a different double.
                var number = reader.ReadDouble();
                if (double.IsFinite(number)) writer.WriteNumberValue(number);
                else writer.WriteNullValue();
                break;
            case MessagePackType.String:
                writer.WriteStringValue(ReadValidString(ref reader));
                break;
            case MessagePackType.Binary:
                writer.WriteBase64StringValue(ReadBase64Source(ref reader, MaxJsonBase64SourceBytes));
                break;
            case MessagePackType.Array:
                if (depth >= maxDepth) throw DepthExceeded(start, maxDepth);
                var count = reader.ReadArrayHeader();
                writer.WriteStartArray();
                for (var i = 0; i < count; i++) WriteValue(ref reader, writer, depth + 1, maxDepth);
                writer.WriteEndArray();
                break;
            case MessagePackType.Map:
                if (depth >= maxDepth) throw DepthExceeded(start, maxDepth);
                var pairs = reader.ReadMapHeader();
                writer.WriteStartObject();
                for (var i = 0; i < pairs; i++)
                {
                    WritePropertyName(ref reader, writer, depth + 1, maxDepth);
                    WriteValue(ref reader, writer, depth + 1, maxDepth);
                }
                writer.WriteEndObject();
                break;
            default:
                // The object the extension becomes is one more level of JSON.
                if (depth >= maxDepth) throw DepthExceeded(start, maxDepth);
                var data = reader.ReadExtension(out var header);
                if (data.Length > MaxJsonBase64SourceBytes) throw TooLong(start);
                writer.WriteStartObject();
                writer.WriteNumber("$ext"u8, header.TypeCode);
                writer.WriteBase64String("data"u8, data);
                writer.WriteEndObject();
                break;
        }
    }

    private static void WritePropertyName(ref MessagePackReader reader, Utf8JsonWriter writer, int depth, int maxDepth)
    {
        Span<byte> text = stackalloc byte[32];
        int length;
        switch (reader.NextType)
        {
            case MessagePackType.String:
                writer.WritePropertyName(ReadValidString(ref reader));
                return;
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WritePropertyName("null"u8);
                return;
            case MessagePackType.Boolean:
                writer.WritePropertyName(reader.ReadBoolean() ? "true"u8 : "false"u8);
                return;
            // 32 bytes hold any long, ulong or round-trip double ("-1.7976931348623157E+308" is 24), so formatting cannot fail.
            case MessagePackType.Integer:
                _ = reader.TryReadInt64(out var signed)
                    ? signed.TryFormat(text, out length, default, CultureInfo.InvariantCulture)
                    : reader.ReadUInt64().TryFormat(text, out length, default, CultureInfo.InvariantCulture);
                writer.WritePropertyName(text[..length]);
                return;
            case MessagePackType.Float:
                var number = reader.ReadDouble();
                if (!double.IsFinite(number))
                {
                    writer.WritePropertyName("null"u8);
                    return;
                }
                number.TryFormat(text, out length, default, CultureInfo.InvariantCulture);
                writer.WritePropertyName(text[..length]);
                return;
            case MessagePackType.Binary:
                // As a name, base64 meets the tighter limit on names: 4 characters for every 3 bytes.
                WriteBase64PropertyName(ReadBase64Source(ref reader, MaxJsonStringBytes / 4 * 3), writer);
                return;
            default:
                WriteCompositePropertyName(ref reader, writer, depth, maxDepth);
                return;
        }
    }

    private static void WriteBase64PropertyName(ReadOnlySpan<byte> bytes, Utf8JsonWriter writer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
        try
        {
            Base64.EncodeToUtf8(bytes, rented, out _, out var written);
            writer.WritePropertyName(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A map, array or ext used as a key: its compact JSON text becomes the property name.</summary>
    private static void WriteCompositePropertyName(ref MessagePackReader reader, Utf8JsonWriter writer, int depth, int maxDepth)
    {
        // No JSON client can send such a key, so this path allocates rather than share the thread's cached
        // buffers, which a key nested inside this key would need at the same time.
        var start = reader.Position;
        var buffer = new ArrayBufferWriter<byte>();
        using (var keyWriter = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = writer.Options.Encoder, MaxDepth = writer.Options.MaxDepth }))
        {
            WriteValue(ref reader, keyWriter, depth, maxDepth);
        }
        if (buffer.WrittenCount > MaxJsonStringBytes) throw TooLong(start);
        writer.WritePropertyName(buffer.WrittenSpan);
    }

    private static ReadOnlySpan<byte> ReadValidString(ref MessagePackReader reader)
    {
        var start = reader.Position;
        var utf8 = reader.ReadStringSpan();
        if (!Utf8.IsValid(utf8)) throw new MessagePackFormatException("a str holds invalid UTF-8", start);
        if (utf8.Length > MaxJsonStringBytes) throw TooLong(start);
        return utf8;
    }

    private static ReadOnlySpan<byte> ReadBase64Source(ref MessagePackReader reader, int maxBytes)
    {
        var start = reader.Position;
        var bytes = reader.ReadBinary();
        if (bytes.Length > maxBytes) throw TooLong(start);
        return bytes;
    }

    /// <summary>Where the cached writer rests between uses; it is reset to a real output before it writes anything.</summary>
    private sealed class DetachedOutput : IBufferWriter<byte>
    {
        public static readonly DetachedOutput Instance = new();

        public void Advance(int count) => throw new InvalidOperationException("the cached JSON writer is not attached to an output");

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("the cached JSON writer is not attached to an output");

        public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("the cached JSON writer is not attached to an output");
    }

    private static MessagePackFormatException DepthExceeded(int offset, int maxDepth) =>
        new($"values are nested more than {maxDepth} deep", offset);

    private static MessagePackFormatException TooLong(int offset) =>
        new("a value is too long to be written as JSON", offset);
}
