using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using LoadGen.WebSockets;

namespace LoadGen.Clients;

/// <summary>
/// Engine.IO v4 / Socket.IO v5 over a plain WebSocket, as much of it as a subscriber needs: open
/// (<c>0{...}</c>), connect to the main namespace (<c>40</c>), emit <c>subscribe</c> with an ack
/// id per topic (<c>42N["subscribe","t"]</c>, answered <c>43N[...]</c>), answer pings (<c>2</c>
/// with <c>3</c>) and read <c>42["message",{...}]</c> events. The topic travels in the payload
/// because a room broadcast does not say which room it came from.
/// </summary>
public sealed class SocketIoSession(BenchClient client) : ClientSession(client)
{
    private int _answered;

    public override string PathAndQuery(Uri url)
    {
        var path = url.AbsolutePath is "" or "/" ? "/socket.io/" : url.AbsolutePath;
        return path + "?EIO=4&transport=websocket";
    }

    public override string? SubProtocol => null;

    public override void Open(RawWebSocket socket) { }

    public override void OnMessage(RawWebSocket socket, bool text, ReadOnlySpan<byte> p)
    {
        if (!text || p.IsEmpty) { Client.Pool.CountProtocolError(); return; }
        switch (p[0])
        {
            case (byte)'2': socket.SendText("3"u8); return;                    // engine.io ping
            case (byte)'0': socket.SendText("40"u8); return;                   // engine.io open: connect to "/"
            case (byte)'1': return;                                            // engine.io close
            case (byte)'4': break;                                             // socket.io packet
            default: return;
        }
        if (p.Length < 2) return;
        switch (p[1])
        {
            case (byte)'0':                                                    // connected: subscribe
                var subs = Client.Subscriptions;
                for (var i = 0; i < subs.Length; i++)
                    socket.SendText(Encoding.UTF8.GetBytes($"42{i + 1}[\"subscribe\",\"{subs[i].Topic}\"]"));
                return;
            case (byte)'2':
                Client.BeginFrame();
                try { OnEvent(p[2..]); }
                catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
                {
                    Client.Pool.CountProtocolError();
                }
                Client.EndFrame();
                return;
            case (byte)'3':                                                    // ack: 43N[...]
                if (Utf8Parser.TryParse(p[2..], out int id, out _) && id >= 1 && id <= Client.Subscriptions.Length)
                {
                    Client.Subscriptions[id - 1].Acked = true;
                    if (++_answered == Client.Subscriptions.Length) Client.MarkSubscribed();
                }
                return;
            case (byte)'4':                                                    // connect_error
                Client.Pool.CountSubscribeError("connect_error");
                return;
        }
    }

    private void OnEvent(ReadOnlySpan<byte> body)
    {
        var start = body.IndexOf((byte)'[');
        if (start < 0) return;
        var r = new Utf8JsonReader(body[start..]);
        r.Read();
        r.Read();
        if (r.TokenType != JsonTokenType.String || !r.ValueTextEquals("message"u8)) return;
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject) return;
        ReadOnlySpan<byte> topic = default;
        long seq = -1, t = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("topic"u8)) { r.Read(); topic = r.ValueSpan; }
            else if (r.ValueTextEquals("seq"u8)) { r.Read(); seq = r.GetInt64(); }
            else if (r.ValueTextEquals("t"u8)) { r.Read(); t = r.TryGetInt64(out var ti) ? ti : (long)r.GetDouble(); }
            else r.Skip();
        }
        Client.Deliver(topic, seq, t);
    }
}
