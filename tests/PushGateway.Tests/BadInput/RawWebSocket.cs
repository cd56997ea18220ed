using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.BadInput;

/// <summary>
/// A WebSocket client written on a bare TCP socket, for what a well-behaved library refuses to send:
/// reserved bits, unknown opcodes, unmasked frames, lying lengths, fragments that never end.
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient tcp;
    private readonly NetworkStream stream;
    private readonly byte[] pending = new byte[1 << 20];
    private int pendingCount;

    private RawWebSocket(TcpClient tcp)
    {
        this.tcp = tcp;
        stream = tcp.GetStream();
    }

    public static async Task<RawWebSocket> ConnectAsync(Uri ws, string? subProtocol = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(ws.Host, ws.Port).Within();
        var socket = new RawWebSocket(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {ws.PathAndQuery} HTTP/1.1\r\nHost: {ws.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n" +
            (subProtocol is null ? "" : $"Sec-WebSocket-Protocol: {subProtocol}\r\n") + "\r\n";
        await socket.stream.WriteAsync(Encoding.ASCII.GetBytes(request)).AsTask().Within();
        var head = await socket.ReadHeadAsync();
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) throw new InvalidOperationException("handshake refused: " + head.Split('\r')[0]);
        return socket;
    }

    /// <summary>Writes one frame. Client frames must be masked; <paramref name="mask"/> false breaks that rule on purpose.</summary>
    public Task SendFrameAsync(int opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0, bool mask = true, long? declaredLength = null)
    {
        var length = declaredLength ?? payload.Length;
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        var maskBit = mask ? 0x80 : 0;
        if (length is >= 0 and < 126) frame.Add((byte)(maskBit | (int)length));
        else if (length is >= 0 and <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(length >> 8));
            frame.Add((byte)length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(bytes, length);
            frame.AddRange(bytes);
        }
        var key = mask ? RandomNumberGenerator.GetBytes(4) : [];
        frame.AddRange(key);
        for (var i = 0; i < payload.Length; i++) frame.Add(mask ? (byte)(payload[i] ^ key[i % 4]) : payload[i]);
        return WriteAsync(frame.ToArray());
    }

    public Task SendTextAsync(string text) => SendFrameAsync(0x1, Encoding.UTF8.GetBytes(text));

    /// <summary>Raw bytes onto the wire, for frames no builder would produce (a header cut short).</summary>
    public async Task WriteAsync(byte[] bytes)
    {
        try
        {
            await stream.WriteAsync(bytes).AsTask().Within();
        }
        catch (IOException)
        {
            // The server may already have closed: what it answered is read next.
        }
    }

    /// <summary>
    /// Reads frames until the server's close frame, and returns its code; null when the TCP connection
    /// ended without one. Text frames seen on the way are returned in <paramref name="texts"/>.
    /// </summary>
    public async Task<int?> ReadUntilClosedAsync(List<string>? texts = null)
    {
        while (true)
        {
            var frame = await ReadFrameAsync();
            if (frame is null) return null;
            var (opcode, payload) = frame.Value;
            if (opcode == 0x8) return payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
            if (opcode == 0x1) texts?.Add(Encoding.UTF8.GetString(payload));
        }
    }

    /// <summary>The next text frame from the server, skipping pings; null if the connection closed first.</summary>
    public async Task<string?> ReadTextAsync()
    {
        while (true)
        {
            var frame = await ReadFrameAsync();
            if (frame is null || frame.Value.Opcode == 0x8) return null;
            if (frame.Value.Opcode == 0x1) return Encoding.UTF8.GetString(frame.Value.Payload);
        }
    }

    public async ValueTask DisposeAsync()
    {
        tcp.Dispose();
        await Task.CompletedTask;
    }

    /// <summary>The next frame of any kind, control frames included; null when the TCP connection ended.</summary>
    public async Task<(int Opcode, byte[] Payload)?> ReadFrameAsync()
    {
        if (!await FillAsync(2)) return null;
        var opcode = pending[0] & 0x0F;
        long length = pending[1] & 0x7F;
        var at = 2;
        if (length == 126)
        {
            if (!await FillAsync(4)) return null;
            length = BinaryPrimitives.ReadUInt16BigEndian(pending.AsSpan(2));
            at = 4;
        }
        else if (length == 127)
        {
            if (!await FillAsync(10)) return null;
            length = BinaryPrimitives.ReadInt64BigEndian(pending.AsSpan(2));
            at = 10;
        }
        if (!await FillAsync(at + (int)length)) return null;
        var payload = pending.AsSpan(at, (int)length).ToArray();
        Consume(at + (int)length);
        return (opcode, payload);
    }

    private async Task<string> ReadHeadAsync()
    {
        while (true)
        {
            var end = pending.AsSpan(0, pendingCount).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(pending, 0, end);
                Consume(end + 4);
                return head;
            }
            if (!await ReadMoreAsync()) throw new InvalidOperationException("the server closed during the handshake");
        }
    }

    private async Task<bool> FillAsync(int count)
    {
        while (pendingCount < count)
        {
            if (!await ReadMoreAsync()) return false;
        }
        return true;
    }

    private async Task<bool> ReadMoreAsync()
    {
        try
        {
            var read = await stream.ReadAsync(pending.AsMemory(pendingCount)).AsTask().Within();
            pendingCount += read;
            return read > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Consume(int count)
    {
        pending.AsSpan(count, pendingCount - count).CopyTo(pending);
        pendingCount -= count;
    }
}
