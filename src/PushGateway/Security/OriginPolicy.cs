using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace PushGateway.Security;

/// <summary>
/// The browser-origin allow-list (Security:AllowedOrigins), checked before a WebSocket or SSE
/// stream is opened. It protects users' browsers from other sites riding on their cookies or
/// network position; it is not authentication, since any non-browser client can send any Origin.
/// </summary>
public sealed class OriginPolicy
{
    private readonly OriginEntry[] entries;

    public OriginPolicy(IOptions<SecurityOptions> options)
    {
        var configured = options.Value.AllowedOrigins;
        AllowsAll = configured.Length == 0 || configured.Contains("*");
        entries = configured.Where(o => o != "*").Select(o => TryParseEntry(o, out var entry) ? entry : throw new ArgumentException($"invalid origin '{o}'")).ToArray();
        AllowedOrigins = configured;
    }

    /// <summary>True when no allow-list is configured (or it holds "*"): every origin is accepted.</summary>
    public bool AllowsAll { get; }

    public IReadOnlyList<string> AllowedOrigins { get; }

    /// <summary>The check for any browser-facing stream endpoint (/ws, /sse): false means answer 403.</summary>
    public static bool IsAllowed(HttpContext context) =>
        context.RequestServices.GetRequiredService<OriginPolicy>().Allows(context.Request.Headers.Origin);

    /// <summary>
    /// No Origin header: allowed, as it comes from a non-browser client (browsers always send one on
    /// a WebSocket handshake). Several Origin headers: refused.
    /// </summary>
    public bool Allows(StringValues origin)
    {
        if (origin.Count == 0) return true;
        if (origin.Count > 1) return false;
        return Allows(origin[0]);
    }

    public bool Allows(string? origin)
    {
        if (string.IsNullOrEmpty(origin)) return true;
        if (AllowsAll) return true;
        if (origin == "null") return entries.Any(e => e.IsNull);
        if (!TryParseOrigin(origin, out var scheme, out var host, out var port)) return false;
        foreach (var entry in entries)
        {
            if (entry.Matches(scheme, host, port)) return true;
        }
        return false;
    }

    /// <summary>For CORS: the same list, as an exact-origin predicate.</summary>
    public bool AllowsForCors(string origin) => !AllowsAll && Allows(origin);

    internal static bool TryParseEntry(string text, out OriginEntry entry)
    {
        entry = default;
        if (text == "*") return true;
        if (text == "null")
        {
            entry = new OriginEntry(null, null, 0, false, true);
            return true;
        }
        var wildcard = false;
        var candidate = text;
        var marker = text.IndexOf("://*.", StringComparison.Ordinal);
        if (marker > 0)
        {
            wildcard = true;
            candidate = text.Remove(marker + 3, 2);
        }
        if (!TryParseOrigin(candidate, out var scheme, out var host, out var port)) return false;
        entry = new OriginEntry(scheme, host, port, wildcard, false);
        return true;
    }

    private static bool TryParseOrigin(string text, out string scheme, out string host, out int port)
    {
        scheme = host = "";
        port = 0;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)) return false;
        if (uri.Scheme is not ("http" or "https")) return false;
        // An origin is scheme, host and port only: no path, query, fragment or credentials.
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0) return false;
        if (text.EndsWith('/')) return false;
        scheme = uri.Scheme;
        host = uri.IdnHost.ToLowerInvariant();
        port = uri.Port;
        return true;
    }

    internal readonly record struct OriginEntry(string? Scheme, string? Host, int Port, bool AnySubdomain, bool IsNull)
    {
        public bool Matches(string scheme, string host, int port)
        {
            if (IsNull || scheme != Scheme || port != Port) return false;
            if (!AnySubdomain) return host == Host;
            // "*.example.com" allows "a.example.com" and "a.b.example.com", not "example.com" or "badexample.com".
            return host.Length > Host!.Length + 1 && host.EndsWith("." + Host, StringComparison.Ordinal);
        }
    }
}
