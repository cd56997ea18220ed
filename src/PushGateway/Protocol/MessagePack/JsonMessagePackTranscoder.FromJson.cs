using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace PushGateway.Protocol.MessagePack;

public static partial class JsonMessagePackTranscoder
{
    private static readonly JsonReaderOptions JsonOptions = new() { MaxDepth = MaxJsonDepth };

    // One scratch buffer per thread: a payload is transcoded once per node, on whatever thread received it.
    [ThreadStatic] private static PooledBufferWriter? t_body;

    /// <summary>A map or array seen in the JSON: where its header goes in the body, and its entry count once known.</summary>
    private struct Container
    {
        public int Position;
        public int Count;
        public bool IsMap;
    }

    /// <summary>
    /// Transcodes one JSON document. Integers that fit a long or ulong become ints in their smallest encoding, other
    /// numbers float64 (beyond double's range: infinity), strings str, objects maps, arrays arrays.
    /// </summary>
    /// <exception cref="JsonException">
    /// The input is not one well-formed JSON value, holds invalid UTF-8 or an escaped lone surrogate,
    /// or nests deeper than <see cref="MaxJsonDepth"/>. Nothing has been written to <paramref name="output"/> then.
    /// </exception>
    public static void JsonToMessagePack(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var body = t_body ?? new PooledBufferWriter();
        t_body = null;
        var containers = ArrayPool<Container>.Shared.Rent(16);
        try
        {
            // MessagePack puts a map's or array's count before its entries, while JSON reveals it only at the end.
            // So the values are written first into scratch with no container headers, noting where each header
            // belongs; once the counts are known, one pass copies the body out with the headers in place.
            // That reads the JSON once, where counting in a pre-pass would tokenize it twice.
            var containerCount = WriteBody(utf8Json, body, ref containers);
            WriteWithHeaders(body.WrittenSpan, containers.AsSpan(0, containerCount), output);
        }
        finally
        {
            ArrayPool<Container>.Shared.Return(containers);
            body.Reset();
            t_body = body;
        }
    }

    private static int WriteBody(ReadOnlySpan<byte> utf8Json, PooledBufferWriter body, ref Container[] containers)
    {
        body.Reserve(utf8Json.Length + 16);
        var writer = new MessagePackWriter(body);
        var reader = new Utf8JsonReader(utf8Json, JsonOptions);
        Span<int> open = stackalloc int[MaxJsonDepth + 1];
        var depth = 0;
        var containerCount = 0;
        while (reader.Read())
        {
            var token = reader.TokenType;
            if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                depth--;
                continue;
            }
            if (depth > 0)
            {
                // A map counts its keys; its values are not counted again.
                ref var parent = ref containers[open[depth - 1]];
                if (!parent.IsMap || token == JsonTokenType.PropertyName) parent.Count++;
            }
            switch (token)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (containerCount == containers.Length) Grow(ref containers);
                    containers[containerCount] = new Container { Position = body.WrittenCount, IsMap = token == JsonTokenType.StartObject };
                    open[depth++] = containerCount++;
                    break;
                case JsonTokenType.PropertyName or JsonTokenType.String:
                    WriteString(ref reader, writer);
                    break;
                case JsonTokenType.Number:
                    WriteNumber(ref reader, writer);
                    break;
                case JsonTokenType.True:
                    writer.WriteBoolean(true);
                    break;
                case JsonTokenType.False:
                    writer.WriteBoolean(false);
                    break;
                case JsonTokenType.Null:
                    writer.WriteNil();
                    break;
            }
        }
        return containerCount;
    }

    private static void WriteNumber(ref Utf8JsonReader reader, MessagePackWriter writer)
    {
        if (reader.TryGetInt64(out var signed)) writer.WriteInt64(signed);
        else if (reader.TryGetUInt64(out var unsigned)) writer.WriteUInt64(unsigned);
        else writer.WriteDouble(reader.GetDouble());
    }

    private static void WriteString(ref Utf8JsonReader reader, MessagePackWriter writer)
    {
        var raw = reader.ValueSpan;
        // Utf8JsonReader checks structure, not the bytes inside strings: without this, invalid UTF-8 would reach
        // clients as a str they cannot decode.
        if (!reader.ValueIsEscaped)
        {
            if (!Utf8.IsValid(raw)) throw InvalidUtf8(ref reader);
            writer.WriteString(raw);
            return;
        }

        // Unescaping never lengthens text, so the escaped length bounds the buffer.
        byte[]? rented = null;
        var buffer = raw.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            int length;
            try
            {
                length = reader.CopyString(buffer);
            }
            catch (InvalidOperationException ex)
            {
                throw new JsonException($"a string at byte {reader.TokenStartIndex} escapes a lone surrogate, which is not valid Unicode", ex);
            }
            var utf8 = buffer[..length];
            if (!Utf8.IsValid(utf8)) throw InvalidUtf8(ref reader);
            writer.WriteString(utf8);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static JsonException InvalidUtf8(ref Utf8JsonReader reader) =>
        new($"a string at byte {reader.TokenStartIndex} holds invalid UTF-8");

    private static void WriteWithHeaders(ReadOnlySpan<byte> body, ReadOnlySpan<Container> containers, IBufferWriter<byte> output)
    {
        long total = body.Length;
        foreach (ref readonly var container in containers) total += MessagePackWriter.CollectionHeaderSize(container.Count);
        if (total > Array.MaxLength) throw new JsonException("the document is too large to transcode");

        var destination = output.GetSpan((int)total);
        var written = 0;
        var copied = 0;
        // Containers are in document order, so their positions never decrease; a container that starts where its
        // parent starts (as in [[1]]) comes after the parent, so the parent's header goes first, as it must.
        foreach (ref readonly var container in containers)
        {
            var segment = body[copied..container.Position];
            segment.CopyTo(destination[written..]);
            written += segment.Length;
            copied = container.Position;
            written += container.IsMap
                ? MessagePackWriter.EncodeMapHeader(destination[written..], container.Count)
                : MessagePackWriter.EncodeArrayHeader(destination[written..], container.Count);
        }
        body[copied..].CopyTo(destination[written..]);
        written += body.Length - copied;
        output.Advance(written);
    }

    private static void Grow(ref Container[] containers)
    {
        var larger = ArrayPool<Container>.Shared.Rent(containers.Length * 2);
        containers.AsSpan().CopyTo(larger);
        ArrayPool<Container>.Shared.Return(containers);
        containers = larger;
    }
}
