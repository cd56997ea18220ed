using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PushGateway.Configuration;
using PushGateway.Lifecycle;
using PushGateway.Observability;
using PushGateway.Protocol;
using PushGateway.Security;

namespace PushGateway.Connections.Sse;

/// <summary>
/// GET /sse: Server-Sent Events for networks that block WebSockets. Applies the same checks as a
/// WebSocket handshake (origin, capacity, credentials, per-topic permissions), answering a refusal
/// with a plain-text body, then runs one <see cref="SseSession"/> to its end (docs/protocol.md).
/// </summary>
internal sealed class SseEndpoint(
    ConnectionServices services,
    ClientSecurity security,
    DrainCoordinator drain,
    IHostApplicationLifetime lifetime,
    IOptions<GatewayOptions> options,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger("PushGateway.Connections.Sse");

    public async Task HandleAsync(HttpContext context)
    {
        if (drain.IsDraining)
        {
            // Not a 503: EventSource gives up for good on any status but 200, so a draining node sends
            // it away with a stream that ends at once and asks for a jittered reconnect.
            await SendAwayAsync(context);
            return;
        }
        var origin = context.Request.Headers.Origin;
        if (!security.Origins.Allows(origin))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "this origin may not open a stream here (Security:AllowedOrigins)");
            return;
        }
        // EventSource from another origin is a CORS request: without this the browser hides the stream.
        if (origin.Count == 1)
        {
            context.Response.Headers.AccessControlAllowOrigin = origin;
            context.Response.Headers.Vary = "Origin";
        }
        if (!SseRequest.TryParse(context.Request, options.Value.MaxSubscriptionsPerConnection, out var request, out var invalid))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, invalid!);
            return;
        }
        if (!security.TryReserveSlot())
        {
            context.Response.Headers.RetryAfter = "5";
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "this node has reached Gateway:MaxConnections; try another node or retry later");
            return;
        }
        try
        {
            await AcceptAsync(context, request!);
        }
        finally
        {
            security.ReleaseSlot();
        }
    }

    private async Task AcceptAsync(HttpContext context, SseRequest request)
    {
        var credentials = await security.AuthenticateAsync(context.Request);
        if (credentials.Principal is not { } principal)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, credentials.Describe());
            return;
        }
        foreach (var key in request.Keys)
        {
            if (!principal.CanSubscribe(key))
            {
                await RefuseAsync(context, StatusCodes.Status403Forbidden, $"not allowed to subscribe to '{key.Text}'");
                return;
            }
        }
        await using var session = new SseSession(context, request, services, logger);
        if (!await session.SubscribeAsync())
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "the subscriptions could not be made; retry later");
            return;
        }
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // nginx buffers proxied responses unless told not to; a buffered stream arrives in lumps or never.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var guard = security.CreateGuard();
        guard.WatchExpiry(principal.ExpiresAt, () => session.End(CloseReason.TokenExpired));
        using (logger.BeginScope(new Dictionary<string, object> { ["StreamId"] = session.Id }))
        using (var span = GatewayTelemetry.StartConnection(session.Id, "sse"))
        {
            await session.RunAsync(lifetime.ApplicationStopping);
            GatewayTelemetry.ConnectionEnded(span, null, session.EndReason?.Reason);
        }
    }

    private static async Task SendAwayAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.WriteAsync(SseLine.ReconnectLater().Encode(WireFormat.Json));
        await context.Response.WriteAsync("\n: draining: this node is shutting down; reconnect to another node\n\n");
    }

    private static async Task RefuseAsync(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(reason + "\n");
    }
}
