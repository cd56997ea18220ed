using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using PushGateway.Connections.WebSockets;

namespace PushGateway.Tests.Connections.WebSockets;

/// <summary>The direct transport's frame reader, fed through a real pipe in arbitrary pieces.</summary>
public class WebSocketReaderTests
{
    private sealed class Pings : IControlFrameSink
    {
        public List<byte[]> Received { get; } = [];

        public void OnPing(ReadOnlySpan<byte> payload) => Received.Add(payload.ToArray());
    }

    private static byte[] Frame(byte opcode, ReadOnlySpan<byte> payload, bool fin = true, bool mask = true)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        var bit = mask ? 0x80 : 0;
        if (payload.Length < 126) frame.Add((byte)(bit | payload.Length));
        else
        {
            frame.Add((byte)(bit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        byte[] key = mask ? [0x12, 0x34, 0x56, 0x78] : [];
        frame.AddRange(key);
        for (var i = 0; i < payload.Length; i++) frame.Add(mask ? (byte)(payload[i] ^ key[i % 4]) : payload[i]);
        return frame.ToArray();
    }

    /// <summary>Writes <paramref name="bytes"/> in pieces of <paramref name="piece"/>, then completes the pipe, and collects every result.</summary>
    private static async Task<List<InboundMessage>> ReadAllAsync(byte[] bytes, int piece, int maxMessageBytes = 1024, IControlFrameSink? sink = null)
    {
        var pipe = new Pipe();
        var reader = new WebSocketReader(pipe.Reader, maxMessageBytes, sink ?? new Pings());
        var writing = Task.Run(async () =>
        {
            for (var at = 0; at < bytes.Length; at += piece)
            {
                await pipe.Writer.WriteAsync(bytes.AsMemory(at, Math.Min(piece, bytes.Length - at)));
            }
            await pipe.Writer.CompleteAsync();
        });
        var results = new List<InboundMessage>();
        while (true)
        {
            var message = await reader.ReceiveAsync().AsTask().Within();
            // Copy: the payload is only valid until the next receive.
            results.Add(message with { Payload = message.Payload.ToArray() });
            if (!message.IsData) break;
        }
        await writing.Within();
        return results;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public async Task Fragmented_messages_with_a_ping_between_them_are_reassembled(int piece)
    {
        var pings = new Pings();
        byte[] bytes =
        [
            .. Frame(Opcode.Text, "{\"type\""u8, fin: false),
            .. Frame(Opcode.Ping, "hi"u8),
            .. Frame(Opcode.Continuation, ":\"ping\"}"u8),
            .. Frame(Opcode.Binary, new byte[300]),
            .. Frame(Opcode.Close, [0x03, 0xE8]),
        ];
        var results = await ReadAllAsync(bytes, piece, sink: pings);
        Assert.Equal([InboundKind.Text, InboundKind.Binary, InboundKind.Closed], results.Select(r => r.Kind));
        Assert.Equal("{\"type\":\"ping\"}", Encoding.UTF8.GetString(results[0].Payload.Span));
        Assert.Equal(300, results[1].Payload.Length);
        Assert.Equal("hi"u8.ToArray(), Assert.Single(pings.Received));
    }

    [Fact]
    public async Task A_frame_declaring_more_than_the_limit_is_refused_from_its_header()
    {
        // Only the header is sent: the reader must not wait for a payload it will refuse.
        var header = Frame(Opcode.Text, new byte[2000])[..8];
        var results = await ReadAllAsync(header, 100, maxMessageBytes: 1024);
        Assert.Equal(InboundKind.TooBig, Assert.Single(results).Kind);
    }

    [Fact]
    public async Task Fragments_count_toward_the_limit_with_their_headers()
    {
        var bytes = new List<byte>(Frame(Opcode.Text, "x"u8, fin: false));
        for (var i = 0; i < 400; i++) bytes.AddRange(Frame(Opcode.Continuation, [], fin: false));
        var results = await ReadAllAsync(bytes.ToArray(), 64, maxMessageBytes: 1024);
        Assert.Equal(InboundKind.TooBig, Assert.Single(results).Kind);
    }

    [Theory]
    [InlineData(new byte[] { 0x81, 0x02, 0x7B, 0x7D }, "unmasked")]
    [InlineData(new byte[] { 0xF1, 0x80, 0, 0, 0, 0 }, "reserved bits")]
    [InlineData(new byte[] { 0x83, 0x80, 0, 0, 0, 0 }, "unknown data opcode")]
    [InlineData(new byte[] { 0x80, 0x80, 0, 0, 0, 0 }, "continuation without a start")]
    [InlineData(new byte[] { 0x09, 0x80, 0, 0, 0, 0 }, "fragmented ping")]
    [InlineData(new byte[] { 0x89, 0xFE, 0, 200, 0, 0, 0, 0 }, "ping over 125 bytes")]
    [InlineData(new byte[] { 0x88, 0x81, 0, 0, 0, 0, 3 }, "close with one byte")]
    [InlineData(new byte[] { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE7 }, "close code 999")]
    public async Task Protocol_violations_are_reported(byte[] bytes, string what)
    {
        var results = await ReadAllAsync(bytes, 1);
        Assert.True(results.Single().Kind == InboundKind.ProtocolViolation, what);
    }

    [Fact]
    public async Task Text_that_is_not_utf8_is_reported_even_when_split_across_fragments()
    {
        byte[] bytes = [.. Frame(Opcode.Text, [0x22, 0xE2], fin: false), .. Frame(Opcode.Continuation, [0x28, 0xA1, 0x22])];
        Assert.Equal(InboundKind.InvalidUtf8, Assert.Single(await ReadAllAsync(bytes, 2)).Kind);
    }

    [Fact]
    public async Task A_stream_that_ends_without_a_close_frame_is_gone()
    {
        var bytes = Frame(Opcode.Text, "{}"u8)[..4];
        Assert.Equal(InboundKind.Gone, Assert.Single(await ReadAllAsync(bytes, 1)).Kind);
    }

    [Fact]
    public async Task Random_bytes_never_throw_and_always_end()
    {
        var random = new Random(11);
        for (var round = 0; round < 300; round++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            // Mostly well-formed headers, so the fuzz reaches past the first check.
            if (round % 2 == 0) bytes[1] |= 0x80;
            var results = await ReadAllAsync(bytes, random.Next(1, 50), maxMessageBytes: 256);
            Assert.False(results[^1].IsData);
        }
    }
}
