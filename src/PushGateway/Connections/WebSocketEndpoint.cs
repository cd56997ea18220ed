using Microsoft.Extensions.Options;
using PushGateway.Configuration;
using PushGateway.Connections.WebSockets;
using PushGateway.Lifecycle;
using PushGateway.Security;

namespace PushGateway.Connections;

/// <summary>
/// GET /ws over ASP.NET Core: answers every handshake the direct upgrade (<see cref="WebSockets.DirectHandshake"/>)
/// left to the HTTP stack, refusals included, and accepts the rest on ASP.NET Core's WebSocket.
/// </summary>
internal sealed class WebSocketEndpoint(
    HandshakePolicy policy,
    ConnectionRunner runner,
    ClientSecurity security,
    DrainCoordinator drain,
    ConnectionServices services,
    IOptions<GatewayOptions> options)
{
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
        var request = context.Request;
        var verdict = await policy.EvaluateAsync(request.Headers.Origin, context.WebSockets.WebSocketRequestedProtocols,
            request.Headers.Authorization, request.Query[ClientSecurity.TokenQueryParameter]);
        if (await RefusedAsync(context, verdict)) return;
        try
        {
            var settings = options.Value;
            var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = verdict.SubProtocol,
                KeepAliveInterval = settings.KeepAliveInterval,
                KeepAliveTimeout = settings.KeepAliveTimeout,
            });
            using var transport = new ManagedWebSocketTransport(socket, verdict.Format, settings.MaxMessageBytes, settings.MaxFrameBytes, services);
            await runner.RunAsync(transport, verdict);
        }
        finally
        {
            security.ReleaseSlot();
        }
    }

    /// <summary>Writes the refusal, if the verdict is one; true when it was.</summary>
    private static async Task<bool> RefusedAsync(HttpContext context, HandshakeVerdict verdict)
    {
        if (verdict.Refusal is not { } refusal) return false;
        switch (refusal)
        {
            case HandshakeRefusal.Draining:
                await DrainCoordinator.RefuseAsync(context);
                break;
            case HandshakeRefusal.Origin:
                await ProblemAsync(context, StatusCodes.Status403Forbidden, "origin_not_allowed", "this origin may not open a WebSocket here (Security:AllowedOrigins)");
                break;
            case HandshakeRefusal.SubProtocol:
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync($"unsupported subprotocol: offer {Protocol.SubProtocols.Json} or {Protocol.SubProtocols.MessagePack}\n");
                break;
            case HandshakeRefusal.Full:
                context.Response.Headers.RetryAfter = "5";
                await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "node_full", "this node has reached Gateway:MaxConnections; try another node or retry later");
                break;
            default:
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                await ProblemAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", verdict.Detail ?? "unauthorized");
                break;
        }
        return true;
    }

    /// <summary>Refuses the upgrade with a problem-details body (readable by non-browser clients; browsers only see the failure).</summary>
    private static Task ProblemAsync(HttpContext context, int status, string code, string detail) =>
        Results.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code }).ExecuteAsync(context);
}
