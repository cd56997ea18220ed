using System.Text.Json;
using Microsoft.Extensions.FileProviders;
using PushGateway.Api;
using PushGateway.Bus;
using PushGateway.Connections;
using PushGateway.Lifecycle;
using PushGateway.Observability;
using PushGateway.Topics;

namespace PushGateway.Hosting;

/// <summary>Maps the gateway's HTTP surface: /ws, health, /stats, the dashboard and the JS client.</summary>
public static class GatewayEndpoints
{
    private static readonly JsonSerializerOptions StatsJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static WebApplication MapPushGateway(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<GatewayMetrics>();
        var router = app.Services.GetRequiredService<TopicRouter>();
        var bus = app.Services.GetRequiredService<IMessageBus>();
        metrics.BindRouter(() => router.KeyCount, () => router.DispatchQueueLength);
        metrics.BindBus(() => bus.IsConnected);

        app.UseGatewayRequestTracing();
        app.UseWebSockets();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        var clientFiles = FindClientFiles(app.Environment);
        if (clientFiles is not null)
        {
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(clientFiles), RequestPath = "/client" });
        }

        var webSockets = app.Services.GetRequiredService<WebSocketEndpoint>();
        app.Map("/ws", webSockets.HandleAsync);
        app.MapGet("/sse", app.Services.GetRequiredService<Connections.Sse.SseEndpoint>().HandleAsync);
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        var readiness = app.Services.GetRequiredService<Readiness>();
        app.MapGet("/readyz", readiness.ToResult);
        var status = app.Services.GetRequiredService<NodeStatus>();
        app.MapGet("/stats", () => Results.Json(status.Report(), StatsJson));
        app.MapGet("/ops", () => OpsPage.Serve(app.Environment));
        app.MapPublishApi();
        return app;
    }

    /// <summary>
    /// The JS client lives in clients/js/src; a published build copies it to wwwroot/client, while
    /// `dotnet run` from a checkout serves it straight from the source folder.
    /// </summary>
    private static string? FindClientFiles(IWebHostEnvironment environment)
    {
        var fromCheckout = Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", "..", "clients", "js", "src"));
        return Directory.Exists(fromCheckout) ? fromCheckout : null;
    }
}
