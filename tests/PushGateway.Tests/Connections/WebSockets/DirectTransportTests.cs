using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using PushGateway.Connections.WebSockets;
using System.Text;
using PushGateway.Observability;
using PushGateway.Tests.BadInput;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Connections.WebSockets;

/// <summary>
/// Which transport serves a connection, and what only the direct one does itself: the 101, pongs,
/// pings when idle. The rest of the suite runs on the direct transport, the default; the fallback
/// (Gateway:DirectWebSockets off, as TLS and HTTP/2 connections always are) gets the same protocol checks here.
/// </summary>
public sealed class DirectTransportTests
{
    [Fact]
    public async Task A_plain_upgrade_is_served_on_the_raw_socket()
    {
        await using var node = GatewayNode.Start();
        await using var client = await node.ConnectAsync("pushgw.json");
        Assert.Equal("pushgw.json", client.Socket.SubProtocol);
        await client.RoundTripAsync();
        Assert.Equal(1, node.Get<GatewayMetrics>().Snapshot().DirectConnections);
    }

    [Fact]
    public async Task With_direct_WebSockets_off_the_same_protocol_runs_on_aspnet_core()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:DirectWebSockets"] = "false" });
        await using var client = await node.ConnectAsync();
        await client.SubscribeAsync("fallback.a");
        await node.PublishAsync("fallback.a", """{"v":1}""");
        var message = await client.ReceiveAsync();
        Assert.Equal("fallback.a", message.GetProperty("topic").GetString());
        var metrics = node.Get<GatewayMetrics>().Snapshot();
        Assert.Equal(0, metrics.DirectConnections);
        Assert.Equal(1, metrics.ConnectionsCurrent);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Both_transports_close_protocol_violations_with_1002(bool direct)
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:DirectWebSockets"] = direct.ToString() });
        await using var socket = await RawWebSocket.ConnectAsync(node.WebSocketAddress);
        await socket.SendFrameAsync(0x1, "{\"type\":\"ping\"}"u8, rsv: 0b100);
        var close = await socket.ReadUntilClosedAsync();
        // The close frame may be lost to a reset when the client's bytes are unread.
        Assert.True(close is 1002 or null, $"closed with {close}");
        await Bounded.Eventually(() => Task.FromResult(node.Get<GatewayMetrics>().ConnectionsCurrent == 0), "the connection is released");
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_pong_carrying_its_payload()
    {
        await using var node = GatewayNode.Start();
        await using var socket = await RawWebSocket.ConnectAsync(node.WebSocketAddress);
        await socket.SendFrameAsync(0x9, "are you there"u8);
        var frame = await socket.ReadFrameAsync().Within();
        Assert.Equal(0xA, frame!.Value.Opcode);
        Assert.Equal("are you there", Encoding.UTF8.GetString(frame.Value.Payload));
    }

    [Fact]
    public async Task An_idle_client_is_pinged_and_stays_while_it_answers()
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:KeepAliveInterval"] = "00:00:00.200",
            // Long beside the interval: on a busy CI machine an answered ping's pong can take over half a second
            // to be read. Three pings in a row still prove the idle client was pinged and kept.
            ["Gateway:KeepAliveTimeout"] = "00:00:05",
        });
        await using var socket = await RawWebSocket.ConnectAsync(node.WebSocketAddress);
        for (var i = 0; i < 3; i++)
        {
            var frame = await socket.ReadFrameAsync().Within();
            Assert.Equal(0x9, frame!.Value.Opcode);
            await socket.SendFrameAsync(0xA, frame.Value.Payload);
        }
        await socket.SendTextAsync("""{"type":"ping","id":"alive"}""");
        Assert.Contains("\"pong\"", await socket.ReadTextAsync().Within());
        Assert.Equal(0, node.Get<GatewayMetrics>().ClosedCount("peer_gone"));
    }

    [Fact]
    public async Task Commands_pipelined_behind_the_handshake_are_read()
    {
        await using var node = GatewayNode.Start();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(node.HttpAddress.Host, node.HttpAddress.Port).Within();
        var stream = tcp.GetStream();
        var head = $"GET /ws HTTP/1.1\r\nHost: {node.HttpAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        // A masked text frame {"type":"ping","id":7} in the same write as the head (mask key 0: payload unchanged).
        var command = """{"type":"ping","id":7}"""u8.ToArray();
        byte[] frame = [0x81, (byte)(0x80 | command.Length), 0, 0, 0, 0, .. command];
        await stream.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes(head), .. frame]).AsTask().Within();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\"pong\""))
        {
            var n = await stream.ReadAsync(buffer).AsTask().Within();
            Assert.True(n > 0, "closed before the pong: " + received);
            received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        var text = received.ToString();
        Assert.StartsWith("HTTP/1.1 101", text);
        // The accept value of RFC 6455 section 1.3's example key.
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", text);
    }

    /// <summary>Writes <paramref name="pieces"/> with a pause after each, so the gateway's peek sees an incomplete head first.</summary>
    private static async Task<string> ExchangeInPiecesAsync(GatewayNode node, string until, params string[] pieces)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(node.HttpAddress.Host, node.HttpAddress.Port).Within();
        var stream = tcp.GetStream();
        foreach (var piece in pieces)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(piece)).AsTask().Within();
            // Spacing, not a timing assertion: the pieces should reach the gateway apart.
            await Task.Delay(50);
        }
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains(until))
        {
            var n = await stream.ReadAsync(buffer).AsTask().Within();
            if (n == 0) break;
            received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        return received.ToString();
    }

    [Fact]
    public async Task An_upgrade_whose_head_arrives_in_pieces_is_accepted()
    {
        await using var node = GatewayNode.Start();
        var answer = await ExchangeInPiecesAsync(node, "\r\n\r\n",
            "GET /ws HTTP/1.1\r\nHost: x\r\n",
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
            "Sec-WebSocket-Version: 13\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", answer);
    }

    [Fact]
    public async Task A_request_that_is_not_an_upgrade_reaches_kestrel_with_every_byte()
    {
        await using var node = GatewayNode.Start();
        // Starts like an upgrade, turns out not to be one: the bytes the gateway peeked at must all reach HTTP.
        var plain = await ExchangeInPiecesAsync(node, "\r\n\r\n", "GET /w", "s HTTP/1.1\r\nHost: x\r\n", "Connection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", plain);
        var health = await ExchangeInPiecesAsync(node, "\r\n\r\n", "GET /hea", "lthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", health);
    }

    [Fact]
    public async Task Peers_that_reset_during_the_handshake_cost_the_listener_nothing()
    {
        await using var node = GatewayNode.Start();
        for (var i = 0; i < 20; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(node.HttpAddress.Host, node.HttpAddress.Port).Within();
            if (i % 2 == 0) await tcp.GetStream().WriteAsync("GET /ws HTTP/1.1\r\nHost:"u8.ToArray()).AsTask().Within();
            tcp.Client.LingerState = new LingerOption(true, 0);
            tcp.Close();
        }
        await using var client = await node.ConnectAsync();
        await client.RoundTripAsync();
        Assert.Equal(1, node.Get<GatewayMetrics>().Snapshot().DirectConnections);
    }

    [Theory]
    // Past the first peek window: served directly all the same.
    [InlineData(6 * 1024, 1)]
    // Past the direct handshake's limit: left to Kestrel, which upgrades it on ASP.NET Core's WebSocket.
    [InlineData(20 * 1024, 0)]
    public async Task A_head_with_large_cookies_is_upgraded(int cookieBytes, int direct)
    {
        await using var node = GatewayNode.Start();
        var head = $"GET /ws HTTP/1.1\r\nHost: {node.HttpAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Cookie: big={new string('c', cookieBytes)}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(node.HttpAddress.Host, node.HttpAddress.Port).Within();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head)).AsTask().Within();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n"))
        {
            var n = await stream.ReadAsync(buffer).AsTask().Within();
            Assert.True(n > 0, "closed before the answer: " + received);
            received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        Assert.StartsWith("HTTP/1.1 101", received.ToString());
        // Counted once the connection runs; it stays open (and counted) while this client holds it.
        await Bounded.Eventually(() => Task.FromResult(node.Get<GatewayMetrics>().ConnectionsCurrent == 1), "the connection is counted");
        Assert.Equal(direct, node.Get<GatewayMetrics>().Snapshot().DirectConnections);
    }

    [Fact]
    public async Task Binding_a_port_in_use_fails_as_kestrel_expects()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var services = new ServiceCollection().BuildServiceProvider();
        var factory = new DirectListenerFactory(
            services,
            Microsoft.Extensions.Options.Options.Create(new Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions()),
            Microsoft.Extensions.Options.Options.Create(new PushGateway.Configuration.GatewayOptions()),
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(),
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        // Kestrel reads AddressInUseException as "port taken" (and tries localhost's other address); anything else aborts the start.
        await Assert.ThrowsAsync<Microsoft.AspNetCore.Connections.AddressInUseException>(
            async () => await factory.BindAsync(taken.LocalEndpoint));
    }
}
