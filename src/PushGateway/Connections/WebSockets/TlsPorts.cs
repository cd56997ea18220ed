namespace PushGateway.Connections.WebSockets;

/// <summary>
/// The ports the host's configuration binds with https (`urls`, `https_ports`, `Kestrel:Endpoints:*:Url`).
/// A transport is not told which endpoints Kestrel wraps in TLS, and the direct listener serves plain
/// text: on a TLS port it would serve a plain-text upgrade, unencrypted, with its token in clear. So
/// these ports stay with Kestrel's own transport. Matching by port alone errs towards Kestrel, and a
/// port 0 https binding sends every port 0 binding there, since its port is not known in advance.
/// </summary>
internal static class TlsPorts
{
    private const int DefaultHttpsPort = 443;

    public static IReadOnlySet<int> From(IConfiguration configuration)
    {
        var ports = new HashSet<int>();
        foreach (var url in Split(configuration["urls"]))
            if (TryGetHttpsPort(url, out var port)) ports.Add(port);
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (TryGetHttpsPort(endpoint["Url"], out var port)) ports.Add(port);
        foreach (var value in Split(configuration["https_ports"]))
            if (int.TryParse(value, out var port)) ports.Add(port);
        return ports;
    }

    /// <summary>The port of an https URL as Kestrel reads it: a host of *, + or [::] allowed, 443 when none is given.</summary>
    public static bool TryGetHttpsPort(string? url, out int port)
    {
        port = 0;
        const string scheme = "https://";
        url = url?.Trim();
        if (url is null || !url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var authority = url[scheme.Length..];
        var slash = authority.IndexOf('/');
        if (slash >= 0) authority = authority[..slash];
        // An IPv6 host is bracketed; its colons are not the port's.
        var hostEnd = authority.StartsWith('[') ? authority.IndexOf(']') : 0;
        if (hostEnd < 0) return false;
        var colon = authority.IndexOf(':', hostEnd);
        if (colon < 0)
        {
            port = DefaultHttpsPort;
            return true;
        }
        return int.TryParse(authority[(colon + 1)..], out port) && port is >= 0 and <= 65535;
    }

    private static IEnumerable<string> Split(string? list) =>
        (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
