using System.Buffers;
using System.Diagnostics;
using PushGateway.Protocol.MessagePack;
using static PushGateway.Tests.Protocol.MessagePack.JsonMessagePackTranscoderTests;
using static PushGateway.Tests.Protocol.MessagePack.MessagePackWriterTests;

namespace PushGateway.Tests.Protocol.MessagePack;

/// <summary>
/// What a client can send on purpose: every failure must be a <see cref="MessagePackFormatException"/>,
/// found before anything is allocated for the lengths the input claims.
/// </summary>
public class HostileInputTests
{
    private delegate void ReaderAction(ref MessagePackReader reader);

    /// <summary>The exception and its message cost a few KB; a trusted 4 GiB length would cost a million times that.</summary>
    private const long AllocationBudget = 64 * 1024;

    /// <summary>Small documents that between them use every format, minimal encodings and wider ones alike.</summary>
    private static List<byte[]> ValidDocuments() =>
    [
        Write(w =>
        {
            w.WriteMapHeader(6);
            w.WriteString("ints");
            w.WriteArrayHeader(17);
            foreach (var value in new long[] { 0, 127, -1, -32, -33, 128, 255, 256, 65535, 65536, -129, -32769, uint.MaxValue, uint.MaxValue + 1L, long.MinValue, long.MaxValue, int.MinValue })
                w.WriteInt64(value);
            w.WriteString("floats");
            w.WriteArrayHeader(3);
            w.WriteDouble(1.5);
            w.WriteSingle(2.5f);
            w.WriteDouble(double.NaN);
            w.WriteString("texts");
            w.WriteArrayHeader(4);
            w.WriteString("");
            w.WriteString(new string('a', 31));
            w.WriteString(new string('b', 32));
            w.WriteString(new string('c', 40));
            w.WriteString("bins");
            w.WriteArrayHeader(2);
            w.WriteBinary([1, 2, 3]);
            w.WriteBinary(new byte[40]);
            w.WriteString("exts");
            w.WriteArrayHeader(4);
            w.WriteExtension(1, [1]);
            w.WriteExtension(-1, new byte[8]);
            w.WriteExtension(2, [1, 2, 3]);
            w.WriteExtension(3, new byte[20]);
            w.WriteInt64(7);
            w.WriteMapHeader(16);
            for (var i = 0; i < 16; i++)
            {
                w.WriteInt64(i);
                w.WriteArrayHeader(i % 3);
                for (var j = 0; j < i % 3; j++) w.WriteBoolean(j == 0);
            }
        }),
        // Formats wider than needed, which a minimal writer never produces but other encoders may.
        Convert.FromHexString("9ada0003616263db00000003616263c50001ffc60000000101dc0001c0dd00000001c0de0001a0c0df00000001a0c0c8000105ffc9000000010500"),
        Convert.FromHexString("9191919181a0c0"),
        Convert.FromHexString("c0"),
    ];

    [Fact]
    public void Every_truncation_of_a_valid_document_fails_cleanly()
    {
        foreach (var document in ValidDocuments())
        {
            var reader = new MessagePackReader(document);
            reader.Skip();
            Assert.True(reader.End);
            _ = ToJson(document);
            TryEveryReadAt(document, AllOffsets(document));

            // Where values start is where a reader meets the cut; trying every offset of every prefix would be quadratic.
            var starts = new List<int>();
            reader = new MessagePackReader(document);
            CollectValueStarts(ref reader, starts);
            for (var length = 0; length < document.Length; length++)
            {
                var prefix = document[..length];
                AssertFormatError(prefix, static (ref r) => r.Skip());
                AssertFormatError(prefix, ReadByType);
                Assert.Throws<MessagePackFormatException>(() => ToJson(prefix));
                TryEveryReadAt(prefix, starts.FindAll(start => start <= length));
            }
        }
    }

    private static void CollectValueStarts(ref MessagePackReader reader, List<int> starts)
    {
        starts.Add(reader.Position);
        if (reader.TryReadArrayHeader(out var count))
        {
            for (var i = 0; i < count; i++) CollectValueStarts(ref reader, starts);
        }
        else if (reader.TryReadMapHeader(out count))
        {
            for (var i = 0; i < 2 * count; i++) CollectValueStarts(ref reader, starts);
        }
        else
        {
            reader.Skip();
        }
    }

    public static TheoryData<string> HugeDeclaredLengths =>
    [
        "dbffffffff", "dbffffffff61", "d9ff", "daffff6162", "c4ff00", "c5ffff", "c6ffffffff00",
        "dcffff", "ddffffffff", "ddffffffffc0c0", "deffff", "dfffffffff", "dfffffffffc0c0", "df80000000c0",
        "dd7fffffff", "c7ff01", "c8ffff01", "c9ffffffff01", "c9ffffffff0100", "91dbffffffff", "81a0ddffffffff",
        "9f", "8f", "8fa0", "dc0002c0", "de0001c0",
    ];

    [Theory]
    [MemberData(nameof(HugeDeclaredLengths))]
    public void A_length_beyond_the_input_fails_before_anything_is_allocated(string hex)
    {
        var input = Convert.FromHexString(hex);
        var output = new ArrayBufferWriter<byte>(256);
        _ = ToJson(Convert.FromHexString("c0"));

        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertFormatError(input, static (ref r) => r.Skip());
        AssertFormatError(input, ReadByType);
        Assert.Throws<MessagePackFormatException>(() => JsonMessagePackTranscoder.MessagePackToJson(input, output));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < AllocationBudget, $"allocated {allocated} bytes");
        TryEveryReadAt(input, AllOffsets(input));
    }

    [Fact]
    public void Nesting_a_hundred_thousand_levels_deep_fails_at_the_depth_limit_without_exhausting_the_stack()
    {
        var arrays = new byte[100_001];
        arrays.AsSpan(0, 100_000).Fill(0x91);
        arrays[^1] = 0xc0;
        var maps = new byte[200_001];
        for (var i = 0; i < 100_000; i++)
        {
            maps[2 * i] = 0x81;
            maps[2 * i + 1] = 0xa0;
        }
        maps[^1] = 0xc0;
        // A map whose key is a map whose key is a map...: the key path of the transcoder recurses too.
        var keys = new byte[100_001];
        keys.AsSpan(0, 100_000).Fill(0x81);
        keys[^1] = 0xc0;

        foreach (var input in new[] { arrays, maps, keys })
        {
            var error = Assert.Throws<MessagePackFormatException>(() => new MessagePackReader(input).Skip());
            Assert.Contains("nested more than 64", error.Message);
            Assert.Throws<MessagePackFormatException>(() => ToJson(input));
            Assert.Throws<MessagePackFormatException>(() => new MessagePackReader(input, MessagePackReader.MaxSupportedDepth).Skip());
            Assert.Throws<MessagePackFormatException>(() =>
            {
                var reader = new MessagePackReader(input, MessagePackReader.MaxSupportedDepth);
                using var writer = new System.Text.Json.Utf8JsonWriter(new ArrayBufferWriter<byte>());
                JsonMessagePackTranscoder.MessagePackToJson(ref reader, writer);
            });
        }
    }

    [Theory]
    [InlineData("c1")]
    [InlineData("91c1")]
    [InlineData("81c1c0")]
    [InlineData("81c0c1")]
    [InlineData("92c0c1")]
    [InlineData("c0c1")]
    public void The_reserved_byte_0xc1_fails_cleanly(string hex)
    {
        var input = Convert.FromHexString(hex);
        Assert.Throws<MessagePackFormatException>(() => ToJson(input));
        if (input.Length > 1 && input[0] != 0xc0) AssertFormatError(input, static (ref r) => r.Skip());
        TryEveryReadAt(input, AllOffsets(input));
    }

    [Fact]
    public void Random_and_mutated_input_only_ever_fails_with_format_errors()
    {
        const int seed = 424242;
        var random = new Random(seed);
        var documents = ValidDocuments();
        var output = new ArrayBufferWriter<byte>();
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < 20_000 && clock.Elapsed < TimeSpan.FromSeconds(2); round++)
        {
            var input = Mutate(random, documents[random.Next(documents.Count)]);
            try
            {
                output.ResetWrittenCount();
                try
                {
                    JsonMessagePackTranscoder.MessagePackToJson(input, output);
                }
                catch (MessagePackFormatException)
                {
                }
                try
                {
                    var reader = new MessagePackReader(input);
                    while (!reader.End) reader.Skip();
                }
                catch (MessagePackFormatException)
                {
                }
                TryEveryReadAt(input, AllOffsets(input));
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}, round {round}, input {Convert.ToHexStringLower(input)}: {ex}");
            }
        }
    }

    private static byte[] Mutate(Random random, byte[] document)
    {
        var bytes = new List<byte>(document);
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        if (random.Next(10) == 0)
        {
            var noise = new byte[random.Next(1, 64)];
            random.NextBytes(noise);
            return noise;
        }
        return [.. bytes];
    }

    /// <summary>
    /// Reads a whole value with the Read* methods, by whatever type each byte announces, so that each meets the
    /// malformed input meant for it. Recursive without a depth bound: only for shallow inputs.
    /// </summary>
    private static void ReadByType(ref MessagePackReader reader)
    {
        switch (reader.NextType)
        {
            case MessagePackType.String: reader.ReadStringSpan(); break;
            case MessagePackType.Binary: reader.ReadBinary(); break;
            case MessagePackType.Extension: reader.ReadExtension(out _); break;
            case MessagePackType.Integer: reader.ReadInt64(); break;
            case MessagePackType.Float: reader.ReadDouble(); break;
            case MessagePackType.Boolean: reader.ReadBoolean(); break;
            case MessagePackType.Nil: reader.ReadNil(); break;
            case MessagePackType.Array:
                for (var i = reader.ReadArrayHeader(); i > 0; i--) ReadByType(ref reader);
                break;
            case MessagePackType.Map:
                for (var i = reader.ReadMapHeader() * 2; i > 0; i--) ReadByType(ref reader);
                break;
        }
    }

    private static void AssertFormatError(byte[] input, ReaderAction action) =>
        Assert.Throws<MessagePackFormatException>(() =>
        {
            var reader = new MessagePackReader(input);
            action(ref reader);
        });

    private static List<int> AllOffsets(byte[] input)
    {
        var offsets = new List<int>(input.Length + 1);
        for (var offset = 0; offset <= input.Length; offset++) offsets.Add(offset);
        return offsets;
    }

    /// <summary>TryRead* must never throw, and must not move when they fail, wherever they start.</summary>
    private static void TryEveryReadAt(byte[] input, List<int> offsets)
    {
        foreach (var offset in offsets)
        {
            var slice = input.AsSpan(offset);
            var reader = new MessagePackReader(slice);
            if (!reader.TryReadNil()) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadBoolean(out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadInt64(out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadUInt64(out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadDouble(out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadStringSpan(out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadBinary(out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadArrayHeader(out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadMapHeader(out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            if (!reader.TryReadExtension(out _, out _)) Assert.Equal(0, reader.Position);
            reader = new MessagePackReader(slice);
            _ = reader.TryPeekType(out _);
        }
    }
}
