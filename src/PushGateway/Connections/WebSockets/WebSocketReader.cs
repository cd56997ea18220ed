using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text.Unicode;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// Assembles a client's frames (RFC 6455) into whole messages, straight from the connection's input
/// pipe. Data payloads are copied out as they arrive, so a message larger than the pipe's buffer is
/// still read, and a frame that declares more than the limit is refused from its header alone: a
/// client cannot make the node buffer what it will refuse. Control frames are answered through
/// <see cref="IControlFrameSink"/>. An idle connection holds no message buffer.
/// </summary>
internal sealed class WebSocketReader(PipeReader input, int maxMessageBytes, IControlFrameSink control)
{
    private byte[]? message;
    private int messageLength;
    // The data opcode of the message being assembled; 0 between messages.
    private byte messageOpcode;
    // Bytes of continuation-frame headers: counted against the limit so endless empty fragments end too.
    private int fragmentOverhead;
    // The data frame whose payload is being copied.
    private long frameRemaining;
    private long frameOffset;
    private uint frameMask;
    private bool frameFin;
    private bool inFrame;
    private bool delivered;

    /// <summary>Environment.TickCount64 when bytes last arrived: what the keep-alive watches.</summary>
    public long LastActivity { get; private set; } = Environment.TickCount64;

    /// <summary>Reads until a whole data message is assembled or the stream ends.</summary>
    public async ValueTask<InboundMessage> ReceiveAsync()
    {
        ReleaseDelivered();
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // Reset, aborted (ConnectionAbortedException is an OperationCanceledException) or already torn down.
                Release();
                return new InboundMessage(InboundKind.Gone);
            }
            LastActivity = Environment.TickCount64;
            var buffer = result.Buffer;
            InboundMessage? outcome;
            try
            {
                outcome = Parse(ref buffer);
            }
            catch
            {
                input.AdvanceTo(buffer.Start);
                throw;
            }
            if (outcome is { } done)
            {
                input.AdvanceTo(buffer.Start);
                return done;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                Release();
                return new InboundMessage(InboundKind.Gone);
            }
        }
    }

    /// <summary>Returns the message buffer to the pool; the reader is not used after this.</summary>
    public void Release()
    {
        if (message is not null) ArrayPool<byte>.Shared.Return(message);
        message = null;
        messageLength = 0;
        messageOpcode = 0;
    }

    private void ReleaseDelivered()
    {
        if (!delivered) return;
        delivered = false;
        Release();
    }

    /// <summary>Consumes what it can of <paramref name="buffer"/>; a result when a message or an end was reached.</summary>
    private InboundMessage? Parse(ref ReadOnlySequence<byte> buffer)
    {
        Span<byte> controlPayload = stackalloc byte[125];
        while (true)
        {
            if (inFrame)
            {
                if (buffer.IsEmpty) return null;
                var take = (int)Math.Min(buffer.Length, frameRemaining);
                var target = message.AsSpan(messageLength, take);
                buffer.Slice(0, take).CopyTo(target);
                WebSocketFrame.Unmask(target, frameMask, frameOffset);
                messageLength += take;
                frameOffset += take;
                frameRemaining -= take;
                buffer = buffer.Slice(take);
                if (frameRemaining > 0) return null;
                inFrame = false;
                if (frameFin) return Complete();
                continue;
            }
            switch (WebSocketFrame.TryReadHeader(buffer, out var header))
            {
                case HeaderStatus.NeedMoreData:
                    return null;
                case HeaderStatus.Invalid:
                    return Violation("a 64-bit payload length with the top bit set");
            }
            if (header.Rsv != 0) return Violation("reserved bits set (no extension was negotiated)");
            if (!header.Masked) return Violation("client frames must be masked");
            if (Opcode.IsControl(header.Opcode))
            {
                if (header.Opcode is not (Opcode.Close or Opcode.Ping or Opcode.Pong)) return Violation($"unknown opcode {header.Opcode}");
                if (!header.Fin) return Violation("a fragmented control frame");
                if (header.PayloadLength > 125) return Violation("a control frame over 125 bytes");
                if (buffer.Length < header.HeaderLength + header.PayloadLength) return null;
                var payload = controlPayload[..(int)header.PayloadLength];
                buffer.Slice(header.HeaderLength, header.PayloadLength).CopyTo(payload);
                WebSocketFrame.Unmask(payload, header.MaskKey, 0);
                buffer = buffer.Slice(header.HeaderLength + header.PayloadLength);
                if (header.Opcode == Opcode.Close) return OnClose(payload);
                if (header.Opcode == Opcode.Ping) control.OnPing(payload);
                continue;
            }
            if (header.Opcode is not (Opcode.Text or Opcode.Binary or Opcode.Continuation)) return Violation($"unknown opcode {header.Opcode}");
            if (header.Opcode == Opcode.Continuation)
            {
                if (messageOpcode == 0) return Violation("a continuation frame without a message to continue");
                fragmentOverhead += header.HeaderLength;
            }
            else
            {
                if (messageOpcode != 0) return Violation("a new message inside a fragmented one");
                messageOpcode = header.Opcode;
                messageLength = 0;
                fragmentOverhead = 0;
            }
            if (messageLength + fragmentOverhead + header.PayloadLength > maxMessageBytes)
            {
                Release();
                return new InboundMessage(InboundKind.TooBig);
            }
            EnsureCapacity(messageLength + (int)header.PayloadLength);
            buffer = buffer.Slice(header.HeaderLength);
            inFrame = true;
            frameRemaining = header.PayloadLength;
            frameOffset = 0;
            frameMask = header.MaskKey;
            frameFin = header.Fin;
            if (frameRemaining == 0)
            {
                inFrame = false;
                if (frameFin) return Complete();
            }
        }
    }

    private InboundMessage Complete()
    {
        var kind = messageOpcode == Opcode.Text ? InboundKind.Text : InboundKind.Binary;
        var payload = message is null ? ReadOnlyMemory<byte>.Empty : message.AsMemory(0, messageLength);
        messageOpcode = 0;
        if (kind == InboundKind.Text && !Utf8.IsValid(payload.Span))
        {
            Release();
            return new InboundMessage(InboundKind.InvalidUtf8, Detail: "a text message that is not valid UTF-8");
        }
        delivered = true;
        return new InboundMessage(kind, payload);
    }

    private InboundMessage OnClose(ReadOnlySpan<byte> payload)
    {
        Release();
        if (payload.Length == 0) return new InboundMessage(InboundKind.Closed);
        if (payload.Length == 1) return Violation("a close frame with a 1-byte payload");
        var code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!WebSocketFrame.IsValidCloseCode(code)) return Violation($"close code {code} may not be sent");
        if (!Utf8.IsValid(payload[2..])) return new InboundMessage(InboundKind.InvalidUtf8, Detail: "a close reason that is not valid UTF-8");
        return new InboundMessage(InboundKind.Closed);
    }

    private InboundMessage Violation(string detail)
    {
        Release();
        return new InboundMessage(InboundKind.ProtocolViolation, Detail: detail);
    }

    private void EnsureCapacity(int needed)
    {
        if (message is not null && message.Length >= needed) return;
        // Doubling, but never past the limit: a fragmented message grows by what it actually sent.
        var size = Math.Max(needed, Math.Min(Math.Max(256, (message?.Length ?? 0) * 2), maxMessageBytes));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        if (message is not null)
        {
            message.AsSpan(0, messageLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(message);
        }
        message = bigger;
    }
}

/// <summary>Where the reader sends what a control frame asks for.</summary>
internal interface IControlFrameSink
{
    /// <summary>A ping: the sink answers with a pong carrying the same payload.</summary>
    void OnPing(ReadOnlySpan<byte> payload);
}
