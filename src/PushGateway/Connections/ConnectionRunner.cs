using PushGateway.Security;

namespace PushGateway.Connections;

/// <summary>
/// Turns an accepted WebSocket, whichever transport carries it, into a running connection. Not async
/// itself: an idle connection's pending awaits are what it costs in memory, so there is one chain of
/// them (the connection's), not one more here.
/// </summary>
internal sealed class ConnectionRunner(ConnectionServices services, ClientSecurity security)
{
    public Task RunAsync(IClientTransport transport, HandshakeVerdict verdict)
    {
        var connection = new ClientConnection(transport, verdict.Format, services)
        {
            Guard = security.CreateGuard(),
            Principal = verdict.Principal!,
        };
        return connection.RunAsync(verdict.SubProtocol);
    }
}
