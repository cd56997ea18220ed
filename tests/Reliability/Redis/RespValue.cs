namespace PushGateway.Reliability.Redis;

/// <summary>One RESP2 reply: a simple string, an error, an integer, a bulk string (or null), or an array.</summary>
internal sealed record RespValue(RespKind Kind, string? Text = null, long Integer = 0, byte[]? Bulk = null, RespValue[]? Items = null)
{
    public bool IsError => Kind == RespKind.Error;

    /// <summary>The reply as text: a simple string, an error message, a bulk string or an integer.</summary>
    public string? AsString() => Kind switch
    {
        RespKind.Simple or RespKind.Error => Text,
        RespKind.Bulk => Bulk is null ? null : System.Text.Encoding.UTF8.GetString(Bulk),
        RespKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    public override string ToString() => Kind == RespKind.Array ? $"[{string.Join(", ", Items!.Select(i => i.ToString()))}]" : AsString() ?? "(nil)";
}

internal enum RespKind { Simple, Error, Integer, Bulk, Array }
