using Microsoft.Extensions.Options;
using PushGateway.Configuration;

namespace PushGateway.Connections;

/// <summary>
/// One node-wide sweep instead of a timer per connection: each connection whose transport keeps itself
/// alive (the direct socket transport) is pinged after Gateway:KeepAliveInterval without a byte from
/// the client, and aborted when a ping stays unanswered for Gateway:KeepAliveTimeout.
/// </summary>
internal sealed class KeepAliveMonitor(ConnectionRegistry registry, IOptions<GatewayOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.KeepAliveInterval <= TimeSpan.Zero) return;
        var shortest = settings.KeepAliveTimeout > TimeSpan.Zero && settings.KeepAliveTimeout < settings.KeepAliveInterval
            ? settings.KeepAliveTimeout
            : settings.KeepAliveInterval;
        // A quarter of the shortest period: a dead peer is found within 1.25 times the timeout.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 25, 1000));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var now = Environment.TickCount64;
            foreach (var connection in registry.Live) connection.CheckLiveness(now);
        }
    }
}
