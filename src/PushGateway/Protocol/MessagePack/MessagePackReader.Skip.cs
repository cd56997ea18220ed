using System.Buffers.Binary;

namespace PushGateway.Protocol.MessagePack;

public ref partial struct MessagePackReader
{
    /// <summary>
    /// Skips the next value with everything nested in it: how unknown fields of a command are ignored.
    /// Throws <see cref="MessagePackFormatException"/> on malformed input or on nesting deeper than <see cref="MaxDepth"/>.
    /// </summary>
    public void Skip() => SkipValue(depth: 0);

    private void SkipValue(int depth)
    {
        var start = _position;
        var s = UnreadSpan;
        if (s.IsEmpty) throw new MessagePackFormatException("a value was expected but the input ended", start);
        if (s[0] == MessagePackCode.NeverUsed) throw ReservedByte(start);

        var size = MeasureHeader(s, out var elementCount);
        if (size < 0 || size > s.Length)
            throw new MessagePackFormatException($"a {TypeName(s[0])} is cut short or declares more bytes than remain", start);
        if (elementCount < 0)
        {
            _position += (int)size;
            return;
        }

        if (depth >= MaxDepth) throw DepthExceeded(start);
        // Each element takes a byte or more: checking here keeps a forged count from spinning the loop below.
        if (elementCount > s.Length - size)
            throw new MessagePackFormatException($"a {TypeName(s[0])} declares {elementCount} elements but only {s.Length - size} bytes remain", start);
        _position += (int)size;
        for (long i = 0; i < elementCount; i++) SkipValue(depth + 1);
    }

    /// <summary>
    /// The encoded size of the value at <c>s[0]</c>, or for a map or array the size of its header, with the number
    /// of values that follow it (keys and values both) in <paramref name="elementCount"/>, which is -1 for other types.
    /// Returns -1 when the input ends inside the header. The caller has ruled out 0xc1.
    /// </summary>
    private static long MeasureHeader(ReadOnlySpan<byte> s, out long elementCount)
    {
        elementCount = -1;
        var code = s[0];
        switch (code)
        {
            case <= MessagePackCode.MaxPositiveFixInt:
                return 1;
            case <= MessagePackCode.MaxFixMap:
                elementCount = 2 * (code & 0x0f);
                return 1;
            case <= MessagePackCode.MaxFixArray:
                elementCount = code & 0x0f;
                return 1;
            case <= MessagePackCode.MaxFixStr:
                return 1 + (code & 0x1f);
            case MessagePackCode.Bin8 or MessagePackCode.Str8:
                return LengthPrefixedSize(s, 1);
            case MessagePackCode.Bin16 or MessagePackCode.Str16:
                return LengthPrefixedSize(s, 2);
            case MessagePackCode.Bin32 or MessagePackCode.Str32:
                return LengthPrefixedSize(s, 4);
            case MessagePackCode.Ext8:
                return ExtensionSize(s, 1);
            case MessagePackCode.Ext16:
                return ExtensionSize(s, 2);
            case MessagePackCode.Ext32:
                return ExtensionSize(s, 4);
            case MessagePackCode.UInt8 or MessagePackCode.Int8:
                return 2;
            case MessagePackCode.UInt16 or MessagePackCode.Int16:
                return 3;
            case MessagePackCode.UInt32 or MessagePackCode.Int32 or MessagePackCode.Float32:
                return 5;
            case MessagePackCode.UInt64 or MessagePackCode.Int64 or MessagePackCode.Float64:
                return 9;
            case MessagePackCode.FixExt1:
                return 3;
            case MessagePackCode.FixExt2:
                return 4;
            case MessagePackCode.FixExt4:
                return 6;
            case MessagePackCode.FixExt8:
                return 10;
            case MessagePackCode.FixExt16:
                return 18;
            case MessagePackCode.Array16:
                return CollectionHeaderSize(s, 2, 1, out elementCount);
            case MessagePackCode.Array32:
                return CollectionHeaderSize(s, 4, 1, out elementCount);
            case MessagePackCode.Map16:
                return CollectionHeaderSize(s, 2, 2, out elementCount);
            case MessagePackCode.Map32:
                return CollectionHeaderSize(s, 4, 2, out elementCount);
            default:
                // nil, false, true and the negative fixints.
                return 1;
        }
    }

    private static long LengthPrefixedSize(ReadOnlySpan<byte> s, int width) =>
        TryReadLength(s, width, 0, out var length) ? 1 + width + (long)length : -1;

    private static long ExtensionSize(ReadOnlySpan<byte> s, int width) =>
        TryReadLength(s, width, 0, out var length) ? 2 + width + (long)length : -1;

    private static long CollectionHeaderSize(ReadOnlySpan<byte> s, int width, int valuesPerEntry, out long elementCount)
    {
        if (s.Length <= width)
        {
            elementCount = -1;
            return -1;
        }
        var count = width == 2 ? BinaryPrimitives.ReadUInt16BigEndian(s[1..]) : BinaryPrimitives.ReadUInt32BigEndian(s[1..]);
        elementCount = (long)count * valuesPerEntry;
        return 1 + width;
    }
}
