using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PushGateway.Protocol.MessagePack;

// Failure paths, kept out of line so the read methods stay small enough to inline;
// they re-inspect the input to say precisely what was wrong.
public ref partial struct MessagePackReader
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowCannotRead(MessagePackType expected, string? integerTarget = null)
    {
        if (End) throw new MessagePackFormatException($"expected {TypeName(expected)} but the input ended", _position);
        var code = _buffer[_position];
        if (MessagePackCode.TypeOf(code) is not { } actual) throw ReservedByte(_position);

        var compatible = actual == expected || (expected == MessagePackType.Float && actual == MessagePackType.Integer);
        if (!compatible)
            throw new MessagePackFormatException($"expected {TypeName(expected)} but found {TypeName(actual)} (0x{code:x2})", _position);
        if (actual == MessagePackType.Integer && integerTarget is not null && DecodeInteger(UnreadSpan, out _, out _) != 0)
            throw new MessagePackFormatException($"the integer does not fit in {integerTarget}", _position);
        throw new MessagePackFormatException($"the {TypeName(actual)} is cut short or declares more data than remains", _position);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowCannotPeek()
    {
        if (End) throw new MessagePackFormatException("a value was expected but the input ended", _position);
        throw ReservedByte(_position);
    }

    private static MessagePackFormatException ReservedByte(int offset) =>
        new("the reserved byte 0xc1 is not a valid format", offset);

    private readonly MessagePackFormatException DepthExceeded(int offset) =>
        new($"values are nested more than {MaxDepth} deep", offset);

    private static string TypeName(byte code) =>
        MessagePackCode.TypeOf(code) is { } type ? TypeName(type) : "reserved byte";

    /// <summary>The names the spec uses, so a message can be matched against it.</summary>
    private static string TypeName(MessagePackType type) => type switch
    {
        MessagePackType.Nil => "nil",
        MessagePackType.Boolean => "bool",
        MessagePackType.Integer => "int",
        MessagePackType.Float => "float",
        MessagePackType.String => "str",
        MessagePackType.Binary => "bin",
        MessagePackType.Array => "array",
        MessagePackType.Map => "map",
        _ => "ext",
    };
}
