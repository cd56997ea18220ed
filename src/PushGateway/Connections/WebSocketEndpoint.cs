using Microsoft.Extensions.Options;
using PushGateway.Configuration;
using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections;

/// <summary>GET /ws: negotiates the subprotocol, accepts the WebSocket and runs the connection to its end.</summary>
internal sealed class WebSocketEndpoint(
    TopicRouter router,
    ConnectionRegistry registry,
    GatewayMetrics metrics,
    IOptions<GatewayOptions> options,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger("PushGateway.Connections");

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("expected a WebSocket upgrade (GET /ws with Upgrade: websocket)\n");
            return;
        }
        if (!TryNegotiate(context.WebSockets.WebSocketRequestedProtocols, out var format, out var subProtocol))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"unsupported subprotocol: offer {SubProtocols.Json} or {SubProtocols.MessagePack}\n");
            return;
        }
        var settings = options.Value;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = subProtocol,
            KeepAliveInterval = settings.KeepAliveInterval,
            KeepAliveTimeout = settings.KeepAliveTimeout,
        });
        var connection = new ClientConnection(socket, format, router, settings, metrics, logger);
        registry.Add(connection);
        try
        {
            using (logger.BeginScope(new Dictionary<string, object> { ["ConnectionId"] = connection.Id }))
            {
                await connection.RunAsync();
            }
        }
        finally
        {
            registry.Remove(connection);
        }
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
