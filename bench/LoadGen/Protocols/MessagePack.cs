using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace LoadGen.Protocols;

/// <summary>
/// The little MessagePack this tool needs, written out rather than pulled in as a package: maps,
/// arrays, strings, integers, doubles, nil and booleans. Used for pushgw.msgpack commands and
/// frames and for the Socket.IO emitter's Redis packets.
/// </summary>
public sealed class MessagePackWriter(ArrayBufferWriter<byte> output)
{
    public void MapHeader(int count)
    {
        if (count < 16) Byte((byte)(0x80 | count));
        else { Byte(0xde); Be16((ushort)count); }
    }

    public void ArrayHeader(int count)
    {
        if (count < 16) Byte((byte)(0x90 | count));
        else { Byte(0xdc); Be16((ushort)count); }
    }

    public void String(string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        if (n < 32) Byte((byte)(0xa0 | n));
        else if (n < 256) { Byte(0xd9); Byte((byte)n); }
        else if (n < 65536) { Byte(0xda); Be16((ushort)n); }
        else { Byte(0xdb); var s4 = output.GetSpan(4); BinaryPrimitives.WriteUInt32BigEndian(s4, (uint)n); output.Advance(4); }
        var span = output.GetSpan(n);
        Encoding.UTF8.GetBytes(s, span);
        output.Advance(n);
    }

    public void Int(long v)
    {
        if (v >= 0 && v < 128) Byte((byte)v);
        else if (v >= -32 && v < 0) Byte((byte)(0xe0 | (v + 32)));
        else if (v >= int.MinValue && v <= int.MaxValue)
        {
            Byte(0xd2);
            var s = output.GetSpan(4); BinaryPrimitives.WriteInt32BigEndian(s, (int)v); output.Advance(4);
        }
        else
        {
            Byte(0xd3);
            var s = output.GetSpan(8); BinaryPrimitives.WriteInt64BigEndian(s, v); output.Advance(8);
        }
    }

    public void Nil() => Byte(0xc0);

    private void Byte(byte b) { output.GetSpan(1)[0] = b; output.Advance(1); }
    private void Be16(ushort v) { var s = output.GetSpan(2); BinaryPrimitives.WriteUInt16BigEndian(s, v); output.Advance(2); }
}

/// <summary>A forward-only MessagePack reader over one buffer; throws <see cref="FormatException"/> on what it cannot read.</summary>
public ref struct MessagePackReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly bool End => _pos >= _data.Length;

    public readonly byte Peek => _data[_pos];

    public bool TryReadMapHeader(out int count)
    {
        var b = _data[_pos];
        if ((b & 0xf0) == 0x80) { _pos++; count = b & 0x0f; return true; }
        if (b == 0xde) { count = BinaryPrimitives.ReadUInt16BigEndian(_data[(_pos + 1)..]); _pos += 3; return true; }
        if (b == 0xdf) { count = (int)BinaryPrimitives.ReadUInt32BigEndian(_data[(_pos + 1)..]); _pos += 5; return true; }
        count = 0;
        return false;
    }

    public bool TryReadArrayHeader(out int count)
    {
        var b = _data[_pos];
        if ((b & 0xf0) == 0x90) { _pos++; count = b & 0x0f; return true; }
        if (b == 0xdc) { count = BinaryPrimitives.ReadUInt16BigEndian(_data[(_pos + 1)..]); _pos += 3; return true; }
        if (b == 0xdd) { count = (int)BinaryPrimitives.ReadUInt32BigEndian(_data[(_pos + 1)..]); _pos += 5; return true; }
        count = 0;
        return false;
    }

    /// <summary>Reads a str (or bin) as raw bytes; false if the next value is neither.</summary>
    public bool TryReadStringBytes(out ReadOnlySpan<byte> value)
    {
        var b = _data[_pos];
        int len, head;
        if ((b & 0xe0) == 0xa0) { len = b & 0x1f; head = 1; }
        else if (b is 0xd9 or 0xc4) { len = _data[_pos + 1]; head = 2; }
        else if (b is 0xda or 0xc5) { len = BinaryPrimitives.ReadUInt16BigEndian(_data[(_pos + 1)..]); head = 3; }
        else if (b is 0xdb or 0xc6) { len = (int)BinaryPrimitives.ReadUInt32BigEndian(_data[(_pos + 1)..]); head = 5; }
        else { value = default; return false; }
        value = _data.Slice(_pos + head, len);
        _pos += head + len;
        return true;
    }

    /// <summary>Reads an integer, or a float holding a whole number; false for anything else.</summary>
    public bool TryReadInt64(out long value)
    {
        var b = _data[_pos];
        var s = _data[(_pos + 1)..];
        switch (b)
        {
            case <= 0x7f: value = b; _pos += 1; return true;
            case >= 0xe0: value = (sbyte)b; _pos += 1; return true;
            case 0xcc: value = s[0]; _pos += 2; return true;
            case 0xcd: value = BinaryPrimitives.ReadUInt16BigEndian(s); _pos += 3; return true;
            case 0xce: value = BinaryPrimitives.ReadUInt32BigEndian(s); _pos += 5; return true;
            case 0xcf: value = (long)BinaryPrimitives.ReadUInt64BigEndian(s); _pos += 9; return true;
            case 0xd0: value = (sbyte)s[0]; _pos += 2; return true;
            case 0xd1: value = BinaryPrimitives.ReadInt16BigEndian(s); _pos += 3; return true;
            case 0xd2: value = BinaryPrimitives.ReadInt32BigEndian(s); _pos += 5; return true;
            case 0xd3: value = BinaryPrimitives.ReadInt64BigEndian(s); _pos += 9; return true;
            case 0xca: value = (long)BinaryPrimitives.ReadSingleBigEndian(s); _pos += 5; return true;
            case 0xcb: value = (long)BinaryPrimitives.ReadDoubleBigEndian(s); _pos += 9; return true;
            default: value = 0; return false;
        }
    }

    public void Skip()
    {
        var b = _data[_pos];
        if (TryReadMapHeader(out var m)) { for (var i = 0; i < 2 * m; i++) Skip(); return; }
        if (TryReadArrayHeader(out var a)) { for (var i = 0; i < a; i++) Skip(); return; }
        if (TryReadStringBytes(out _) || TryReadInt64(out _)) return;
        var s = _data[(_pos + 1)..];
        _pos += b switch
        {
            0xc0 or 0xc2 or 0xc3 => 1,
            0xd4 => 3, 0xd5 => 4, 0xd6 => 6, 0xd7 => 10, 0xd8 => 18,
            0xc7 => 3 + s[0],
            0xc8 => 4 + BinaryPrimitives.ReadUInt16BigEndian(s),
            0xc9 => 6 + (int)BinaryPrimitives.ReadUInt32BigEndian(s),
            _ => throw new FormatException($"MessagePack type 0x{b:x2} not understood"),
        };
    }
}
