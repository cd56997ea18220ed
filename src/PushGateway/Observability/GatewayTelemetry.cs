using System.Diagnostics;

namespace PushGateway.Observability;

/// <summary>
/// The gateway's own spans: one per connection session and one per subscribe command, never one per
/// message (a node delivers far too many for that). With no listener, StartActivity returns null and
/// costs next to nothing.
/// </summary>
public static class GatewayTelemetry
{
    public const string ActivitySourceName = "PushGateway";

    public static readonly ActivitySource Source = new(ActivitySourceName, typeof(GatewayTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Spans the whole WebSocket session, as a child of ASP.NET Core's request span for GET /ws.</summary>
    public static Activity? StartConnection(long connectionId, string? subProtocol)
    {
        var activity = Source.StartActivity("pushgw.connection", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("pushgw.connection.id", connectionId);
            activity.SetTag("pushgw.subprotocol", subProtocol ?? "none");
        }
        return activity;
    }

    /// <summary>Records why the session ended; the span ends when the caller disposes it.</summary>
    public static void ConnectionEnded(Activity? activity, int? closeCode, string? closeReason)
    {
        if (activity is not { IsAllDataRequested: true }) return;
        activity.SetTag("pushgw.close.code", closeCode);
        activity.SetTag("pushgw.close.reason", closeReason);
    }

    /// <summary>Spans one subscribe command, from parsing to the ack (which waits for the bus subscription).</summary>
    public static Activity? StartSubscribe(long connectionId, string? topic)
    {
        var activity = Source.StartActivity("pushgw.subscribe", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("pushgw.connection.id", connectionId);
            activity.SetTag("pushgw.topic", topic);
        }
        return activity;
    }
}
