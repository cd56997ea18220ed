using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// The receive side of a socket the gateway owns, as the <see cref="PipeReader"/> the
/// <see cref="WebSocketReader"/> parses from. An idle connection waits with a zero-byte receive and holds
/// no buffer: one is rented when bytes arrive and returned once everything in it was consumed. Resets,
/// aborts and end of stream all read as a completed result, which the reader reports as the peer gone.
/// </summary>
internal sealed class SocketInput(Socket socket) : PipeReader
{
    private const int BufferBytes = 4096;
    // What a frame header or a control frame can leave unconsumed is far less; more means a broken parser.
    private const int MaxBufferedBytes = 64 * 1024;

    private byte[]? buffer;
    private int start;
    private int end;
    // The last read's bytes were all examined: the next read must bring more before it returns.
    private bool examinedAll;
    private bool completed;
    private volatile bool cancelRequested;

    public override bool TryRead(out ReadResult result)
    {
        if (cancelRequested || completed || (start < end && !examinedAll))
        {
            result = Current();
            return true;
        }
        result = default;
        return false;
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (TryRead(out var ready)) return ready;
        try
        {
            if (start == end)
            {
                ReturnBuffer();
                // Wait without a buffer: most connections are idle most of the time.
                while (true)
                {
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    buffer ??= ArrayPool<byte>.Shared.Rent(BufferBytes);
                    var received = socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None, out var error);
                    if (error == SocketError.WouldBlock) continue;
                    Received(error, received);
                    break;
                }
            }
            else
            {
                MakeRoom();
                var received = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                Received(SocketError.Success, received);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            completed = true;
        }
        return Current();
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (buffer is null) return;
        var consumedAt = consumed.GetObject() is null ? start : consumed.GetInteger();
        var examinedAt = examined.GetObject() is null ? start : examined.GetInteger();
        if (consumedAt < start || consumedAt > end || examinedAt < consumedAt || examinedAt > end)
            throw new InvalidOperationException("the position is outside the data last read");
        start = consumedAt;
        examinedAll = examinedAt == end;
        if (start == end)
        {
            start = end = 0;
            examinedAll = false;
        }
    }

    /// <summary>Makes the current or next read return at once as canceled; a receive already waiting on the socket is not interrupted.</summary>
    public override void CancelPendingRead() => cancelRequested = true;

    public override void Complete(Exception? exception = null)
    {
        completed = true;
        start = end = 0;
        ReturnBuffer();
    }

    private ReadResult Current()
    {
        var canceled = cancelRequested;
        cancelRequested = false;
        var data = buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(buffer, start, end - start);
        return new ReadResult(data, canceled, completed);
    }

    private void Received(SocketError error, int received)
    {
        if (error != SocketError.Success || received <= 0)
        {
            completed = true;
            return;
        }
        end += received;
        examinedAll = false;
    }

    /// <summary>Space after the unconsumed bytes for the next receive: move them to the front, or a bigger buffer.</summary>
    private void MakeRoom()
    {
        if (end < buffer!.Length) return;
        var length = end - start;
        if (start > 0)
        {
            buffer.AsSpan(start, length).CopyTo(buffer);
        }
        else
        {
            if (buffer.Length >= MaxBufferedBytes) throw new SocketException((int)SocketError.NoBufferSpaceAvailable);
            var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }
        start = 0;
        end = length;
    }

    private void ReturnBuffer()
    {
        if (buffer is null) return;
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = null;
    }
}
