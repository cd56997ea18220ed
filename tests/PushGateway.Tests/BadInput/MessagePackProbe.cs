using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using PushGateway.Protocol;
using PushGateway.Protocol.MessagePack;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.BadInput;

/// <summary>A minimal `pushgw.msgpack` client: sends raw bytes, reads replies as JSON (through the gateway's own transcoder).</summary>
internal sealed class MessagePackProbe : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();

    public static async Task<MessagePackProbe> ConnectAsync(GatewayNode node)
    {
        var probe = new MessagePackProbe();
        probe.socket.Options.AddSubProtocol(SubProtocols.MessagePack);
        await probe.socket.ConnectAsync(node.WebSocketAddress, CancellationToken.None).Within();
        return probe;
    }

    public static byte[] Encode(string json)
    {
        var output = new ArrayBufferWriter<byte>();
        JsonMessagePackTranscoder.JsonToMessagePack(Encoding.UTF8.GetBytes(json), output);
        return output.WrittenSpan.ToArray();
    }

    public Task SendAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Binary) =>
        socket.SendAsync(bytes, type, true, CancellationToken.None).Within();

    /// <summary>The first object of the next server frame, as JSON.</summary>
    public async Task<JsonElement> ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        var count = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None).Within();
            count += result.Count;
        }
        while (!result.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        var json = new ArrayBufferWriter<byte>();
        var reader = new MessagePackReader(buffer.AsSpan(0, count));
        using (var writer = new Utf8JsonWriter(json)) JsonMessagePackTranscoder.MessagePackToJson(ref reader, writer);
        using var document = JsonDocument.Parse(json.WrittenMemory);
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        await Task.CompletedTask;
    }
}
