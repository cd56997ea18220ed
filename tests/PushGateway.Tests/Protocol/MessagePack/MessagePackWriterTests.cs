using System.Buffers;
using PushGateway.Protocol.MessagePack;

namespace PushGateway.Tests.Protocol.MessagePack;

/// <summary>Each format family at the edges where the spec switches to a wider encoding, byte for byte.</summary>
public class MessagePackWriterTests
{
    internal static byte[] Write(Action<MessagePackWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new MessagePackWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    internal static string Hex(Action<MessagePackWriter> write) => Convert.ToHexStringLower(Write(write));

    public static TheoryData<long, string> SignedIntegers => new()
    {
        { 0, "00" },
        { 1, "01" },
        { 127, "7f" },
        { 128, "cc80" },
        { 255, "ccff" },
        { 256, "cd0100" },
        { 65535, "cdffff" },
        { 65536, "ce00010000" },
        { int.MaxValue, "ce7fffffff" },
        { uint.MaxValue, "ceffffffff" },
        { uint.MaxValue + 1L, "cf0000000100000000" },
        { long.MaxValue, "cf7fffffffffffffff" },
        { -1, "ff" },
        { -32, "e0" },
        { -33, "d0df" },
        { -128, "d080" },
        { -129, "d1ff7f" },
        { short.MinValue, "d18000" },
        { short.MinValue - 1, "d2ffff7fff" },
        { int.MinValue, "d280000000" },
        { int.MinValue - 1L, "d3ffffffff7fffffff" },
        { long.MinValue, "d38000000000000000" },
    };

    [Theory]
    [MemberData(nameof(SignedIntegers))]
    public void Writes_signed_integers_in_the_smallest_format(long value, string hex) =>
        Assert.Equal(hex, Hex(w => w.WriteInt64(value)));

    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "cc80")]
    [InlineData(65536UL, "ce00010000")]
    [InlineData((ulong)long.MaxValue + 1, "cf8000000000000000")]
    [InlineData(ulong.MaxValue, "cfffffffffffffffff")]
    public void Writes_unsigned_integers_in_the_smallest_format(ulong value, string hex) =>
        Assert.Equal(hex, Hex(w => w.WriteUInt64(value)));

    [Fact]
    public void Writes_nil_and_booleans()
    {
        Assert.Equal("c0", Hex(w => w.WriteNil()));
        Assert.Equal("c3", Hex(w => w.WriteBoolean(true)));
        Assert.Equal("c2", Hex(w => w.WriteBoolean(false)));
    }

    [Fact]
    public void Writes_doubles_as_float64_even_when_integral()
    {
        Assert.Equal("cb3ff8000000000000", Hex(w => w.WriteDouble(1.5)));
        Assert.Equal("cb3ff0000000000000", Hex(w => w.WriteDouble(1.0)));
        Assert.Equal("cb8000000000000000", Hex(w => w.WriteDouble(-0.0)));
        Assert.Equal("cb7ff0000000000000", Hex(w => w.WriteDouble(double.PositiveInfinity)));
        Assert.Equal("ca3fc00000", Hex(w => w.WriteSingle(1.5f)));
    }

    [Theory]
    [InlineData(0, "a0")]
    [InlineData(31, "bf")]
    [InlineData(32, "d920")]
    [InlineData(255, "d9ff")]
    [InlineData(256, "da0100")]
    [InlineData(65535, "daffff")]
    [InlineData(65536, "db00010000")]
    public void Writes_string_headers_at_each_boundary(int length, string header)
    {
        var text = new string('x', length);
        foreach (var bytes in new[] { Write(w => w.WriteString(text)), Write(w => w.WriteString(System.Text.Encoding.UTF8.GetBytes(text))) })
        {
            Assert.Equal(header, Convert.ToHexStringLower(bytes.AsSpan(0, header.Length / 2)));
            Assert.Equal(header.Length / 2 + length, bytes.Length);
            Assert.True(bytes.AsSpan(header.Length / 2).IndexOfAnyExcept((byte)'x') < 0);
        }
    }

    [Fact]
    public void Counts_string_length_in_utf8_bytes_not_chars()
    {
        Assert.Equal("a2c3a9", Hex(w => w.WriteString("é")));
        Assert.Equal("a4f09f9880", Hex(w => w.WriteString("😀")));
        // 16 two-byte chars are 32 bytes: past fixstr although only 16 chars long.
        Assert.StartsWith("d920", Hex(w => w.WriteString(new string('é', 16))));
    }

    [Fact]
    public void Replaces_a_lone_surrogate_rather_than_writing_invalid_utf8() =>
        Assert.Equal("a3efbfbd", Hex(w => w.WriteString("\ud800")));

    [Theory]
    [InlineData(0, "c400")]
    [InlineData(255, "c4ff")]
    [InlineData(256, "c50100")]
    [InlineData(65535, "c5ffff")]
    [InlineData(65536, "c600010000")]
    public void Writes_binary_headers_at_each_boundary(int length, string header)
    {
        var bytes = Write(w => w.WriteBinary(new byte[length]));
        Assert.Equal(header, Convert.ToHexStringLower(bytes.AsSpan(0, header.Length / 2)));
        Assert.Equal(header.Length / 2 + length, bytes.Length);
        Assert.Equal(header, Hex(w => w.WriteBinaryHeader(length)));
    }

    [Theory]
    [InlineData(0, "90", "80")]
    [InlineData(15, "9f", "8f")]
    [InlineData(16, "dc0010", "de0010")]
    [InlineData(65535, "dcffff", "deffff")]
    [InlineData(65536, "dd00010000", "df00010000")]
    [InlineData(int.MaxValue, "dd7fffffff", "df7fffffff")]
    public void Writes_array_and_map_headers_at_each_boundary(int count, string arrayHeader, string mapHeader)
    {
        Assert.Equal(arrayHeader, Hex(w => w.WriteArrayHeader(count)));
        Assert.Equal(mapHeader, Hex(w => w.WriteMapHeader(count)));
    }

    [Theory]
    [InlineData(1, "d405")]
    [InlineData(2, "d505")]
    [InlineData(4, "d605")]
    [InlineData(8, "d705")]
    [InlineData(16, "d805")]
    [InlineData(0, "c70005")]
    [InlineData(3, "c70305")]
    [InlineData(17, "c71105")]
    [InlineData(255, "c7ff05")]
    [InlineData(256, "c8010005")]
    [InlineData(65535, "c8ffff05")]
    [InlineData(65536, "c90001000005")]
    public void Writes_extension_headers_with_fixext_where_the_length_allows(int length, string header)
    {
        Assert.Equal(header, Hex(w => w.WriteExtensionHeader(5, length)));
        var whole = Write(w => w.WriteExtension(5, new byte[length]));
        Assert.Equal(header.Length / 2 + length, whole.Length);
        Assert.Equal("d4ff2a", Hex(w => w.WriteExtension(-1, [42])));
    }

    [Fact]
    public void Refuses_negative_lengths_as_a_caller_bug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(w => w.WriteArrayHeader(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(w => w.WriteMapHeader(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(w => w.WriteStringHeader(-1)));
    }

    [Fact]
    public void Writes_raw_bytes_verbatim_after_a_header()
    {
        Assert.Equal("a3616263", Hex(w =>
        {
            w.WriteStringHeader(3);
            w.WriteRaw("abc"u8);
        }));
    }

    [Fact]
    public void Does_not_allocate_per_value_once_the_buffer_is_sized()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        WriteSample(new MessagePackWriter(buffer));
        buffer.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            WriteSample(new MessagePackWriter(buffer));
            buffer.ResetWrittenCount();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void WriteSample(MessagePackWriter w)
        {
            w.WriteMapHeader(3);
            w.WriteString("topic");
            w.WriteString("fx.EURUSD"u8);
            w.WriteString("bid");
            w.WriteDouble(1.0845);
            w.WriteString("ts");
            w.WriteInt64(1_700_000_000_000);
            w.WriteBinary(stackalloc byte[40]);
        }
    }
}
