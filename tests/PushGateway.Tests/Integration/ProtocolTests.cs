using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using PushGateway.Protocol;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Integration;

/// <summary>Protocol v1 over a real socket: every command, every error code, delivery shape.</summary>
public sealed class ProtocolTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private static string Unique(string prefix) => prefix + "." + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Subscribe_and_unsubscribe_are_acknowledged_with_their_id()
    {
        await using var client = await fixture.Node.ConnectAsync();
        await client.SendAsync("""{"type":"subscribe","id":"s-1","topic":"fx.EURUSD"}""");
        var ack = await client.ReceiveAsync();
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.Equal("s-1", ack.GetProperty("id").GetString());
        await client.SendAsync("""{"type":"unsubscribe","id":2,"topic":"fx.EURUSD"}""");
        var second = await client.ReceiveAsync();
        Assert.Equal("ack", second.GetProperty("type").GetString());
        Assert.Equal(2, second.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Ping_is_answered_with_pong_and_a_missing_id_is_null()
    {
        await using var client = await fixture.Node.ConnectAsync();
        await client.SendAsync("""{"type":"ping"}""");
        var pong = await client.ReceiveAsync();
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, pong.GetProperty("id").ValueKind);
    }

    [Theory]
    [InlineData("{oops", ErrorCodes.InvalidJson)]
    [InlineData("[]", ErrorCodes.InvalidCommand)]
    [InlineData("""{"id":1}""", ErrorCodes.MissingType)]
    [InlineData("""{"type":"jump","id":1}""", ErrorCodes.UnknownType)]
    [InlineData("""{"type":"subscribe","id":1}""", ErrorCodes.MissingTopic)]
    [InlineData("""{"type":"subscribe","id":1,"topic":"fx..a"}""", ErrorCodes.InvalidTopic)]
    [InlineData("""{"type":"subscribe","id":1,"topic":"fx.>.a"}""", ErrorCodes.InvalidTopic)]
    [InlineData("""{"type":"subscribe","id":1,"topic":"fx.a b"}""", ErrorCodes.InvalidTopic)]
    [InlineData("""{"type":"unsubscribe","id":1,"topic":"never.subscribed"}""", ErrorCodes.NotSubscribed)]
    [InlineData("""{"type":"subscribe","id":1,"topic":7}""", ErrorCodes.InvalidCommand)]
    public async Task Bad_commands_get_an_error_frame_and_the_connection_stays_open(string command, string code)
    {
        await using var client = await fixture.Node.ConnectAsync();
        await client.SendAsync(command);
        var error = await client.ReceiveAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        await client.RoundTripAsync();
    }

    [Fact]
    public async Task Subscribing_twice_is_an_error()
    {
        await using var client = await fixture.Node.ConnectAsync();
        var topic = Unique("twice");
        await client.SubscribeAsync(topic);
        var reply = await client.CommandAsync("subscribe", topic);
        Assert.Equal(ErrorCodes.AlreadySubscribed, reply.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Binary_frames_on_the_json_subprotocol_get_an_error()
    {
        await using var client = await fixture.Node.ConnectAsync();
        await client.SendBytesAsync([0x81, 0x00], WebSocketMessageType.Binary);
        var error = await client.ReceiveAsync();
        Assert.Equal(ErrorCodes.UnsupportedFrame, error.GetProperty("code").GetString());
        await client.RoundTripAsync();
    }

    [Fact]
    public async Task Delivers_payloads_verbatim_or_as_strings()
    {
        await using var client = await fixture.Node.ConnectAsync();
        var topic = Unique("data");
        await client.SubscribeAsync(topic);
        await fixture.PublishAsync(topic, """{"bid":1.1}""");
        await fixture.PublishAsync(topic, "plain text");
        var first = await client.ReceiveMessageAsync();
        Assert.Equal(topic, first.GetProperty("topic").GetString());
        Assert.Equal(1.1, first.GetProperty("data").GetProperty("bid").GetDouble());
        Assert.False(first.TryGetProperty("pattern", out _));
        var second = await client.ReceiveMessageAsync();
        Assert.Equal("plain text", second.GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_message_is_delivered_once_per_matching_subscription_with_the_pattern_named()
    {
        await using var client = await fixture.Node.ConnectAsync();
        var root = Unique("fan");
        await client.SubscribeAsync(root + ".EURUSD");
        await client.SubscribeAsync(root + ".*");
        await client.SubscribeAsync(root + ".>");
        await fixture.PublishAsync(root + ".EURUSD", "1");
        var patterns = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            var message = await client.ReceiveMessageAsync();
            patterns.Add(message.TryGetProperty("pattern", out var p) ? p.GetString() : null);
        }
        Assert.Equal(new[] { null, root + ".*", root + ".>" }.Order(), patterns.Order());
        await client.RoundTripAsync();
        Assert.True(client.NothingPending);
    }

    [Fact]
    public async Task Nothing_arrives_after_unsubscribe()
    {
        await using var client = await fixture.Node.ConnectAsync();
        await using var witness = await fixture.Node.ConnectAsync();
        var topic = Unique("unsub");
        await client.SubscribeAsync(topic);
        await witness.SubscribeAsync(topic);
        await client.UnsubscribeAsync(topic);
        await fixture.PublishAsync(topic, "1");
        // One fan-out queues a message for every subscriber at once: once the witness has it, the
        // client's copy (if any) is queued ahead of the client's pong.
        await witness.ReceiveMessageAsync();
        await client.RoundTripAsync();
        Assert.True(client.NothingPending);
    }

    [Fact]
    public async Task Unknown_fields_are_ignored()
    {
        await using var client = await fixture.Node.ConnectAsync();
        var reply = await client.CommandAsync("subscribe", Unique("future"), ""","future":{"a":{"b":[1,null]}},"whatever":[1],"x":"y\"z", "n":1 """);
        Assert.True(reply.GetProperty("type").GetString() == "ack", reply.ToString());
    }

    [Fact]
    public async Task An_oversized_message_closes_with_1009()
    {
        await using var client = await fixture.Node.ConnectAsync();
        await client.SendAsync("{\"type\":\"ping\",\"pad\":\"" + new string('x', 5000) + "\"}");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.Closed.Within());
        Assert.Equal("message_too_big", client.CloseDescription);
    }

    [Fact]
    public async Task The_json_subprotocol_is_echoed_and_unknown_ones_are_refused()
    {
        await using var client = await fixture.Node.ConnectAsync("pushgw.json");
        Assert.Equal("pushgw.json", client.Socket.SubProtocol);
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => fixture.Node.ConnectAsync("mqtt"));
        Assert.Contains("400", refused.Message);
    }

    [Fact]
    public async Task Plain_http_on_ws_gets_400_and_health_endpoints_answer()
    {
        using var http = new HttpClient { BaseAddress = fixture.Node.HttpAddress };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/ws")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        using var stats = JsonDocument.Parse(await http.GetStringAsync("/stats"));
        Assert.Equal("in-process", stats.RootElement.GetProperty("bus").GetString());
    }
}
