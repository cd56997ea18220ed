using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PushGateway.Tests.Observability;

/// <summary>
/// A stand-in OpenTelemetry collector on a free loopback port, keeping every request body.
/// It does not decode protobuf; metric and span names travel as plain UTF-8 strings inside it, which
/// is enough to tell that they were exported.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly object gate = new();
    // Every export so far: one batch may answer several waits (a subscribe span and a session span together).
    private readonly List<(string Path, byte[] Body)> received = [];
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>OTLP/HTTP (POST /v1/metrics) or, with <paramref name="grpc"/>, OTLP/gRPC over cleartext HTTP/2.</summary>
    public static async Task<OtlpReceiver> StartAsync(bool grpc = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0,
            listen => listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        builder.Logging.ClearProviders();
        // Its own request spans would otherwise go to the node under test's tracer (listeners pick
        // sources by name, process-wide), whose export would be another request here, and so on.
        builder.Services.AddSingleton(new ActivitySource("OtlpReceiver"));
        var receiver = new OtlpReceiver(builder.Build());
        receiver.app.MapPost("/v1/{signal}", receiver.AcceptAsync);
        // e.g. /opentelemetry.proto.collector.metrics.v1.MetricsService/Export
        receiver.app.MapPost("/opentelemetry.proto.collector.{signal}.v1.{service}/Export", receiver.AcceptGrpcAsync);
        await receiver.app.StartAsync();
        var address = receiver.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    /// <summary>An export to /v1/<paramref name="signal"/> whose body holds <paramref name="text"/>, received already or still to come.</summary>
    public async Task<byte[]> WaitForAsync(string signal, string text)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        var seen = 0;
        while (true)
        {
            Task next;
            lock (gate)
            {
                for (; seen < received.Count; seen++)
                {
                    var (path, body) = received[seen];
                    if (path == "/v1/" + signal && body.AsSpan().IndexOf(needle) >= 0) return body;
                }
                next = arrived.Task;
            }
            await next;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Keep(string path, byte[] body)
    {
        TaskCompletionSource wake;
        lock (gate)
        {
            received.Add((path, body));
            wake = arrived;
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.SetResult();
    }

    private async Task AcceptGrpcAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Keep("/v1/" + context.Request.RouteValues["signal"], body.ToArray());
        // One length-prefixed, empty Export*ServiceResponse, then grpc-status 0 (OK) in the trailers.
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private async Task AcceptAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Keep(context.Request.Path.Value!, body.ToArray());
        // An empty Export*ServiceResponse: full success.
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
