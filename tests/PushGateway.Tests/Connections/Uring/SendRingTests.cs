using System.Net;
using System.Net.Sockets;
using PushGateway.Connections.Uring;

namespace PushGateway.Tests.Connections.Uring;

/// <summary>
/// The io_uring send path on real loopback sockets: what is staged reaches each socket in one submission, a
/// socket that cannot take a frame completes at once with what it took, and a broken one reports its error,
/// without costing the rest of the batch anything.
/// </summary>
public sealed class SendRingTests : IDisposable
{
    private readonly Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> sockets = [];
    private readonly SendRing ring;

    public SendRingTests()
    {
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        // The CI machines and the gateway's target kernels allow io_uring; a container's seccomp profile may not.
        ring = SendRing.TryCreate(out var unavailable, out _) ?? throw new InvalidOperationException($"io_uring is not available here: {unavailable}");
    }

    [Fact]
    public void Frames_staged_for_several_sockets_arrive_whole_after_one_submit()
    {
        var pairs = Enumerable.Range(0, 5).Select(_ => Pair()).ToArray();
        var targets = pairs.Select(_ => new Target()).ToArray();
        for (var i = 0; i < pairs.Length; i++) Assert.True(Stage(targets[i], pairs[i].Server, Frame(i, 100 + i)));
        Assert.Equal(5, ring.Count);

        ring.Submit();

        Assert.Equal(0, ring.Count);
        for (var i = 0; i < pairs.Length; i++)
        {
            Assert.Equal([100 + i], targets[i].Results);
            Assert.Equal(Frame(i, 100 + i), Read(pairs[i].Client, 100 + i));
        }
        Assert.False(ring.Broken);
    }

    [Fact]
    public void A_full_socket_completes_at_once_with_what_it_took_and_its_neighbour_still_gets_everything()
    {
        var full = Pair(sendBuffer: 4096);
        var healthy = Pair();
        Fill(full.Server);
        var stalled = new Target();
        var neighbour = new Target();
        var big = Frame(7, 20_000);
        Assert.True(Stage(stalled, full.Server, big));
        Assert.True(Stage(neighbour, healthy.Server, Frame(8, 300)));

        // Without MSG_DONTWAIT's no-wait the kernel would park this send until the reader makes room: Submit would never return.
        ring.Submit();

        var took = Assert.Single(stalled.Results);
        Assert.InRange(took, 0, big.Length - 1);
        Assert.Equal(big, stalled.Frames.Single());
        Assert.Equal([300], neighbour.Results);
        Assert.Equal(Frame(8, 300), Read(healthy.Client, 300));
    }

    [Fact]
    public void A_reset_connection_reports_an_error_to_its_own_target_only()
    {
        var reset = Pair();
        var healthy = Pair();
        reset.Client.LingerState = new LingerOption(true, 0);
        reset.Client.Close();
        // The first send after a reset may still be taken (the RST is processed as it arrives); write until it is seen.
        var broken = new Target();
        for (var round = 0; round < 10 && !broken.Results.Any(r => r < 0); round++)
        {
            Assert.True(Stage(broken, reset.Server, Frame(1, 50)));
            ring.Submit();
        }
        Assert.Contains(broken.Results, r => r < 0);

        var neighbour = new Target();
        Assert.True(Stage(neighbour, healthy.Server, Frame(2, 60)));
        ring.Submit();
        Assert.Equal([60], neighbour.Results);
        Assert.Equal(Frame(2, 60), Read(healthy.Client, 60));
    }

    [Fact]
    public void A_closed_socket_is_refused_when_staged_and_leaves_nothing_behind()
    {
        var pair = Pair();
        pair.Server.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Stage(new Target(), pair.Server, Frame(1, 10)));

        Assert.Equal(0, ring.Count);
    }

    [Fact]
    public void A_ring_with_no_room_refuses_the_next_frame_and_asks_for_a_submit()
    {
        var pair = Pair();
        var target = new Target();
        for (var i = 0; i < SendRing.Entries; i++) Assert.True(Stage(target, pair.Server, Frame(i, 8)));
        Assert.True(ring.NearlyFull);
        Assert.False(Stage(target, pair.Server, Frame(0, 8)));
        Assert.False(Stage(target, pair.Server, new byte[SendRing.ArenaBytes + 1]));

        ring.Submit();

        Assert.Equal(Enumerable.Repeat(8, SendRing.Entries), target.Results);
        var expected = Enumerable.Range(0, SendRing.Entries).SelectMany(i => Frame(i, 8)).ToArray();
        Assert.Equal(expected, Read(pair.Client, expected.Length));
        Assert.False(ring.NearlyFull);
        // An empty ring still has no room for more than its buffer.
        Assert.False(Stage(target, pair.Server, new byte[SendRing.ArenaBytes + 1]));
    }

    /// <summary>Builds the frame in the space the ring gives, as the socket transport does, and stages it.</summary>
    private bool Stage(IStagedSend target, Socket socket, byte[] frame)
    {
        if (!ring.TryReserve(frame.Length, out var buffer, out var offset)) return false;
        frame.CopyTo(buffer, offset);
        ring.Commit(target, socket.SafeHandle, offset, offset + frame.Length);
        return true;
    }

    private (Socket Server, Socket Client) Pair(int? sendBuffer = null)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.ReceiveBufferSize = sendBuffer ?? client.ReceiveBufferSize;
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        if (sendBuffer is { } bytes) server.SendBufferSize = bytes;
        server.Blocking = false;
        client.ReceiveTimeout = 10_000;
        sockets.Add(client);
        sockets.Add(server);
        return (server, client);
    }

    private static void Fill(Socket socket)
    {
        var chunk = new byte[4096];
        while (true)
        {
            socket.Send(chunk, 0, chunk.Length, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return;
            Assert.Equal(SocketError.Success, error);
        }
    }

    private static byte[] Frame(int seed, int length) => Enumerable.Range(0, length).Select(i => (byte)(seed * 31 + i)).ToArray();

    private static byte[] Read(Socket socket, int length)
    {
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = socket.Receive(buffer, read, length - read, SocketFlags.None);
            Assert.True(n > 0, "the connection ended early");
            read += n;
        }
        return buffer;
    }

    public void Dispose()
    {
        ring.Dispose();
        foreach (var socket in sockets) socket.Dispose();
        listener.Dispose();
    }

    private sealed class Target : IStagedSend
    {
        public List<int> Results { get; } = [];

        public List<byte[]> Frames { get; } = [];

        public void Sent(int result, ReadOnlySpan<byte> frame)
        {
            Results.Add(result);
            Frames.Add(frame.ToArray());
        }
    }
}
