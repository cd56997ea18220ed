using System.Buffers.Binary;

namespace PushGateway.Protocol.MessagePack;

// The length-prefixed formats: str, bin, ext, and the array and map headers.
// A declared length is compared with what remains before anything is sliced or counted on,
// so a 4 GiB length in a 10-byte frame costs nothing but the check.
public ref partial struct MessagePackReader
{
    /// <summary>Reads a str without copying or validating it: the bytes are meant to be UTF-8.</summary>
    public bool TryReadStringSpan(out ReadOnlySpan<byte> utf8)
    {
        var s = UnreadSpan;
        var width = s.IsEmpty ? -1 : s[0] switch
        {
            >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr => 0,
            MessagePackCode.Str8 => 1,
            MessagePackCode.Str16 => 2,
            MessagePackCode.Str32 => 4,
            _ => -1,
        };
        return TryReadPayload(s, width, s.IsEmpty ? 0 : s[0] & 0x1f, out utf8);
    }

    public ReadOnlySpan<byte> ReadStringSpan()
    {
        if (!TryReadStringSpan(out var utf8)) ThrowCannotRead(MessagePackType.String);
        return utf8;
    }

    public bool TryReadBinary(out ReadOnlySpan<byte> bytes)
    {
        var s = UnreadSpan;
        var width = s.IsEmpty ? -1 : s[0] switch
        {
            MessagePackCode.Bin8 => 1,
            MessagePackCode.Bin16 => 2,
            MessagePackCode.Bin32 => 4,
            _ => -1,
        };
        return TryReadPayload(s, width, 0, out bytes);
    }

    public ReadOnlySpan<byte> ReadBinary()
    {
        if (!TryReadBinary(out var bytes)) ThrowCannotRead(MessagePackType.Binary);
        return bytes;
    }

    /// <summary>
    /// Reads an array header. The count is at most the number of bytes left, as every element takes one byte
    /// or more: a caller may size a collection by it without trusting the sender.
    /// </summary>
    public bool TryReadArrayHeader(out int count)
    {
        var s = UnreadSpan;
        var width = s.IsEmpty ? -1 : s[0] switch
        {
            >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray => 0,
            MessagePackCode.Array16 => 2,
            MessagePackCode.Array32 => 4,
            _ => -1,
        };
        if (width >= 0 && TryReadLength(s, width, s[0] & 0x0f, out var length) && length <= (uint)(s.Length - 1 - width))
        {
            count = (int)length;
            _position += 1 + width;
            return true;
        }
        count = 0;
        return false;
    }

    public int ReadArrayHeader()
    {
        if (!TryReadArrayHeader(out var count)) ThrowCannotRead(MessagePackType.Array);
        return count;
    }

    /// <summary>Reads a map header: the number of key-value pairs, at most half the bytes left.</summary>
    public bool TryReadMapHeader(out int count)
    {
        var s = UnreadSpan;
        var width = s.IsEmpty ? -1 : s[0] switch
        {
            >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap => 0,
            MessagePackCode.Map16 => 2,
            MessagePackCode.Map32 => 4,
            _ => -1,
        };
        if (width >= 0 && TryReadLength(s, width, s[0] & 0x0f, out var length) && (ulong)length * 2 <= (ulong)(s.Length - 1 - width))
        {
            count = (int)length;
            _position += 1 + width;
            return true;
        }
        count = 0;
        return false;
    }

    public int ReadMapHeader()
    {
        if (!TryReadMapHeader(out var count)) ThrowCannotRead(MessagePackType.Map);
        return count;
    }

    /// <summary>Reads an extension header; its <see cref="ExtensionHeader.Length"/> bytes are known to be there, for <see cref="ReadRawBytes"/>.</summary>
    public bool TryReadExtensionHeader(out ExtensionHeader header)
    {
        var s = UnreadSpan;
        var (width, fixLength) = s.IsEmpty ? (-1, 0) : s[0] switch
        {
            MessagePackCode.FixExt1 => (0, 1),
            MessagePackCode.FixExt2 => (0, 2),
            MessagePackCode.FixExt4 => (0, 4),
            MessagePackCode.FixExt8 => (0, 8),
            MessagePackCode.FixExt16 => (0, 16),
            MessagePackCode.Ext8 => (1, 0),
            MessagePackCode.Ext16 => (2, 0),
            MessagePackCode.Ext32 => (4, 0),
            _ => (-1, 0),
        };
        var headerSize = 2 + width;
        if (width >= 0 && s.Length >= headerSize && TryReadLength(s, width, fixLength, out var length) && length <= (uint)(s.Length - headerSize))
        {
            header = new ExtensionHeader((sbyte)s[1 + width], (int)length);
            _position += headerSize;
            return true;
        }
        header = default;
        return false;
    }

    public ExtensionHeader ReadExtensionHeader()
    {
        if (!TryReadExtensionHeader(out var header)) ThrowCannotRead(MessagePackType.Extension);
        return header;
    }

    /// <summary>Reads a whole extension value: header and data.</summary>
    public bool TryReadExtension(out ExtensionHeader header, out ReadOnlySpan<byte> data)
    {
        if (!TryReadExtensionHeader(out header))
        {
            data = default;
            return false;
        }
        data = _buffer.Slice(_position, header.Length);
        _position += header.Length;
        return true;
    }

    public ReadOnlySpan<byte> ReadExtension(out ExtensionHeader header)
    {
        if (!TryReadExtension(out header, out var data)) ThrowCannotRead(MessagePackType.Extension);
        return data;
    }

    /// <summary>Reads the next <paramref name="length"/> bytes as they are, such as the data after an extension header.</summary>
    public ReadOnlySpan<byte> ReadRawBytes(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > _buffer.Length - _position)
            throw new MessagePackFormatException($"{length} raw bytes were expected but only {_buffer.Length - _position} remain", _position);
        var bytes = _buffer.Slice(_position, length);
        _position += length;
        return bytes;
    }

    /// <summary>
    /// Reads a str or bin of <paramref name="width"/> length bytes (0: the length is <paramref name="fixLength"/>,
    /// taken from the code byte) and advances past it; false if <paramref name="width"/> is negative (another type).
    /// </summary>
    private bool TryReadPayload(ReadOnlySpan<byte> s, int width, int fixLength, out ReadOnlySpan<byte> payload)
    {
        var headerSize = 1 + width;
        if (width >= 0 && TryReadLength(s, width, fixLength, out var length) && length <= (uint)(s.Length - headerSize))
        {
            payload = s.Slice(headerSize, (int)length);
            _position += headerSize + (int)length;
            return true;
        }
        payload = default;
        return false;
    }

    /// <summary>Reads the big-endian length of <paramref name="width"/> bytes that follows the code byte.</summary>
    private static bool TryReadLength(ReadOnlySpan<byte> s, int width, int fixLength, out uint length)
    {
        if (s.Length <= width)
        {
            length = 0;
            return false;
        }
        length = width switch
        {
            0 => (uint)fixLength,
            1 => s[1],
            2 => BinaryPrimitives.ReadUInt16BigEndian(s[1..]),
            _ => BinaryPrimitives.ReadUInt32BigEndian(s[1..]),
        };
        return true;
    }
}
