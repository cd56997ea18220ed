using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using PushGateway.Protocol;
using PushGateway.Security;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Security;

/// <summary>The node-level limits: connections per node, the handshake timeout, and the command rate.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task Beyond_MaxConnections_the_handshake_gets_503_until_a_slot_frees()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:MaxConnections"] = "2" });
        await using var first = await node.ConnectAsync();
        await using var second = await node.ConnectAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Handshake.StatusAsync(node.WebSocketAddress));

        await first.CloseAsync();
        var security = node.Get<ClientSecurity>();
        await Bounded.Eventually(() => Task.FromResult(security.Admitted < 2), "the closed connection's slot is released");
        await using var third = await node.ConnectAsync();
        await third.RoundTripAsync();
    }

    [Fact]
    public async Task A_socket_that_never_finishes_its_handshake_is_dropped()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:HandshakeTimeout"] = "00:00:01" });
        using var silent = new TcpClient();
        using var trickling = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, node.HttpAddress.Port).Within();
        await trickling.ConnectAsync(IPAddress.Loopback, node.HttpAddress.Port).Within();
        await trickling.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")).AsTask().Within();

        Assert.True(await ClosedByServerAsync(silent), "the silent socket is still open");
        Assert.True(await ClosedByServerAsync(trickling), "the trickling socket is still open");
    }

    [Fact]
    public async Task An_upgraded_connection_is_not_subject_to_the_handshake_timeout()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:HandshakeTimeout"] = "00:00:01" });
        await using var client = await node.ConnectAsync();
        using var probe = new TcpClient();
        await probe.ConnectAsync(IPAddress.Loopback, node.HttpAddress.Port).Within();

        // The idle probe being dropped proves the timeout has run; the WebSocket opened before it must still work.
        Assert.True(await ClosedByServerAsync(probe));
        await client.RoundTripAsync();
    }

    [Fact]
    public async Task A_command_flood_gets_rate_limited_errors_then_4004()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:CommandsPerSecond"] = "1",
            ["Gateway:CommandBurst"] = "10",
        });
        await using var flooder = await node.ConnectAsync();
        await using var bystander = await node.ConnectAsync();
        await bystander.SubscribeAsync("flood.bystander");

        for (var i = 0; i < 200 && flooder.Socket.State == WebSocketState.Open; i++)
        {
            try
            {
                await flooder.SendAsync($"{{\"type\":\"ping\",\"id\":{i}}}");
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        Assert.Equal((WebSocketCloseStatus)4004, await flooder.Closed.Within());
        Assert.Equal("rate_limited", flooder.CloseDescription);
        var replies = new List<string>();
        while (!flooder.NothingPending) replies.Add((await flooder.ReceiveAsync()).GetProperty("type").GetString()!);
        Assert.InRange(replies.Count(r => r == "pong"), 10, 20);
        Assert.InRange(replies.Count(r => r == "error"), 1, 20);
        await node.PublishAsync("flood.bystander", "1");
        await bystander.ReceiveMessageAsync();
    }

    [Fact]
    public async Task A_client_that_slows_down_after_rate_limited_keeps_its_connection()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:CommandsPerSecond"] = "0.001",
            ["Gateway:CommandBurst"] = "5",
        });
        await using var client = await node.ConnectAsync();
        for (var i = 0; i < 5; i++) await client.RoundTripAsync();

        var refused = await client.CommandAsync("ping");

        Assert.Equal(ErrorCodes.RateLimited, refused.GetProperty("code").GetString());
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    /// <summary>True once the server closed the socket (a read returns 0 or fails); bounded.</summary>
    private static async Task<bool> ClosedByServerAsync(TcpClient client)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await client.GetStream().ReadAsync(buffer).AsTask().Within(TimeSpan.FromSeconds(15));
                if (read == 0) return true;
            }
        }
        catch (IOException)
        {
            return true;
        }
    }
}
