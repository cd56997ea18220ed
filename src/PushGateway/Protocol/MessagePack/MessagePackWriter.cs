using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace PushGateway.Protocol.MessagePack;

/// <summary>
/// Writes MessagePack values into an <see cref="IBufferWriter{T}"/>, each in the smallest encoding the spec allows.
/// </summary>
/// <remarks>
/// A ref struct, like the writer of the MessagePack-CSharp package, so code written against it keeps compiling if that
/// package replaces this one. Every call goes straight to the output (GetSpan, encode, Advance) instead of buffering:
/// there is no Flush to forget, at the cost of one interface call pair per value.
/// </remarks>
public readonly ref struct MessagePackWriter
{
    /// <summary>The largest header of any format: a code byte, a 4-byte length and, for ext32, a type byte.</summary>
    internal const int MaxHeaderSize = 6;

    private readonly IBufferWriter<byte> _output;

    public MessagePackWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    public void WriteNil() => WriteCode(MessagePackCode.Nil);

    public void WriteBoolean(bool value) => WriteCode(value ? MessagePackCode.True : MessagePackCode.False);

    public void WriteInt64(long value)
    {
        var span = _output.GetSpan(9);
        _output.Advance(EncodeInt64(span, value));
    }

    public void WriteUInt64(ulong value)
    {
        var span = _output.GetSpan(9);
        _output.Advance(EncodeUInt64(span, value));
    }

    /// <summary>Writes a float32. Only for values known to be floats: a double narrowed here loses precision.</summary>
    public void WriteSingle(float value)
    {
        var span = _output.GetSpan(5);
        span[0] = MessagePackCode.Float32;
        BinaryPrimitives.WriteSingleBigEndian(span[1..], value);
        _output.Advance(5);
    }

    /// <summary>Always a float64, even for integral values: the reader must get back exactly the double it was given.</summary>
    public void WriteDouble(double value)
    {
        var span = _output.GetSpan(9);
        span[0] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        _output.Advance(9);
    }

    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteString(value.AsSpan());
    }

    /// <summary>Encodes UTF-16 to UTF-8; a lone surrogate becomes U+FFFD, as <see cref="Encoding.UTF8"/> does.</summary>
    public void WriteString(ReadOnlySpan<char> value)
    {
        // Counting first (vectorised) lets the header be exact and the text be encoded in place, with no copy.
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var span = _output.GetSpan(5 + byteCount);
        var headerSize = EncodeStringHeader(span, byteCount);
        var written = Encoding.UTF8.GetBytes(value, span[headerSize..]);
        _output.Advance(headerSize + written);
    }

    /// <summary>Writes text that is already UTF-8. It is not validated: the caller vouches for it.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        var span = _output.GetSpan(5 + utf8.Length);
        var headerSize = EncodeStringHeader(span, utf8.Length);
        utf8.CopyTo(span[headerSize..]);
        _output.Advance(headerSize + utf8.Length);
    }

    /// <summary>For text written in pieces: the caller follows this with exactly <paramref name="byteCount"/> bytes of UTF-8 through <see cref="WriteRaw"/>.</summary>
    public void WriteStringHeader(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        _output.Advance(EncodeStringHeader(_output.GetSpan(5), byteCount));
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        var span = _output.GetSpan(5 + value.Length);
        var headerSize = EncodeBinaryHeader(span, value.Length);
        value.CopyTo(span[headerSize..]);
        _output.Advance(headerSize + value.Length);
    }

    /// <summary>The caller follows this with exactly <paramref name="length"/> bytes through <see cref="WriteRaw"/>.</summary>
    public void WriteBinaryHeader(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _output.Advance(EncodeBinaryHeader(_output.GetSpan(5), length));
    }

    /// <summary>The caller follows this with exactly <paramref name="count"/> values.</summary>
    public void WriteArrayHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _output.Advance(EncodeArrayHeader(_output.GetSpan(5), count));
    }

    /// <summary>The caller follows this with exactly <paramref name="count"/> key-value pairs, key first.</summary>
    public void WriteMapHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _output.Advance(EncodeMapHeader(_output.GetSpan(5), count));
    }

    /// <summary>The caller follows this with exactly <paramref name="length"/> bytes of data through <see cref="WriteRaw"/>.</summary>
    public void WriteExtensionHeader(sbyte typeCode, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _output.Advance(EncodeExtensionHeader(_output.GetSpan(MaxHeaderSize), typeCode, length));
    }

    public void WriteExtension(sbyte typeCode, ReadOnlySpan<byte> data)
    {
        var span = _output.GetSpan(MaxHeaderSize + data.Length);
        var headerSize = EncodeExtensionHeader(span, typeCode, data.Length);
        data.CopyTo(span[headerSize..]);
        _output.Advance(headerSize + data.Length);
    }

    /// <summary>Copies bytes as they are: the body after a header, or a value encoded elsewhere.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }

    private void WriteCode(byte code)
    {
        _output.GetSpan(1)[0] = code;
        _output.Advance(1);
    }

    // The encoders below write into a span the caller has sized (9 bytes for numbers, 5 or 6 for headers)
    // and return how many bytes they used; the transcoder uses them to lay out a whole document in one span.

    internal static int EncodeUInt64(Span<byte> destination, ulong value)
    {
        if (value <= MessagePackCode.MaxPositiveFixInt)
        {
            destination[0] = (byte)value;
            return 1;
        }
        if (value <= byte.MaxValue)
        {
            destination[0] = MessagePackCode.UInt8;
            destination[1] = (byte)value;
            return 2;
        }
        if (value <= ushort.MaxValue)
        {
            destination[0] = MessagePackCode.UInt16;
            BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)value);
            return 3;
        }
        if (value <= uint.MaxValue)
        {
            destination[0] = MessagePackCode.UInt32;
            BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)value);
            return 5;
        }
        destination[0] = MessagePackCode.UInt64;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], value);
        return 9;
    }

    internal static int EncodeInt64(Span<byte> destination, long value)
    {
        // Non-negative values take the unsigned formats, which are never longer: 200 is uint8, not int16.
        if (value >= 0) return EncodeUInt64(destination, (ulong)value);
        if (value >= MessagePackCode.MinFixNegativeInt)
        {
            destination[0] = (byte)(sbyte)value;
            return 1;
        }
        if (value >= sbyte.MinValue)
        {
            destination[0] = MessagePackCode.Int8;
            destination[1] = (byte)(sbyte)value;
            return 2;
        }
        if (value >= short.MinValue)
        {
            destination[0] = MessagePackCode.Int16;
            BinaryPrimitives.WriteInt16BigEndian(destination[1..], (short)value);
            return 3;
        }
        if (value >= int.MinValue)
        {
            destination[0] = MessagePackCode.Int32;
            BinaryPrimitives.WriteInt32BigEndian(destination[1..], (int)value);
            return 5;
        }
        destination[0] = MessagePackCode.Int64;
        BinaryPrimitives.WriteInt64BigEndian(destination[1..], value);
        return 9;
    }

    internal static int EncodeStringHeader(Span<byte> destination, int byteCount)
    {
        if (byteCount <= MessagePackCode.MaxFixStrLength)
        {
            destination[0] = (byte)(MessagePackCode.MinFixStr | byteCount);
            return 1;
        }
        if (byteCount <= byte.MaxValue)
        {
            destination[0] = MessagePackCode.Str8;
            destination[1] = (byte)byteCount;
            return 2;
        }
        return EncodeLength16Or32(destination, byteCount, MessagePackCode.Str16, MessagePackCode.Str32);
    }

    internal static int EncodeBinaryHeader(Span<byte> destination, int length)
    {
        if (length <= byte.MaxValue)
        {
            destination[0] = MessagePackCode.Bin8;
            destination[1] = (byte)length;
            return 2;
        }
        return EncodeLength16Or32(destination, length, MessagePackCode.Bin16, MessagePackCode.Bin32);
    }

    internal static int EncodeArrayHeader(Span<byte> destination, int count)
    {
        if (count <= MessagePackCode.MaxFixCollectionCount)
        {
            destination[0] = (byte)(MessagePackCode.MinFixArray | count);
            return 1;
        }
        return EncodeLength16Or32(destination, count, MessagePackCode.Array16, MessagePackCode.Array32);
    }

    internal static int EncodeMapHeader(Span<byte> destination, int count)
    {
        if (count <= MessagePackCode.MaxFixCollectionCount)
        {
            destination[0] = (byte)(MessagePackCode.MinFixMap | count);
            return 1;
        }
        return EncodeLength16Or32(destination, count, MessagePackCode.Map16, MessagePackCode.Map32);
    }

    /// <summary>The size <see cref="EncodeArrayHeader"/> or <see cref="EncodeMapHeader"/> will use for <paramref name="count"/>.</summary>
    internal static int CollectionHeaderSize(int count) =>
        count <= MessagePackCode.MaxFixCollectionCount ? 1 : count <= ushort.MaxValue ? 3 : 5;

    internal static int EncodeExtensionHeader(Span<byte> destination, sbyte typeCode, int length)
    {
        var fixCode = length switch
        {
            1 => MessagePackCode.FixExt1,
            2 => MessagePackCode.FixExt2,
            4 => MessagePackCode.FixExt4,
            8 => MessagePackCode.FixExt8,
            16 => MessagePackCode.FixExt16,
            _ => (byte)0,
        };
        int headerSize;
        if (fixCode != 0)
        {
            destination[0] = fixCode;
            headerSize = 1;
        }
        else if (length <= byte.MaxValue)
        {
            destination[0] = MessagePackCode.Ext8;
            destination[1] = (byte)length;
            headerSize = 2;
        }
        else
        {
            headerSize = EncodeLength16Or32(destination, length, MessagePackCode.Ext16, MessagePackCode.Ext32);
        }
        destination[headerSize] = (byte)typeCode;
        return headerSize + 1;
    }

    private static int EncodeLength16Or32(Span<byte> destination, int length, byte code16, byte code32)
    {
        if (length <= ushort.MaxValue)
        {
            destination[0] = code16;
            BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)length);
            return 3;
        }
        destination[0] = code32;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
        return 5;
    }
}
