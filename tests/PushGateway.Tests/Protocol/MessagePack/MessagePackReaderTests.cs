using PushGateway.Protocol.MessagePack;
using static PushGateway.Tests.Protocol.MessagePack.MessagePackWriterTests;

namespace PushGateway.Tests.Protocol.MessagePack;

public class MessagePackReaderTests
{
    private static MessagePackReader Reader(string hex) => new(Convert.FromHexString(hex));

    [Theory]
    [MemberData(nameof(SignedIntegers), MemberType = typeof(MessagePackWriterTests))]
    public void Reads_back_every_signed_integer_edge(long value, string hex)
    {
        var reader = Reader(hex);
        Assert.Equal(value, reader.ReadInt64());
        Assert.True(reader.End);

        reader = Reader(hex);
        Assert.Equal(value, reader.ReadDouble(), 0.0);
    }

    [Theory]
    [InlineData("cfffffffffffffffff", ulong.MaxValue)]
    [InlineData("cf8000000000000000", (ulong)long.MaxValue + 1)]
    [InlineData("ceffffffff", uint.MaxValue)]
    [InlineData("7f", 127UL)]
    public void Reads_unsigned_integers(string hex, ulong value)
    {
        var reader = Reader(hex);
        Assert.Equal(value, reader.ReadUInt64());
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData("cd0001", 1)]
    [InlineData("d3ffffffffffffffff", -1)]
    [InlineData("d000", 0)]
    [InlineData("cf0000000000000005", 5)]
    public void Accepts_integers_in_wider_formats_than_needed(string hex, long value) =>
        Assert.Equal(value, Reader(hex).ReadInt64());

    [Fact]
    public void Refuses_integers_out_of_the_requested_range_without_moving()
    {
        var reader = Reader("cfffffffffffffffff");
        Assert.False(reader.TryReadInt64(out _));
        Assert.Equal(0, reader.Position);
        var error = Assert.Throws<MessagePackFormatException>(() => Reader("cfffffffffffffffff").ReadInt64());
        Assert.Contains("does not fit in Int64", error.Message);

        reader = Reader("ff");
        Assert.False(reader.TryReadUInt64(out _));
        Assert.Equal(0, reader.Position);
        Assert.Throws<MessagePackFormatException>(() => Reader("ff").ReadUInt64());
    }

    [Fact]
    public void Reads_floats_of_both_widths()
    {
        var reader = Reader("cb3ff8000000000000ca3fc00000ca3dcccccd");
        Assert.Equal(1.5, reader.ReadDouble());
        Assert.Equal(1.5, reader.ReadDouble());
        Assert.Equal((double)0.1f, reader.ReadDouble());
        Assert.True(reader.End);
    }

    [Fact]
    public void Reads_nil_and_booleans()
    {
        var reader = Reader("c0c3c2");
        Assert.False(reader.TryReadBoolean(out _));
        reader.ReadNil();
        Assert.False(reader.TryReadNil());
        Assert.True(reader.ReadBoolean());
        Assert.False(reader.ReadBoolean());
        Assert.True(reader.End);
        Assert.False(reader.TryReadNil());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(65535)]
    [InlineData(65536)]
    public void Reads_strings_and_binaries_of_each_header_size(int length)
    {
        var text = new string('q', length);
        var bytes = Write(w =>
        {
            w.WriteString(text);
            w.WriteBinary(new byte[length]);
            w.WriteNil();
        });
        var reader = new MessagePackReader(bytes);
        Assert.Equal(MessagePackType.String, reader.NextType);
        Assert.Equal(text, reader.ReadString());
        Assert.Equal(MessagePackType.Binary, reader.NextType);
        Assert.Equal(length, reader.ReadBinary().Length);
        reader.ReadNil();
        Assert.True(reader.End);
    }

    [Fact]
    public void Gives_string_bytes_without_copying()
    {
        var bytes = Convert.FromHexString("a3616263");
        var reader = new MessagePackReader(bytes);
        var span = reader.ReadStringSpan();
        Assert.True(span.Overlaps(bytes));
        Assert.True(span.SequenceEqual("abc"u8));
    }

    [Fact]
    public void Refuses_a_string_of_invalid_utf8()
    {
        var error = Assert.Throws<MessagePackFormatException>(() => Reader("a2c328").ReadString());
        Assert.Equal(0, error.Offset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(65535)]
    [InlineData(65536)]
    public void Reads_array_and_map_headers_of_each_size(int count)
    {
        var bytes = Write(w =>
        {
            w.WriteArrayHeader(count);
            for (var i = 0; i < count; i++) w.WriteNil();
            w.WriteMapHeader(count);
            for (var i = 0; i < count; i++)
            {
                w.WriteInt64(i);
                w.WriteBoolean(true);
            }
        });
        var reader = new MessagePackReader(bytes);
        Assert.Equal(MessagePackType.Array, reader.NextType);
        Assert.Equal(count, reader.ReadArrayHeader());
        for (var i = 0; i < count; i++) reader.ReadNil();
        Assert.Equal(MessagePackType.Map, reader.NextType);
        Assert.Equal(count, reader.ReadMapHeader());
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(i, reader.ReadInt64());
            Assert.True(reader.ReadBoolean());
        }
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(256)]
    [InlineData(65536)]
    public void Reads_extensions_of_each_header_size(int length)
    {
        var data = new byte[length];
        Random.Shared.NextBytes(data);
        var bytes = Write(w =>
        {
            w.WriteExtension(-7, data);
            w.WriteExtensionHeader(100, length);
            w.WriteRaw(data);
        });
        var reader = new MessagePackReader(bytes);
        Assert.Equal(MessagePackType.Extension, reader.NextType);
        Assert.True(reader.ReadExtension(out var header).SequenceEqual(data));
        Assert.Equal(new ExtensionHeader(-7, length), header);
        Assert.Equal(new ExtensionHeader(100, length), reader.ReadExtensionHeader());
        Assert.True(reader.ReadRawBytes(length).SequenceEqual(data));
        Assert.True(reader.End);
    }

    [Fact]
    public void Names_the_type_of_every_format_byte()
    {
        for (var code = 0; code <= 0xff; code++)
        {
            var expected = code switch
            {
                <= 0x7f or >= 0xe0 or (>= 0xcc and <= 0xd3) => MessagePackType.Integer,
                <= 0x8f or 0xde or 0xdf => MessagePackType.Map,
                <= 0x9f or 0xdc or 0xdd => MessagePackType.Array,
                <= 0xbf or 0xd9 or 0xda or 0xdb => MessagePackType.String,
                0xc0 => MessagePackType.Nil,
                0xc2 or 0xc3 => MessagePackType.Boolean,
                0xc4 or 0xc5 or 0xc6 => MessagePackType.Binary,
                0xca or 0xcb => MessagePackType.Float,
                0xc1 => (MessagePackType?)null,
                _ => MessagePackType.Extension,
            };
            var reader = new MessagePackReader([(byte)code]);
            Assert.Equal(expected is not null, reader.TryPeekType(out var type));
            if (expected is not null) Assert.Equal(expected, type);
        }
    }

    [Fact]
    public void Peeking_at_the_end_or_at_0xc1_throws_a_format_error()
    {
        Assert.Throws<MessagePackFormatException>(() => new MessagePackReader([]).NextType);
        Assert.Throws<MessagePackFormatException>(() => new MessagePackReader([0xc1]).NextType);
    }

    [Fact]
    public void Reports_the_expected_and_the_found_type()
    {
        var error = Assert.Throws<MessagePackFormatException>(() => Reader("c0a3616263").ReadStringSpan());
        Assert.Contains("expected str but found nil", error.Message);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void A_failed_try_read_leaves_the_position_unchanged()
    {
        var reader = Reader("a5616263");
        Assert.False(reader.TryReadStringSpan(out _));
        Assert.False(reader.TryReadInt64(out _));
        Assert.False(reader.TryReadMapHeader(out _));
        Assert.False(reader.TryReadArrayHeader(out _));
        Assert.False(reader.TryReadBinary(out _));
        Assert.False(reader.TryReadExtension(out _, out _));
        Assert.False(reader.TryReadDouble(out _));
        Assert.Equal(0, reader.Position);
    }

    [Fact]
    public void Skips_every_kind_of_value()
    {
        var bytes = Write(w =>
        {
            w.WriteArrayHeader(2);
            w.WriteMapHeader(2);
            w.WriteString("nested");
            w.WriteArrayHeader(3);
            w.WriteArrayHeader(0);
            w.WriteMapHeader(1);
            w.WriteInt64(-5);
            w.WriteExtension(3, new byte[5]);
            w.WriteBinary(new byte[300]);
            w.WriteDouble(2.5);
            w.WriteSingle(2.5f);
            w.WriteString(new string('s', 70000));
        });
        var reader = new MessagePackReader(bytes);
        reader.Skip();
        Assert.True(reader.End);

        // 16 scalar values, one of each width.
        reader = Reader("c0c2c3007fe0cc01cd0001ce00000001cf0000000000000001d001d10001d200000001d30000000000000001ca00000000cb0000000000000000");
        for (var i = 0; i < 16; i++) reader.Skip();
        Assert.True(reader.End);
    }

    [Fact]
    public void Allows_exactly_max_depth_levels_of_nesting()
    {
        var atLimit = Nested(64);
        var reader = new MessagePackReader(atLimit);
        reader.Skip();
        Assert.True(reader.End);

        var beyond = Nested(65);
        var error = Assert.Throws<MessagePackFormatException>(() => new MessagePackReader(beyond).Skip());
        Assert.Contains("nested more than 64", error.Message);

        var shallow = Assert.Throws<MessagePackFormatException>(() => new MessagePackReader(Nested(4), maxDepth: 3).Skip());
        Assert.Equal(3, shallow.Offset);

        static byte[] Nested(int levels) => [.. Enumerable.Repeat((byte)0x91, levels - 1), 0x90];
    }

    [Fact]
    public void Refuses_a_max_depth_the_recursion_cannot_afford()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessagePackReader([], maxDepth: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessagePackReader([], maxDepth: MessagePackReader.MaxSupportedDepth + 1));
    }
}
