using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using PushGateway.Protocol.MessagePack;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Integration;

/// <summary>The pushgw.msgpack subprotocol end to end: binary frames of concatenated maps, same commands and fields.</summary>
public sealed class MessagePackProtocolTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    private static byte[] Pack(string json)
    {
        var output = new ArrayBufferWriter<byte>();
        JsonMessagePackTranscoder.JsonToMessagePack(Encoding.UTF8.GetBytes(json), output);
        return output.WrittenSpan.ToArray();
    }

    private static List<JsonElement> Unpack(ReadOnlySpan<byte> frame)
    {
        var objects = new List<JsonElement>();
        var reader = new MessagePackReader(frame);
        while (!reader.End)
        {
            var output = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(output)) JsonMessagePackTranscoder.MessagePackToJson(ref reader, writer);
            objects.Add(JsonDocument.Parse(output.WrittenMemory).RootElement.Clone());
        }
        return objects;
    }

    private static async Task<List<JsonElement>> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 16];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).Within();
        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        Assert.True(result.EndOfMessage);
        return Unpack(buffer.AsSpan(0, result.Count));
    }

    [Fact]
    public async Task Commands_and_deliveries_are_messagepack_maps_with_the_json_fields()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("pushgw.msgpack");
        await socket.ConnectAsync(fixture.Node.WebSocketAddress, CancellationToken.None).Within();
        Assert.Equal("pushgw.msgpack", socket.SubProtocol);
        var topic = "mp." + Guid.NewGuid().ToString("N")[..8];
        await socket.SendAsync(Pack($$"""{"type":"subscribe","id":1,"topic":"{{topic}}"}"""), WebSocketMessageType.Binary, true, CancellationToken.None);
        var ack = Assert.Single(await ReceiveAsync(socket));
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        Assert.Equal(1, ack.GetProperty("id").GetInt32());

        await fixture.PublishAsync(topic, """{"bid":1.5,"pair":"EURUSD","n":[1,2]}""");
        var message = (await ReceiveAsync(socket)).Single(o => o.GetProperty("type").GetString() == "message");
        Assert.Equal(topic, message.GetProperty("topic").GetString());
        Assert.Equal(1.5, message.GetProperty("data").GetProperty("bid").GetDouble());
        Assert.True(message.GetProperty("seq").GetInt64() > 0);
    }

    [Fact]
    public async Task Malformed_messagepack_gets_an_error_frame_and_text_frames_are_refused()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("pushgw.msgpack");
        await socket.ConnectAsync(fixture.Node.WebSocketAddress, CancellationToken.None).Within();
        await socket.SendAsync(new byte[] { 0xdb, 0xff, 0xff, 0xff, 0xff }, WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal("invalid_msgpack", Assert.Single(await ReceiveAsync(socket)).GetProperty("code").GetString());
        await socket.SendAsync("{}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("unsupported_frame", Assert.Single(await ReceiveAsync(socket)).GetProperty("code").GetString());
        await socket.SendAsync(Pack("""{"type":"ping","id":"p"}"""), WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal("pong", Assert.Single(await ReceiveAsync(socket)).GetProperty("type").GetString());
    }
}

/// <summary>A payload that is valid JSON but not representable in MessagePack must neither break nor cost other recipients.</summary>
public sealed class MessagePackEdgeTests(SingleNodeFixture fixture) : IClassFixture<SingleNodeFixture>
{
    [Fact]
    public async Task A_lone_surrogate_escape_reaches_json_and_msgpack_clients()
    {
        var topic = "mp." + Guid.NewGuid().ToString("N")[..8];
        using var packed = new System.Net.WebSockets.ClientWebSocket();
        packed.Options.AddSubProtocol("pushgw.msgpack");
        await packed.ConnectAsync(fixture.Node.WebSocketAddress, CancellationToken.None).Within();
        var subscribe = new System.Buffers.ArrayBufferWriter<byte>();
        PushGateway.Protocol.MessagePack.JsonMessagePackTranscoder.JsonToMessagePack(
            System.Text.Encoding.UTF8.GetBytes($$"""{"type":"subscribe","id":1,"topic":"{{topic}}"}"""), subscribe);
        await packed.SendAsync(subscribe.WrittenMemory, System.Net.WebSockets.WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[4096];
        await packed.ReceiveAsync(buffer, CancellationToken.None).Within();
        await using var json = await fixture.Node.ConnectAsync();
        await json.SubscribeAsync(topic);

        await fixture.PublishAsync(topic, "\"\\ud800\"");
        await fixture.PublishAsync(topic, "{\"n\":2}");
        Assert.Equal("\"\\ud800\"", (await json.ReceiveMessageAsync()).GetProperty("data").GetRawText());
        Assert.Equal(2, (await json.ReceiveMessageAsync()).GetProperty("data").GetProperty("n").GetInt32());
        var received = 0;
        while (received < 2)
        {
            var result = await packed.ReceiveAsync(buffer, CancellationToken.None).Within();
            var reader = new PushGateway.Protocol.MessagePack.MessagePackReader(buffer.AsSpan(0, result.Count));
            while (!reader.End)
            {
                reader.Skip();
                received++;
            }
        }
        Assert.Equal(2, received);
    }
}
