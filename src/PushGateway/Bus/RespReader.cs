using System.Buffers.Text;

namespace PushGateway.Bus;

/// <summary>
/// The RESP2 a subscription connection receives: arrays of bulk strings and integers (the
/// "message", "pmessage" and "subscribe" pushes) and, before the first SUBSCRIBE, simple-string
/// and error replies. Reads one reply from the start of what has arrived, or says more must
/// arrive first; it never copies, so a reply's elements are ranges into the caller's buffer.
/// </summary>
internal static class RespReader
{
    public enum Result { Complete, Incomplete, Malformed }

    public enum Kind { Array, SimpleString, Error }

    /// <summary>
    /// On <see cref="Result.Complete"/>, <paramref name="elements"/> holds the ranges of the reply's
    /// <paramref name="count"/> elements within <paramref name="data"/> (an integer's digits, a bulk
    /// string's bytes, a simple string's or error's text as one element) and <paramref name="consumed"/>
    /// its length. An array of more elements than <paramref name="elements"/> holds is malformed here.
    /// </summary>
    public static Result TryRead(ReadOnlySpan<byte> data, Span<Range> elements, out Kind kind, out int count, out int consumed)
    {
        kind = Kind.Array;
        count = 0;
        consumed = 0;
        if (data.IsEmpty) return Result.Incomplete;
        var pos = 1;
        Result line;
        switch (data[0])
        {
            case (byte)'+' or (byte)'-':
                kind = data[0] == (byte)'+' ? Kind.SimpleString : Kind.Error;
                var cr = data.IndexOf((byte)'\r');
                if (cr < 0 || cr + 1 >= data.Length) return Result.Incomplete;
                if (data[cr + 1] != (byte)'\n') return Result.Malformed;
                if (elements.IsEmpty) return Result.Malformed;
                elements[0] = 1..cr;
                count = 1;
                consumed = cr + 2;
                return Result.Complete;
            case (byte)'*':
                break;
            default:
                return Result.Malformed;
        }
        line = TryReadNumber(data, ref pos, out var length);
        if (line != Result.Complete) return line;
        if (length < 0 || length > elements.Length) return Result.Malformed;
        for (var i = 0; i < length; i++)
        {
            if (pos >= data.Length) return Result.Incomplete;
            var type = data[pos++];
            if (type == (byte)':')
            {
                var start = pos;
                line = TryReadNumber(data, ref pos, out _);
                if (line != Result.Complete) return line;
                elements[i] = start..(pos - 2);
            }
            else if (type == (byte)'$')
            {
                line = TryReadNumber(data, ref pos, out var size);
                if (line != Result.Complete) return line;
                if (size == -1)
                {
                    elements[i] = pos..pos;
                    continue;
                }
                if (size < 0 || size > int.MaxValue - 2) return Result.Malformed;
                if (data.Length - pos < size + 2) return Result.Incomplete;
                var end = pos + (int)size;
                if (data[end] != (byte)'\r' || data[end + 1] != (byte)'\n') return Result.Malformed;
                elements[i] = pos..end;
                pos = end + 2;
            }
            else return Result.Malformed;
        }
        count = (int)length;
        consumed = pos;
        return Result.Complete;
    }

    /// <summary>A decimal number ended by CRLF at <paramref name="pos"/>, which moves past the CRLF.</summary>
    private static Result TryReadNumber(ReadOnlySpan<byte> data, ref int pos, out long value)
    {
        value = 0;
        var rest = data[pos..];
        var cr = rest.IndexOf((byte)'\r');
        // A length has at most 20 characters: anything longer without CR is not RESP.
        if (cr < 0) return rest.Length > 21 ? Result.Malformed : Result.Incomplete;
        if (cr + 1 >= rest.Length) return Result.Incomplete;
        if (rest[cr + 1] != (byte)'\n') return Result.Malformed;
        if (!Utf8Parser.TryParse(rest[..cr], out value, out var used) || used != cr) return Result.Malformed;
        pos += cr + 2;
        return Result.Complete;
    }

    /// <summary>A command as Redis reads it: an array of bulk strings.</summary>
    public static byte[] Command(params string[] parts)
    {
        var text = new System.Text.StringBuilder();
        text.Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
            text.Append('$').Append(System.Text.Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }
}
