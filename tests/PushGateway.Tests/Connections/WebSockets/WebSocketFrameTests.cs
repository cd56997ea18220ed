using System.Buffers;
using System.Buffers.Binary;
using PushGateway.Connections.WebSockets;

namespace PushGateway.Tests.Connections.WebSockets;

public class WebSocketFrameTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    public void Server_headers_use_the_shortest_length_encoding(int length, int headerLength)
    {
        var header = new byte[WebSocketFrame.MaxServerHeaderLength];
        Assert.Equal(headerLength, WebSocketFrame.WriteServerHeader(header, Opcode.Text, length));
        Assert.Equal(headerLength, WebSocketFrame.ServerHeaderLength(length));
        Assert.Equal(0x81, header[0]);
        // Read back as a client frame would be read, but unmasked.
        Assert.Equal(HeaderStatus.Complete, WebSocketFrame.TryReadHeader(new ReadOnlySequence<byte>(header, 0, headerLength), out var parsed));
        Assert.Equal(length, parsed.PayloadLength);
        Assert.True(parsed.Fin);
        Assert.False(parsed.Masked);
    }

    [Fact]
    public void A_header_cut_anywhere_needs_more_data()
    {
        byte[] frame = [0x81, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4];
        for (var cut = 0; cut < frame.Length; cut++)
            Assert.Equal(HeaderStatus.NeedMoreData, WebSocketFrame.TryReadHeader(new ReadOnlySequence<byte>(frame, 0, cut), out _));
        Assert.Equal(HeaderStatus.Complete, WebSocketFrame.TryReadHeader(new ReadOnlySequence<byte>(frame), out var header));
        Assert.Equal(65536, header.PayloadLength);
        Assert.Equal(14, header.HeaderLength);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(10)), header.MaskKey);
    }

    [Fact]
    public void A_64_bit_length_with_the_top_bit_set_is_invalid()
    {
        byte[] frame = [0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        Assert.Equal(HeaderStatus.Invalid, WebSocketFrame.TryReadHeader(new ReadOnlySequence<byte>(frame), out _));
    }

    [Fact]
    public void Unmasking_in_pieces_at_any_offset_matches_byte_by_byte_xor()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var data = new byte[random.Next(0, 70)];
            random.NextBytes(data);
            var key = new byte[4];
            random.NextBytes(key);
            var expected = data.Select((b, i) => (byte)(b ^ key[i % 4])).ToArray();
            var actual = data.ToArray();
            var at = 0;
            while (at < actual.Length)
            {
                var piece = random.Next(1, actual.Length - at + 1);
                WebSocketFrame.Unmask(actual.AsSpan(at, piece), BinaryPrimitives.ReadUInt32LittleEndian(key), at);
                at += piece;
            }
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(1003, true)]
    [InlineData(1004, false)]
    [InlineData(1005, false)]
    [InlineData(1006, false)]
    [InlineData(1011, true)]
    [InlineData(1015, false)]
    [InlineData(2999, false)]
    [InlineData(3000, true)]
    [InlineData(4999, true)]
    [InlineData(5000, false)]
    public void Close_codes_follow_section_7_4(int code, bool valid) => Assert.Equal(valid, WebSocketFrame.IsValidCloseCode(code));

    [Fact]
    public void A_close_payload_holds_the_code_and_the_reason()
    {
        var payload = new byte[125];
        var length = WebSocketFrame.WriteClosePayload(payload, 4000, "slow_consumer");
        Assert.Equal(4000, BinaryPrimitives.ReadUInt16BigEndian(payload));
        Assert.Equal("slow_consumer", System.Text.Encoding.UTF8.GetString(payload, 2, length - 2));
    }
}
