using System.Text;
using PushGateway.Bus;

namespace PushGateway.Tests.Bus;

/// <summary>The subscription connection's RESP2 reader, on what a socket may deliver: pushes cut anywhere, several in one read.</summary>
public sealed class RespReaderTests
{
    private static readonly byte[] Message = "*3\r\n$7\r\nmessage\r\n$6\r\nfx.EUR\r\n$5\r\nhe\r\nl\r\n"u8.ToArray();

    [Fact]
    public void A_message_push_gives_its_channel_and_a_payload_that_holds_CRLF()
    {
        var elements = new Range[4];
        var result = RespReader.TryRead(Message, elements, out var kind, out var count, out var consumed);

        Assert.Equal(RespReader.Result.Complete, result);
        Assert.Equal((RespReader.Kind.Array, 3, Message.Length), (kind, count, consumed));
        Assert.Equal("fx.EUR", Text(Message, elements[1]));
        Assert.Equal("he\r\nl", Text(Message, elements[2]));
    }

    [Fact]
    public void A_push_cut_at_any_byte_is_incomplete_never_a_short_read()
    {
        var elements = new Range[4];
        for (var cut = 0; cut < Message.Length; cut++)
            Assert.Equal(RespReader.Result.Incomplete, RespReader.TryRead(Message.AsSpan(0, cut), elements, out _, out _, out _));
    }

    [Fact]
    public void A_stream_of_pushes_read_in_pieces_of_any_size_gives_every_push_in_order()
    {
        var stream = new List<byte>();
        for (var i = 0; i < 50; i++)
        {
            var payload = new string('x', i * 7) + i;
            stream.AddRange(RespReader.Command("message", "t" + (i % 3), payload));
        }
        stream.AddRange("*3\r\n$9\r\nsubscribe\r\n$2\r\nt0\r\n:1\r\n+OK\r\n"u8.ToArray());
        var bytes = stream.ToArray();

        foreach (var piece in new[] { 1, 2, 7, 64, 1000, bytes.Length })
        {
            var got = ReadAll(bytes, piece);
            Assert.Equal(52, got.Count);
            for (var i = 0; i < 50; i++) Assert.Equal($"message t{i % 3} {new string('x', i * 7)}{i}", got[i]);
            Assert.Equal("subscribe t0 1", got[50]);
            Assert.Equal("+ OK", got[51]);
        }
    }

    [Fact]
    public void Simple_strings_errors_and_null_bulk_strings_have_their_own_shape()
    {
        var elements = new Range[4];
        Assert.Equal(RespReader.Result.Complete, RespReader.TryRead("-NOPERM no channel\r\n"u8, elements, out var kind, out var count, out _));
        Assert.Equal((RespReader.Kind.Error, 1), (kind, count));

        var nullBulk = "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"u8.ToArray();
        Assert.Equal(RespReader.Result.Complete, RespReader.TryRead(nullBulk, elements, out kind, out count, out var consumed));
        Assert.Equal((RespReader.Kind.Array, 3, nullBulk.Length), (kind, count, consumed));
        Assert.Equal("", Text(nullBulk, elements[1]));
    }

    [Theory]
    [InlineData("*2\r\n$3\r\nabcX\n")]
    [InlineData("*9\r\n")]
    [InlineData("*1\r\n$x\r\n")]
    [InlineData("*1\r\n$-2\r\n")]
    [InlineData("?what\r\n")]
    [InlineData("*1\r\n$123456789012345678901234567890")]
    public void What_is_not_RESP2_is_malformed(string input)
    {
        Assert.Equal(RespReader.Result.Malformed, RespReader.TryRead(Encoding.ASCII.GetBytes(input), new Range[4], out _, out _, out _));
    }

    [Fact]
    public void A_command_is_an_array_of_bulk_strings_counted_in_bytes_not_characters()
    {
        Assert.Equal("*2\r\n$9\r\nSUBSCRIBE\r\n$3\r\nzł\r\n", Encoding.UTF8.GetString(RespReader.Command("SUBSCRIBE", "zł")));
    }

    /// <summary>Feeds <paramref name="bytes"/> <paramref name="piece"/> at a time, as the subscription socket does.</summary>
    private static List<string> ReadAll(byte[] bytes, int piece)
    {
        var got = new List<string>();
        var buffer = new List<byte>();
        var elements = new Range[4];
        for (var offset = 0; offset < bytes.Length; offset += piece)
        {
            buffer.AddRange(bytes.AsSpan(offset, Math.Min(piece, bytes.Length - offset)).ToArray());
            while (true)
            {
                var data = buffer.ToArray();
                var result = RespReader.TryRead(data, elements, out var kind, out var count, out var consumed);
                Assert.NotEqual(RespReader.Result.Malformed, result);
                if (result == RespReader.Result.Incomplete) break;
                var parts = elements[..count].Select(r => Text(data, r));
                got.Add(kind == RespReader.Kind.SimpleString ? "+ " + string.Join(" ", parts) : string.Join(" ", parts));
                buffer.RemoveRange(0, consumed);
            }
        }
        Assert.Empty(buffer);
        return got;
    }

    private static string Text(byte[] data, Range range) => Encoding.UTF8.GetString(data.AsSpan()[range]);
}
