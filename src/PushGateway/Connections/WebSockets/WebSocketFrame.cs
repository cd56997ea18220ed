using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace PushGateway.Connections.WebSockets;

/// <summary>RFC 6455 opcodes (section 5.2).</summary>
internal static class Opcode
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    public static bool IsControl(byte opcode) => (opcode & 0x8) != 0;
}

/// <summary>A parsed frame header of a client frame.</summary>
internal readonly record struct FrameHeader(bool Fin, byte Rsv, byte Opcode, bool Masked, long PayloadLength, uint MaskKey, int HeaderLength);

internal enum HeaderStatus
{
    Complete,
    NeedMoreData,
    /// <summary>A 64-bit length with its most significant bit set (section 5.2 forbids it).</summary>
    Invalid,
}

/// <summary>
/// The framing of RFC 6455 that the server needs: reading client frame headers, writing server
/// frame headers (never masked), and unmasking payloads. Pure functions, so the transport's hot
/// path and the fuzz tests share them.
/// </summary>
internal static class WebSocketFrame
{
    /// <summary>Largest server frame header: 2 bytes plus a 64-bit length.</summary>
    public const int MaxServerHeaderLength = 10;

    public static HeaderStatus TryReadHeader(in ReadOnlySequence<byte> buffer, out FrameHeader header)
    {
        header = default;
        Span<byte> bytes = stackalloc byte[14];
        var available = (int)Math.Min(buffer.Length, bytes.Length);
        if (available < 2) return HeaderStatus.NeedMoreData;
        buffer.Slice(0, available).CopyTo(bytes);
        var fin = (bytes[0] & 0x80) != 0;
        var rsv = (byte)((bytes[0] >> 4) & 0x7);
        var opcode = (byte)(bytes[0] & 0x0F);
        var masked = (bytes[1] & 0x80) != 0;
        long length = bytes[1] & 0x7F;
        var at = 2;
        if (length == 126)
        {
            if (available < 4) return HeaderStatus.NeedMoreData;
            length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
            at = 4;
        }
        else if (length == 127)
        {
            if (available < 10) return HeaderStatus.NeedMoreData;
            var wide = BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);
            if (wide > long.MaxValue) return HeaderStatus.Invalid;
            length = (long)wide;
            at = 10;
        }
        uint mask = 0;
        if (masked)
        {
            if (available < at + 4) return HeaderStatus.NeedMoreData;
            mask = BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
            at += 4;
        }
        header = new FrameHeader(fin, rsv, opcode, masked, length, mask, at);
        return HeaderStatus.Complete;
    }

    public static int ServerHeaderLength(int payloadLength) => payloadLength <= 125 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;

    /// <summary>Writes a final, unmasked frame header for <paramref name="payloadLength"/> bytes; returns its length.</summary>
    public static int WriteServerHeader(Span<byte> destination, byte opcode, int payloadLength)
    {
        destination[0] = (byte)(0x80 | opcode);
        if (payloadLength <= 125)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }
        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }
        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    /// <summary>
    /// XORs <paramref name="data"/> with the mask key, starting <paramref name="offset"/> bytes into
    /// the payload (a payload may arrive in several segments).
    /// </summary>
    public static void Unmask(Span<byte> data, uint maskKey, long offset)
    {
        var shift = (int)(offset & 3) * 8;
        // The key rotated so that byte 0 of data lines up with key byte (offset mod 4).
        var key = shift == 0 ? maskKey : BitOperations.RotateRight(maskKey, shift);
        var wide = ((ulong)key << 32) | key;
        var i = 0;
        if (BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~7)]);
            for (var w = 0; w < words.Length; w++) words[w] ^= wide;
            i = words.Length * 8;
        }
        for (; i < data.Length; i++) data[i] ^= (byte)(key >> ((i & 3) * 8));
    }

    /// <summary>A close frame's payload: the code, big-endian, then the reason in UTF-8 (at most 123 bytes).</summary>
    public static int WriteClosePayload(Span<byte> destination, int code, string reason)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)code);
        var length = System.Text.Encoding.UTF8.GetByteCount(reason) <= 123 ? System.Text.Encoding.UTF8.GetBytes(reason, destination[2..]) : 0;
        return 2 + length;
    }

    /// <summary>Close codes a peer may send (section 7.4): 1000-1003, 1007-1011 and the private ranges 3000-4999.</summary>
    public static bool IsValidCloseCode(int code) => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1011) or (>= 3000 and <= 4999);
}
