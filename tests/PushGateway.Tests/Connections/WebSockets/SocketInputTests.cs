using System.Net;
using System.Net.Sockets;
using System.Text;
using PushGateway.Connections.WebSockets;

namespace PushGateway.Tests.Connections.WebSockets;

/// <summary>The receive side of a socket the gateway owns, over a real loopback TCP connection.</summary>
public class SocketInputTests
{
    /// <summary>A connected pair: the server side is non-blocking, as the direct transport leaves it.</summary>
    private static async Task<(Socket Server, Socket Client)> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepting = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await accepting;
        server.Blocking = false;
        return (server, client);
    }

    [Fact]
    public async Task Reads_what_was_sent_and_keeps_what_was_not_consumed()
    {
        var (server, client) = await ConnectAsync();
        using (server)
        using (client)
        {
            var input = new SocketInput(server);
            await client.SendAsync("hello"u8.ToArray());
            var first = await input.ReadAsync();
            Assert.Equal("hello", Encoding.ASCII.GetString(first.Buffer));
            // Consume two bytes, examine everything: the next read waits for more and returns the rest with it.
            input.AdvanceTo(first.Buffer.GetPosition(2), first.Buffer.End);
            var reading = input.ReadAsync().AsTask();
            await client.SendAsync(" world"u8.ToArray());
            var second = await reading;
            Assert.Equal("llo world", Encoding.ASCII.GetString(second.Buffer));
            Assert.False(second.IsCompleted);
            // Consumed but not all examined: the next read returns at once with what is left.
            input.AdvanceTo(second.Buffer.GetPosition(4), second.Buffer.GetPosition(4));
            Assert.True(input.TryRead(out var third));
            Assert.Equal("world", Encoding.ASCII.GetString(third.Buffer));
            input.AdvanceTo(third.Buffer.End);
            Assert.False(input.TryRead(out _));
            input.Complete();
        }
    }

    [Fact]
    public async Task A_peer_that_closes_or_resets_reads_as_completed()
    {
        var (server, client) = await ConnectAsync();
        using (server)
        {
            var input = new SocketInput(server);
            await client.SendAsync("bye"u8.ToArray());
            client.Shutdown(SocketShutdown.Send);
            var data = await input.ReadAsync();
            var all = Encoding.ASCII.GetString(data.Buffer);
            input.AdvanceTo(data.Buffer.End);
            var end = data;
            while (!end.IsCompleted)
            {
                end = await input.ReadAsync();
                all += Encoding.ASCII.GetString(end.Buffer);
                input.AdvanceTo(end.Buffer.End);
            }
            Assert.Equal("bye", all);
            client.Dispose();
        }

        (server, client) = await ConnectAsync();
        using (server)
        {
            var input = new SocketInput(server);
            var reading = input.ReadAsync().AsTask();
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            var reset = await reading;
            Assert.True(reset.IsCompleted);
            Assert.True(reset.Buffer.IsEmpty);
        }
    }

    [Fact]
    public async Task Cancel_pending_read_makes_the_next_read_return_canceled()
    {
        var (server, client) = await ConnectAsync();
        using (server)
        using (client)
        {
            var input = new SocketInput(server);
            input.CancelPendingRead();
            var canceled = await input.ReadAsync();
            Assert.True(canceled.IsCanceled);
            await client.SendAsync("x"u8.ToArray());
            var data = await input.ReadAsync();
            Assert.False(data.IsCanceled);
            Assert.Equal("x", Encoding.ASCII.GetString(data.Buffer));
        }
    }

    [Fact]
    public async Task Frames_sent_in_random_pieces_reach_the_websocket_reader_whole()
    {
        var (server, client) = await ConnectAsync();
        using (server)
        using (client)
        {
            var random = new Random(7);
            var messages = Enumerable.Range(0, 40).Select(i => RandomText(random, i % 5 == 0 ? 20_000 : random.Next(0, 300))).ToList();
            var wire = messages.SelectMany(m => MaskedTextFrame(Encoding.UTF8.GetBytes(m))).ToArray();
            var reader = new WebSocketReader(new SocketInput(server), 64 * 1024, new NoPings());
            var sending = Task.Run(async () =>
            {
                for (var at = 0; at < wire.Length;)
                {
                    var piece = Math.Min(random.Next(1, 9000), wire.Length - at);
                    await client.SendAsync(wire.AsMemory(at, piece));
                    at += piece;
                }
                client.Shutdown(SocketShutdown.Send);
            });
            var received = new List<string>();
            while (true)
            {
                var message = await reader.ReceiveAsync();
                if (message.Kind != InboundKind.Text)
                {
                    Assert.Equal(InboundKind.Gone, message.Kind);
                    break;
                }
                received.Add(Encoding.UTF8.GetString(message.Payload.Span));
            }
            await sending;
            Assert.Equal(messages, received);
        }
    }

    private sealed class NoPings : IControlFrameSink
    {
        public void OnPing(ReadOnlySpan<byte> payload) => throw new InvalidOperationException("no ping was sent");
    }

    private static string RandomText(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());

    private static byte[] MaskedTextFrame(byte[] payload)
    {
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126) frame.Add((byte)(0x80 | payload.Length));
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        byte[] key = [0x37, 0xfa, 0x21, 0x3d];
        frame.AddRange(key);
        for (var i = 0; i < payload.Length; i++) frame.Add((byte)(payload[i] ^ key[i % 4]));
        return frame.ToArray();
    }
}
