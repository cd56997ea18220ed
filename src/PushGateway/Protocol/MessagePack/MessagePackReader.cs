using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace PushGateway.Protocol.MessagePack;

/// <summary>
/// Reads MessagePack values from a span, one at a time, without allocating (except <see cref="ReadString"/>).
/// </summary>
/// <remarks>
/// Built for hostile input: every length is checked against the bytes that remain before anything is sliced,
/// and nesting is bounded by <see cref="MaxDepth"/>. <c>TryRead*</c> never throw and leave the position where it was
/// when they return false (wrong type, truncated value, or a length larger than the input); <c>Read*</c>,
/// <see cref="NextType"/> and <see cref="Skip"/> throw <see cref="MessagePackFormatException"/> and nothing else.
/// A WebSocket message is assembled into one buffer before it is parsed, so a span suffices: no ReadOnlySequence.
/// </remarks>
public ref partial struct MessagePackReader
{
    public const int DefaultMaxDepth = 64;

    /// <summary>Skip and the transcoder recurse once per level: this keeps them far from a thread-pool stack's end.</summary>
    public const int MaxSupportedDepth = 1000;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public MessagePackReader(ReadOnlySpan<byte> buffer, int maxDepth = DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDepth, MaxSupportedDepth);
        _buffer = buffer;
        MaxDepth = maxDepth;
    }

    /// <summary>How many maps and arrays may nest inside one value that <see cref="Skip"/> or the transcoder walks.</summary>
    public int MaxDepth { get; }

    /// <summary>The offset of the next unread byte.</summary>
    public readonly int Position => _position;

    public readonly bool End => _position >= _buffer.Length;

    public readonly ReadOnlySpan<byte> UnreadSpan => _buffer[_position..];

    /// <summary>The type of the next value. Throws at the end of the input and on the reserved byte 0xc1.</summary>
    public readonly MessagePackType NextType
    {
        get
        {
            if (!TryPeekType(out var type)) ThrowCannotPeek();
            return type;
        }
    }

    public readonly bool TryPeekType(out MessagePackType type)
    {
        if (_position < _buffer.Length && MessagePackCode.TypeOf(_buffer[_position]) is { } known)
        {
            type = known;
            return true;
        }
        type = default;
        return false;
    }

    public bool TryReadNil()
    {
        if (_position < _buffer.Length && _buffer[_position] == MessagePackCode.Nil)
        {
            _position++;
            return true;
        }
        return false;
    }

    public void ReadNil()
    {
        if (!TryReadNil()) ThrowCannotRead(MessagePackType.Nil);
    }

    public bool TryReadBoolean(out bool value)
    {
        if (_position < _buffer.Length && _buffer[_position] is MessagePackCode.True or MessagePackCode.False)
        {
            value = _buffer[_position] == MessagePackCode.True;
            _position++;
            return true;
        }
        value = false;
        return false;
    }

    public bool ReadBoolean()
    {
        if (!TryReadBoolean(out var value)) ThrowCannotRead(MessagePackType.Boolean);
        return value;
    }

    /// <summary>Reads an integer of any width; false for a uint64 above <see cref="long.MaxValue"/>.</summary>
    public bool TryReadInt64(out long value)
    {
        var size = DecodeInteger(UnreadSpan, out value, out var aboveInt64);
        if (size == 0 || aboveInt64)
        {
            value = 0;
            return false;
        }
        _position += size;
        return true;
    }

    public long ReadInt64()
    {
        if (!TryReadInt64(out var value)) ThrowCannotRead(MessagePackType.Integer, nameof(Int64));
        return value;
    }

    /// <summary>Reads an integer of any width; false for a negative one.</summary>
    public bool TryReadUInt64(out ulong value)
    {
        var size = DecodeInteger(UnreadSpan, out var bits, out var aboveInt64);
        if (size == 0 || (bits < 0 && !aboveInt64))
        {
            value = 0;
            return false;
        }
        value = (ulong)bits;
        _position += size;
        return true;
    }

    public ulong ReadUInt64()
    {
        if (!TryReadUInt64(out var value)) ThrowCannotRead(MessagePackType.Integer, nameof(UInt64));
        return value;
    }

    /// <summary>Reads a float32, a float64, or an integer converted to the nearest double.</summary>
    public bool TryReadDouble(out double value)
    {
        var s = UnreadSpan;
        if (s.Length >= 9 && s[0] == MessagePackCode.Float64)
        {
            value = BinaryPrimitives.ReadDoubleBigEndian(s[1..]);
            _position += 9;
            return true;
        }
        if (s.Length >= 5 && s[0] == MessagePackCode.Float32)
        {
            value = BinaryPrimitives.ReadSingleBigEndian(s[1..]);
            _position += 5;
            return true;
        }
        var size = DecodeInteger(s, out var bits, out var aboveInt64);
        if (size == 0)
        {
            value = 0;
            return false;
        }
        value = aboveInt64 ? (ulong)bits : bits;
        _position += size;
        return true;
    }

    public double ReadDouble()
    {
        if (!TryReadDouble(out var value)) ThrowCannotRead(MessagePackType.Float);
        return value;
    }

    /// <summary>
    /// Decodes the integer at the start of <paramref name="s"/>, returning its encoded size, or 0 when it is not a whole integer.
    /// A uint64 above <see cref="long.MaxValue"/> comes back as its bits with <paramref name="aboveInt64"/> set.
    /// </summary>
    private static int DecodeInteger(ReadOnlySpan<byte> s, out long value, out bool aboveInt64)
    {
        aboveInt64 = false;
        value = 0;
        if (s.IsEmpty) return 0;
        var code = s[0];
        if (code <= MessagePackCode.MaxPositiveFixInt)
        {
            value = code;
            return 1;
        }
        if (code >= MessagePackCode.MinNegativeFixInt)
        {
            value = (sbyte)code;
            return 1;
        }
        switch (code)
        {
            case MessagePackCode.UInt8 when s.Length >= 2:
                value = s[1];
                return 2;
            case MessagePackCode.UInt16 when s.Length >= 3:
                value = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
                return 3;
            case MessagePackCode.UInt32 when s.Length >= 5:
                value = BinaryPrimitives.ReadUInt32BigEndian(s[1..]);
                return 5;
            case MessagePackCode.UInt64 when s.Length >= 9:
                var unsigned = BinaryPrimitives.ReadUInt64BigEndian(s[1..]);
                value = (long)unsigned;
                aboveInt64 = unsigned > long.MaxValue;
                return 9;
            case MessagePackCode.Int8 when s.Length >= 2:
                value = (sbyte)s[1];
                return 2;
            case MessagePackCode.Int16 when s.Length >= 3:
                value = BinaryPrimitives.ReadInt16BigEndian(s[1..]);
                return 3;
            case MessagePackCode.Int32 when s.Length >= 5:
                value = BinaryPrimitives.ReadInt32BigEndian(s[1..]);
                return 5;
            case MessagePackCode.Int64 when s.Length >= 9:
                value = BinaryPrimitives.ReadInt64BigEndian(s[1..]);
                return 9;
            default:
                return 0;
        }
    }

    /// <summary>Allocates a string; validates the UTF-8 first, since a replacement character would hide a malformed frame.</summary>
    public string ReadString()
    {
        var start = _position;
        var utf8 = ReadStringSpan();
        if (!Utf8.IsValid(utf8)) throw new MessagePackFormatException("a str holds invalid UTF-8", start);
        return Encoding.UTF8.GetString(utf8);
    }
}
