using System.Net;
using System.Net.WebSockets;
using PushGateway.Connections;
using PushGateway.Lifecycle;
using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Lifecycle;

/// <summary>The graceful drain on a real node: what clients, the load balancer and a newcomer see.</summary>
public sealed class DrainTests
{
    private static GatewayNode StartNode(string gracePeriod) =>
        GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:DrainGracePeriod"] = gracePeriod });

    private static async Task<List<TestClient>> ConnectAsync(GatewayNode node, int count)
    {
        var clients = new List<TestClient>();
        for (var i = 0; i < count; i++)
        {
            var client = await node.ConnectAsync();
            // A round trip proves the server runs this connection, so the drain's snapshot holds it.
            await client.RoundTripAsync();
            clients.Add(client);
        }
        return clients;
    }

    [Fact]
    public async Task Every_client_is_told_draining_while_readiness_fails_and_newcomers_are_refused()
    {
        await using var node = StartNode("00:00:02");
        using var http = new HttpClient { BaseAddress = node.HttpAddress };
        var clients = await ConnectAsync(node, 10);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz").Within()).StatusCode);

        var drain = node.Get<DrainCoordinator>();
        var draining = drain.DrainAsync();

        var readyz = await http.GetAsync("/readyz").Within();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Contains("draining", await readyz.Content.ReadAsStringAsync());
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => node.ConnectAsync());
        Assert.Contains("503", refused.Message);
        var plain = await http.GetAsync("/ws").Within();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, plain.StatusCode);
        Assert.NotNull(plain.Headers.RetryAfter?.Delta);
        Assert.Contains("\"draining\": true", await http.GetStringAsync("/stats").Within());

        foreach (var client in clients)
        {
            Assert.Equal((WebSocketCloseStatus)4001, await client.Closed.Within());
            Assert.Equal("draining", client.CloseDescription);
            // Answer the close as a real client would, so the drain need not wait out the close timeout.
            await client.DisposeAsync();
        }
        await draining.Within();
        var metrics = node.Get<GatewayMetrics>();
        await Bounded.Eventually(() => Task.FromResult(metrics.ClosedCount(CloseReason.Draining.Reason) == 10), "ten draining closes counted");
        Assert.Equal(0, node.Get<ConnectionRegistry>().Count);
    }

    [Fact]
    public async Task Stopping_the_host_drains_before_kestrel_stops()
    {
        var node = StartNode("00:00:01");
        var clients = await ConnectAsync(node, 3);

        // The factory's dispose is the host's StopAsync, as on SIGTERM.
        var stopping = node.DisposeAsync().AsTask();

        foreach (var client in clients)
        {
            Assert.Equal((WebSocketCloseStatus)4001, await client.Closed.Within());
            Assert.Equal("draining", client.CloseDescription);
            await client.DisposeAsync();
        }
        await stopping.Within(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void The_shutdown_timeout_covers_the_grace_period()
    {
        using var node = StartNode("00:00:45");
        var host = node.Get<Microsoft.Extensions.Options.IOptions<Microsoft.Extensions.Hosting.HostOptions>>().Value;
        Assert.True(host.ShutdownTimeout >= TimeSpan.FromSeconds(45 + 5), $"ShutdownTimeout {host.ShutdownTimeout}");
    }
}
