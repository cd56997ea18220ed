using System.Buffers;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// The head of an HTTP/1.1 request that may be a WebSocket upgrade to /ws, read straight off a
/// connection before Kestrel's HTTP stack sees it. It takes only requests it fully understands
/// (RFC 6455 section 4.2.1); anything else, odd or not, is <see cref="PeekVerdict.NotOurs"/> and goes to
/// Kestrel untouched, which answers it as it would any request.
/// </summary>
internal sealed class UpgradeRequest
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private readonly List<KeyValuePair<string, string>> headers;

    private UpgradeRequest(string target, List<KeyValuePair<string, string>> headers, string key)
    {
        Target = target;
        this.headers = headers;
        Key = key;
        var query = target.IndexOf('?');
        QueryString = query < 0 ? "" : target[query..];
    }

    /// <summary>The request target as sent: /ws and any query string.</summary>
    public string Target { get; }

    /// <summary>"?..." or empty.</summary>
    public string QueryString { get; }

    /// <summary>Sec-WebSocket-Key, for the accept hash.</summary>
    public string Key { get; }

    /// <summary>Every value of a header (names compare case-insensitively), in order.</summary>
    public StringValues Header(string name)
    {
        StringValues values = default;
        foreach (var (n, v) in headers)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) values = StringValues.Concat(values, v);
        }
        return values;
    }

    /// <summary>Sec-WebSocket-Protocol split into its offers, as ASP.NET Core's WebSocketRequestedProtocols reports them.</summary>
    public IList<string> RequestedProtocols()
    {
        var offers = new List<string>();
        foreach (var value in Header("Sec-WebSocket-Protocol"))
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) offers.Add(part);
        }
        return offers;
    }

    /// <summary>
    /// Decides from as little as possible: a request line that is not `GET /ws` is refused at once.
    /// <paramref name="consumed"/> is the length of the head when the verdict is <see cref="PeekVerdict.Upgrade"/>.
    /// </summary>
    public static PeekVerdict TryParse(in ReadOnlySequence<byte> buffer, int maxHeadBytes, out UpgradeRequest? request, out long consumed)
    {
        request = null;
        consumed = 0;
        // "GET /ws" then ' ', '?' or '/': the method is case-sensitive (RFC 9110), the path is matched as
        // ASP.NET Core routing matches it, ignoring case.
        var prefix = "GET /ws"u8;
        Span<byte> start = stackalloc byte[prefix.Length + 1];
        var seen = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, seen).CopyTo(start);
        for (var i = 0; i < Math.Min(seen, prefix.Length); i++)
        {
            if (i < 5 ? start[i] != prefix[i] : (start[i] | 0x20) != prefix[i]) return PeekVerdict.NotOurs;
        }
        if (seen <= prefix.Length) return PeekVerdict.NeedMoreData;
        if (start[prefix.Length] is not ((byte)' ' or (byte)'?' or (byte)'/')) return PeekVerdict.NotOurs;

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeadEnd, advancePastDelimiter: true))
            return buffer.Length > maxHeadBytes ? PeekVerdict.NotOurs : PeekVerdict.NeedMoreData;
        if (head.Length > maxHeadBytes) return PeekVerdict.NotOurs;
        consumed = reader.Consumed;
        var text = Encoding.Latin1.GetString(head);
        request = Parse(text);
        return request is null ? PeekVerdict.NotOurs : PeekVerdict.Upgrade;
    }

    private static UpgradeRequest? Parse(string head)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0] != "GET" || requestLine[2] != "HTTP/1.1") return null;
        var target = requestLine[1];
        var path = target.Split('?', 2)[0];
        if (!path.Equals("/ws", StringComparison.OrdinalIgnoreCase) && !path.Equals("/ws/", StringComparison.OrdinalIgnoreCase)) return null;
        if (target.Any(c => c <= ' ' || c >= 0x7F)) return null;
        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':');
            // No obsolete line folding, no whitespace before the colon, no empty names: leave those to Kestrel's parser.
            if (colon <= 0 || line[0] is ' ' or '\t' || line[colon - 1] is ' ' or '\t') return null;
            var name = line[..colon];
            if (name.Any(c => c <= ' ' || c >= 0x7F)) return null;
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (value.Any(c => c is '\r' or '\n' or '\0')) return null;
            headers.Add(new(name, value));
        }
        var request = new UpgradeRequest(target, headers, key: "");
        if (request.Header("Host").Count != 1) return null;
        if (!HasToken(request.Header("Upgrade"), "websocket") || !HasToken(request.Header("Connection"), "upgrade")) return null;
        if (request.Header("Sec-WebSocket-Version") is not { Count: 1 } version || version[0] != "13") return null;
        if (request.Header("Sec-WebSocket-Key") is not { Count: 1 } key || !IsValidKey(key[0]!)) return null;
        // A body on an upgrade request is legal but pointless; Kestrel can deal with such a request.
        if (request.Header("Content-Length").Count > 0 || request.Header("Transfer-Encoding").Count > 0) return null;
        return new UpgradeRequest(target, headers, key[0]!);
    }

    private static bool HasToken(StringValues values, string token)
    {
        foreach (var value in values)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
            {
                if (part.Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
            }
        }
        return false;
    }

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var length) && length == 16;
    }
}

internal enum PeekVerdict
{
    NeedMoreData,
    /// <summary>Not a WebSocket upgrade this path takes: Kestrel's HTTP stack gets the connection untouched.</summary>
    NotOurs,
    Upgrade,
}
