using Microsoft.Extensions.Options;
using PushGateway.Configuration;
using PushGateway.Lifecycle;
using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Security;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>
/// GET /ws: checks origin, subprotocol, capacity and credentials (in that order, cheapest first, all
/// before the upgrade), then accepts the WebSocket and runs the connection to its end.
/// </summary>
internal sealed class WebSocketEndpoint(
    ConnectionServices services,
    ClientSecurity security,
    ConnectionRegistry registry,
    DrainCoordinator drain,
    IOptions<GatewayOptions> options,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger("PushGateway.Connections");

    public async Task HandleAsync(HttpContext context)
    {
        if (drain.IsDraining)
        {
            await DrainCoordinator.RefuseAsync(context);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("expected a WebSocket upgrade (GET /ws with Upgrade: websocket)\n");
            return;
        }
        if (!security.Origins.Allows(context.Request.Headers.Origin))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "origin_not_allowed", "this origin may not open a WebSocket here (Security:AllowedOrigins)");
            return;
        }
        if (!TryNegotiate(context.WebSockets.WebSocketRequestedProtocols, out var format, out var subProtocol))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"unsupported subprotocol: offer {SubProtocols.Json} or {SubProtocols.MessagePack}\n");
            return;
        }
        // The slot is taken before the token is checked, so a full node spends no CPU on signatures.
        if (!security.TryReserveSlot())
        {
            context.Response.Headers.RetryAfter = "5";
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "node_full", "this node has reached Gateway:MaxConnections; try another node or retry later");
            return;
        }
        try
        {
            await AcceptAsync(context, format, subProtocol);
        }
        finally
        {
            security.ReleaseSlot();
        }
    }

    private async Task AcceptAsync(HttpContext context, WireFormat format, string? subProtocol)
    {
        var credentials = await security.AuthenticateAsync(context.Request);
        if (credentials.Principal is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", credentials.Describe());
            return;
        }
        var settings = options.Value;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = subProtocol,
            KeepAliveInterval = settings.KeepAliveInterval,
            KeepAliveTimeout = settings.KeepAliveTimeout,
        });
        var connection = new ClientConnection(socket, format, services) { Guard = security.CreateGuard() };
        connection.Principal = credentials.Principal;
        registry.Add(connection);
        try
        {
            using (logger.BeginScope(new ConnectionLogScope(connection.Id)))
            using (var session = GatewayTelemetry.StartConnection(connection.Id, subProtocol))
            {
                await connection.RunAsync();
                GatewayTelemetry.ConnectionEnded(session, connection.CloseReason?.Code, connection.CloseReason?.Reason);
            }
        }
        finally
        {
            registry.Remove(connection);
        }
    }

    /// <summary>Refuses the upgrade with a problem-details body (readable by non-browser clients; browsers only see the failure).</summary>
    private static Task RefuseAsync(HttpContext context, int status, string code, string detail) =>
        Results.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code }).ExecuteAsync(context);

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
