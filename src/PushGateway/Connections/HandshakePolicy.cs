using Microsoft.Extensions.Primitives;
using PushGateway.Lifecycle;
using PushGateway.Protocol;
using PushGateway.Security;

namespace PushGateway.Connections;

/// <summary>
/// Whether a WebSocket handshake may open a connection: draining, origin, subprotocol, capacity and
/// credentials, in that order, cheapest first, all before the upgrade. One policy for both ways a
/// connection is accepted (the direct upgrade on the raw socket and the /ws endpoint), so both answer alike.
/// </summary>
internal sealed class HandshakePolicy(ClientSecurity security, DrainCoordinator drain)
{
    /// <summary>An accepted verdict holds a connection slot: release it with <see cref="ClientSecurity.ReleaseSlot"/> when the connection ends.</summary>
    public async Task<HandshakeVerdict> EvaluateAsync(StringValues origin, IList<string> offered, StringValues authorization, StringValues accessToken)
    {
        if (drain.IsDraining) return HandshakeVerdict.Refuse(HandshakeRefusal.Draining);
        if (!security.Origins.Allows(origin)) return HandshakeVerdict.Refuse(HandshakeRefusal.Origin);
        if (!TryNegotiate(offered, out var format, out var subProtocol)) return HandshakeVerdict.Refuse(HandshakeRefusal.SubProtocol);
        // The slot is taken before the token is checked, so a full node spends no CPU on signatures.
        if (!security.TryReserveSlot()) return HandshakeVerdict.Refuse(HandshakeRefusal.Full);
        TokenResult credentials;
        try
        {
            credentials = await security.AuthenticateAsync(authorization, accessToken).ConfigureAwait(false);
        }
        catch
        {
            security.ReleaseSlot();
            throw;
        }
        if (credentials.Principal is null)
        {
            security.ReleaseSlot();
            return HandshakeVerdict.Refuse(HandshakeRefusal.Unauthorized, credentials.Describe());
        }
        return new HandshakeVerdict(null, null, format, subProtocol, credentials.Principal);
    }

    /// <summary>A client that offers nothing gets JSON; one that offers only unknown subprotocols is refused.</summary>
    internal static bool TryNegotiate(IList<string> offered, out WireFormat format, out string? subProtocol)
    {
        format = WireFormat.Json;
        subProtocol = null;
        if (offered.Count == 0) return true;
        foreach (var candidate in offered)
        {
            if (candidate == SubProtocols.Json)
            {
                subProtocol = candidate;
                return true;
            }
            if (candidate == SubProtocols.MessagePack)
            {
                format = WireFormat.MessagePack;
                subProtocol = candidate;
                return true;
            }
        }
        return false;
    }
}

internal enum HandshakeRefusal
{
    Draining,
    Origin,
    SubProtocol,
    Full,
    Unauthorized,
}

/// <summary>The policy's answer: a refusal, or the wire format, subprotocol and principal of the new connection.</summary>
internal sealed record HandshakeVerdict(HandshakeRefusal? Refusal, string? Detail, WireFormat Format, string? SubProtocol, ClientPrincipal? Principal)
{
    public static HandshakeVerdict Refuse(HandshakeRefusal refusal, string? detail = null) => new(refusal, detail, WireFormat.Json, null, null);
}
