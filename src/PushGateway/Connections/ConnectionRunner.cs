using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Security;

namespace PushGateway.Connections;

/// <summary>Runs an accepted WebSocket connection to its end, whichever transport carries it: registry, log scope, telemetry.</summary>
internal sealed class ConnectionRunner(ConnectionServices services, ClientSecurity security, ConnectionRegistry registry)
{
    public async Task RunAsync(IClientTransport transport, HandshakeVerdict verdict)
    {
        var connection = new ClientConnection(transport, verdict.Format, services)
        {
            Guard = security.CreateGuard(),
            Principal = verdict.Principal!,
        };
        var direct = transport is WebSockets.SocketTransport ? 1 : 0;
        services.Metrics.DirectConnectionsChanged(direct);
        registry.Add(connection);
        try
        {
            using (services.Logger.BeginScope(new ConnectionLogScope(connection.Id)))
            using (var session = GatewayTelemetry.StartConnection(connection.Id, verdict.SubProtocol))
            {
                await connection.RunAsync().ConfigureAwait(false);
                GatewayTelemetry.ConnectionEnded(session, connection.CloseReason?.Code, connection.CloseReason?.Reason);
            }
        }
        finally
        {
            registry.Remove(connection);
            services.Metrics.DirectConnectionsChanged(-direct);
        }
    }
}
