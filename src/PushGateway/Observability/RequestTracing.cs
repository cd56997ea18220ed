using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace PushGateway.Observability;

/// <summary>
/// Without the OpenTelemetry ASP.NET Core instrumentation package, ASP.NET Core's request span carries
/// no HTTP attributes: this adds the few that make it readable (method, path, status) and stops probes
/// and the operator page's polling (/healthz, /readyz, /stats, static files) from filling the trace store.
/// Does nothing when no tracer listens.
/// </summary>
internal static class RequestTracing
{
    private static readonly string[] UntracedPrefixes = ["/healthz", "/readyz", "/stats", "/ops", "/ops.html", "/ops.js", "/ops.css", "/client", "/js", "/css", "/vendor", "/favicon"];

    public static IApplicationBuilder UseGatewayRequestTracing(this IApplicationBuilder app) => app.Use(static async (context, next) =>
    {
        var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
        if (activity is not { IsAllDataRequested: true })
        {
            await next(context);
            return;
        }
        var path = context.Request.Path;
        if (IsUntraced(path))
        {
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context);
            return;
        }
        activity.DisplayName = $"{context.Request.Method} {path}";
        activity.SetTag("http.request.method", context.Request.Method);
        activity.SetTag("url.path", path.Value);
        try
        {
            await next(context);
        }
        finally
        {
            activity.SetTag("http.response.status_code", context.Response.StatusCode);
        }
    });

    private static bool IsUntraced(PathString path)
    {
        if (path == "/" || path == "/index.html") return true;
        foreach (var prefix in UntracedPrefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
