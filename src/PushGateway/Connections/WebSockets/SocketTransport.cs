using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using PushGateway.Connections.Uring;
using PushGateway.Protocol;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// A WebSocket served on a socket the gateway accepted itself (see <see cref="DirectListener"/>): the
/// gateway's own RFC 6455 framing, reading through <see cref="SocketInput"/> and writing with the socket's own
/// non-blocking send from the thread that made the connection ready, usually the fan-out worker at the
/// end of its batch (<see cref="FlushBatch"/>). No send loop, no thread-pool hop per delivery; only a
/// write the kernel cannot take at once continues asynchronously, and frames queue behind it. A batch with a
/// <see cref="SendRing"/> has the frame staged there instead, and sent with the batch's other connections.
/// </summary>
internal sealed class SocketTransport : IClientTransport, IControlFrameSink, IDeferredFlush, IStagedSend, IThreadPoolWorkItem
{
    [ThreadStatic] private static List<OutboundFrame>? scratch;

    private readonly Socket socket;
    // Read once: Socket.SafeHandle marks the handle as exposed on every get.
    private readonly SafeSocketHandle handle;
    private readonly bool useRing;
    private readonly PipeReader input;
    private readonly WebSocketReader reader;
    private readonly WireFormat format;
    private readonly byte dataOpcode;
    private readonly int maxFrameBytes;
    private int earlyWriteBytes;
    private readonly ConnectionServices services;
    private readonly object gate = new();
    private SendQueue? queue;
    private TaskCompletionSource? sent;
    // 1 while a flush is scheduled or an asynchronous write is in flight: further wake-ups are no-ops.
    private int scheduled;
    private bool writing;
    private bool finished;
    private bool closeSent;
    private byte[]? pong;
    private bool pingDue;
    private long pingSentAt;
    private CloseReason? closing;
    private Timer? abortTimer;

    public SocketTransport(Socket socket, PipeReader input, WireFormat format, ConnectionServices services)
    {
        this.socket = socket;
        handle = socket.SafeHandle;
        useRing = services.Options.IoUringSends;
        this.input = input;
        this.format = format;
        this.services = services;
        dataOpcode = format == WireFormat.Json ? Opcode.Text : Opcode.Binary;
        maxFrameBytes = services.Options.MaxFrameBytes;
        reader = new WebSocketReader(input, services.Options.MaxMessageBytes, this);
    }

    // The reader turns resets and aborts into Gone itself: one async frame less per idle connection.
    public ValueTask<InboundMessage> ReceiveAsync() => reader.ReceiveAsync();

    public Task RunSenderAsync(SendQueue queue)
    {
        sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        this.queue = queue;
        // A small send queue must not fill up inside one long fan-out run while its client reads well.
        earlyWriteBytes = Math.Min(maxFrameBytes, queue.Capacity / 2);
        queue.Ready = ScheduleFlush;
        ScheduleFlush();
        return sent.Task;
    }

    public void BeginClose(CloseReason reason, TimeSpan timeout)
    {
        lock (gate)
        {
            if (closing is not null) return;
            closing = reason;
        }
        // A peer that is gone reads nothing: stop at once rather than wait on a write it will never take.
        if (reason == CloseReason.PeerGone) Abort();
        else abortTimer = new Timer(static s => ((SocketTransport)s!).Abort(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    public bool CheckLiveness(long nowMs)
    {
        var options = services.Options;
        var interval = (long)options.KeepAliveInterval.TotalMilliseconds;
        if (interval <= 0 || Volatile.Read(ref closing) is not null) return false;
        var last = reader.LastActivity;
        var pinged = Volatile.Read(ref pingSentAt);
        if (pinged != 0 && last < pinged)
        {
            var timeout = (long)options.KeepAliveTimeout.TotalMilliseconds;
            if (timeout > 0 && nowMs - pinged >= timeout) return true;
            // Without a timeout a ping is only repeated, for peers and proxies that count idle time.
            if (timeout > 0 || nowMs - pinged < interval) return false;
        }
        if (nowMs - last < interval) return false;
        Volatile.Write(ref pingSentAt, nowMs);
        lock (gate) pingDue = true;
        ScheduleFlush();
        return false;
    }

    void IControlFrameSink.OnPing(ReadOnlySpan<byte> payload)
    {
        // Only the latest ping needs an answer (RFC 6455 section 5.5.3), so a ping flood holds one buffer.
        var copy = payload.ToArray();
        lock (gate) pong = copy;
        ScheduleFlush();
    }

    /// <summary>Once the connection has ended: the socket and its input are the transport's to close.</summary>
    public void Dispose()
    {
        abortTimer?.Dispose();
        reader.Release();
        input.Complete();
        Close(socket);
    }

    /// <summary>Closes a socket the gateway accepted, sending what is still buffered first.</summary>
    public static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    public bool StagesSends => useRing;

    void IThreadPoolWorkItem.Execute() => Flush(null);

    private void ScheduleFlush()
    {
        // Called for every message queued: a plain read first keeps the flag's cache line shared while a flush is pending.
        if (Volatile.Read(ref scheduled) != 0 || Interlocked.Exchange(ref scheduled, 1) != 0)
        {
            // Once a whole frame (or half the queue's budget) is waiting there is nothing more worth coalescing: write it now
            // rather than at the end of the fan-out run, or a long run could fill the queue of a client that reads perfectly well.
            // Not while a write is in flight: its completion flushes, and a backed-up connection should not take the lock per message.
            if (queue is { } waiting && waiting.QueuedBytes >= earlyWriteBytes && !Volatile.Read(ref writing)) Flush(null);
            return;
        }
        if (!FlushBatch.TryDefer(this)) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>
    /// Writes what is ready: control frames first, then the queue in coalesced frames, then the close frame.
    /// With a ring, the first data frame is built and staged in it instead, and the rest follows once <see cref="IStagedSend.Sent"/> says how it went.
    /// </summary>
    public void Flush(SendRing? ring)
    {
        if (!useRing) ring = null;
        var abort = false;
        lock (gate)
        {
            // While a write is in flight, "scheduled" stays set: its completion flushes again.
            if (writing) return;
            // A full fence, not a release: the queue's emptiness is read next, and a plain store may become visible only
            // after that read, so an enqueue that saw "scheduled" still set would leave its frame with no flush coming.
            Interlocked.Exchange(ref scheduled, 0);
            if (finished || queue is null) return;
            try
            {
                for (var frames = 0; frames < 8; frames++)
                {
                    if (!TryTakeFrame(ring, out var buffer, out var start, out var end, out var staged)) return;
                    if (staged)
                    {
                        ring!.Commit(this, handle, start, end);
                        services.Metrics.FrameBatched();
                        // Until the ring says how it went, this connection writes nothing else, so its frames stay in order.
                        writing = true;
                        return;
                    }
                    if (!Write(buffer, start, end)) return;
                }
                // Still more: let the other connections of this batch go first.
                if (Interlocked.Exchange(ref scheduled, 1) == 0) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                abort = Fail();
            }
            catch (Exception ex)
            {
                // A bug on the write path ends this connection, not the process: Flush also runs on thread-pool
                // work items (FlushBatch), where an exception would take the node down.
                services.Logger.LogError(ex, "Writing to a connection failed; closing it");
                abort = Fail();
            }
        }
        if (abort) Abort();
    }

    /// <summary>
    /// The next frame to write, in a rented buffer, or with <paramref name="staged"/> a data frame built in the ring's
    /// space (control frames are rare and go by send()); false when there is none (and the sender may have finished).
    /// </summary>
    private bool TryTakeFrame(SendRing? ring, out byte[] buffer, out int start, out int end, out bool staged)
    {
        staged = false;
        if (pong is { } ping)
        {
            pong = null;
            return Control(Opcode.Pong, ping, out buffer, out start, out end);
        }
        if (pingDue)
        {
            pingDue = false;
            return Control(Opcode.Ping, [], out buffer, out start, out end);
        }
        // Lock-free checks first: a stale answer only costs one more look, because every enqueue and the
        // completion schedule a flush after they change the queue.
        if (!queue!.IsEmpty)
        {
            var batch = scratch ??= new List<OutboundFrame>();
            var bytes = queue.DequeueBatch(batch, maxFrameBytes);
            if (batch.Count > 0)
            {
                const int header = WebSocketFrame.MaxServerHeaderLength;
                var size = header + bytes + batch.Count;
                if (ring is not null && ring.TryReserve(size, out buffer, out start)) staged = true;
                else
                {
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                    start = 0;
                }
                // The payload is written first and the header right-aligned before it, so the frame is one contiguous write.
                var body = start + header;
                var length = OutboundBatch.Write(batch, format, buffer.AsSpan(body), services.Time, services.Metrics);
                batch.Clear();
                start = body - WebSocketFrame.ServerHeaderLength(length);
                WebSocketFrame.WriteServerHeader(buffer.AsSpan(start), dataOpcode, length);
                end = body + length;
                return true;
            }
        }
        buffer = [];
        start = end = 0;
        if (!queue.IsDrained) return false;
        var reason = closing ?? CloseReason.Normal;
        // A peer that is gone gets no close frame; otherwise the sender is done once the close frame is out.
        if (closeSent || reason == CloseReason.PeerGone)
        {
            Finish();
            return false;
        }
        closeSent = true;
        Span<byte> payload = stackalloc byte[125];
        var payloadLength = WebSocketFrame.WriteClosePayload(payload, reason.Code, reason.Reason);
        return Control(Opcode.Close, payload[..payloadLength], out buffer, out start, out end);
    }

    private static bool Control(byte opcode, ReadOnlySpan<byte> payload, out byte[] buffer, out int start, out int end)
    {
        buffer = ArrayPool<byte>.Shared.Rent(2 + payload.Length);
        start = 0;
        end = WebSocketFrame.WriteServerHeader(buffer, opcode, payload.Length);
        payload.CopyTo(buffer.AsSpan(end));
        end += payload.Length;
        return true;
    }

    void IStagedSend.Sent(int result, ReadOnlySpan<byte> frame)
    {
        var abort = false;
        lock (gate)
        {
            writing = false;
            if (result < 0) abort = Fail();
            else if (result < frame.Length && !finished)
            {
                // The socket took part of it (or none): the rest goes the way of any write the kernel cannot take at once.
                var rest = ArrayPool<byte>.Shared.Rent(frame.Length - result);
                frame[result..].CopyTo(rest);
                writing = true;
                _ = WriteRestAsync(rest, 0, frame.Length - result);
                return;
            }
        }
        if (abort) Abort();
        else Flush(null);
    }

    /// <summary>Writes without blocking; true when the kernel took it all. Otherwise the rest goes asynchronously and owns the buffer.</summary>
    private bool Write(byte[] buffer, int start, int end)
    {
        int written;
        SocketError error;
        try
        {
            written = socket.Send(buffer, start, end - start, SocketFlags.None, out error);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (error == SocketError.Success && written == end - start)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return true;
        }
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new SocketException((int)error);
        }
        writing = true;
        _ = WriteRestAsync(buffer, start + Math.Max(written, 0), end);
        return false;
    }

    private async Task WriteRestAsync(byte[] buffer, int start, int end)
    {
        var failed = false;
        try
        {
            while (start < end) start += await socket.SendAsync(buffer.AsMemory(start, end - start), SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            failed = true;
        }
        ArrayPool<byte>.Shared.Return(buffer);
        var abort = false;
        lock (gate)
        {
            writing = false;
            if (failed) abort = Fail();
        }
        if (abort) Abort();
        else Flush(null);
    }

    /// <summary>The socket is unusable: stop sending; the caller aborts the connection (outside the lock) so the receive side ends too.</summary>
    private bool Fail()
    {
        if (finished) return false;
        Finish();
        return true;
    }

    private void Finish()
    {
        finished = true;
        sent?.TrySetResult();
    }

    /// <summary>
    /// Ends the connection at once: the pending receive returns and the connection winds down; the socket is
    /// closed by its owner once it has. No lingering: a peer this gives up on gets a reset, and its unsent
    /// bytes do not sit in the kernel.
    /// </summary>
    private void Abort()
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
