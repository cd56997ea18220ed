using System.Buffers;
using System.Net.WebSockets;
using PushGateway.Observability;
using PushGateway.Protocol;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// A connection on ASP.NET Core's WebSocket: the path for what the direct transport does not take (TLS,
/// HTTP/2, Gateway:DirectWebSockets off). The WebSocket checks the framing itself, answers pings, keeps
/// the connection alive and closes with 1002/1007 on bad frames, so those surface here as the peer gone.
/// </summary>
internal sealed class ManagedWebSocketTransport(WebSocket socket, WireFormat format, int maxMessageBytes, int maxFrameBytes, ConnectionServices services)
    : IClientTransport
{
    private readonly CancellationTokenSource abort = new();
    private CloseReason reason = CloseReason.Normal;
    private byte[]? buffer;

    public async ValueTask<InboundMessage> ReceiveAsync()
    {
        Release();
        try
        {
            // An idle connection holds no receive buffer: a zero-byte read waits for the next frame, and
            // only then is a buffer rented. Most connections of a push service are idle most of the time.
            var result = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
            buffer = ArrayPool<byte>.Shared.Rent(1024);
            var count = 0;
            while (true)
            {
                if (result.MessageType == WebSocketMessageType.Close) return new InboundMessage(InboundKind.Closed);
                count += result.Count;
                if (count > maxMessageBytes) return new InboundMessage(InboundKind.TooBig);
                if (result.EndOfMessage)
                {
                    var kind = result.MessageType == WebSocketMessageType.Text ? InboundKind.Text : InboundKind.Binary;
                    return new InboundMessage(kind, buffer.AsMemory(0, count));
                }
                if (count == buffer.Length) Grow(count);
                // Never offer more than one byte past the limit: for a frame that declares a larger payload the
                // WebSocket fills the whole slice before returning, so a bigger (pooled) buffer would let a client
                // that declares a huge frame and trickles its bytes hold the connection without reaching the check.
                var room = Math.Min(buffer.Length, maxMessageBytes + 1) - count;
                result = await socket.ReceiveAsync(buffer.AsMemory(count, room), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The peer vanished (reset, keep-alive timeout), broke the protocol (the WebSocket has answered
            // with 1002/1007 already), or the socket was aborted: nothing to answer.
            return new InboundMessage(InboundKind.Gone);
        }
    }

    public async Task RunSenderAsync(SendQueue queue)
    {
        var batch = new List<OutboundFrame>();
        var messageType = format == WireFormat.Json ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        try
        {
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                var bytes = queue.DequeueBatch(batch, maxFrameBytes);
                var frame = ArrayPool<byte>.Shared.Rent(bytes + batch.Count);
                try
                {
                    var length = OutboundBatch.Write(batch, format, frame, services.Time, services.Metrics);
                    await socket.SendAsync(frame.AsMemory(0, length), messageType, endOfMessage: true, abort.Token).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame);
                }
            }
            var closing = Volatile.Read(ref reason);
            if (closing != CloseReason.PeerGone && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(closing.Status, closing.Reason, abort.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket died or was aborted; the receive side notices too and the connection cleans up.
        }
    }

    public void BeginClose(CloseReason reason, TimeSpan timeout)
    {
        Volatile.Write(ref this.reason, reason);
        try
        {
            abort.Token.Register(static s => ((WebSocket)s!).Abort(), socket);
            abort.CancelAfter(reason == CloseReason.PeerGone ? TimeSpan.Zero : timeout);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // ASP.NET Core's WebSocket pings and times out by itself (KeepAliveInterval, KeepAliveTimeout); its timeout ends the receive, so it counts as peer_gone.
    public bool CheckLiveness(long nowMs) => false;

    public void Dispose()
    {
        Release();
        abort.Dispose();
        socket.Dispose();
    }

    private void Release()
    {
        if (buffer is null) return;
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = null;
    }

    private void Grow(int used)
    {
        // One byte past the limit is enough to tell that a message is too big.
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer!.Length * 2, maxMessageBytes + 1));
        buffer.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
    }
}
