using LoadGen.Protocols;
using LoadGen.WebSockets;

namespace LoadGen.Clients;

/// <summary>PushGateway protocol v1: subscribe to each topic with ids 1..K, then count <c>message</c> objects.</summary>
public sealed class PushGwSession(BenchClient client, IPushGwCodec codec, int? maxRate) : ClientSession(client), IFrameSink
{
    private int _answered;

    public override string PathAndQuery(Uri url) => url.PathAndQuery;

    public override string? SubProtocol => codec.SubProtocol;

    public override void Open(RawWebSocket socket)
    {
        var subs = Client.Subscriptions;
        for (var i = 0; i < subs.Length; i++)
        {
            var command = codec.EncodeSubscribe(i + 1, subs[i].Topic, maxRate);
            if (codec.TextFrames) socket.SendText(command);
            else socket.SendBinary(command);
        }
    }

    public override void OnMessage(RawWebSocket socket, bool text, ReadOnlySpan<byte> payload)
    {
        if (text != codec.TextFrames) { Client.Pool.CountProtocolError(); return; }
        Client.BeginFrame();
        try { codec.Decode(payload, this); }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            Client.Pool.CountProtocolError();
        }
        Client.EndFrame();
    }

    public void OnDelivery(ReadOnlySpan<byte> topic, long seq, long scheduledMicros) => Client.Deliver(topic, seq, scheduledMicros);

    public void OnReply(ReadOnlySpan<byte> type, long id, ReadOnlySpan<byte> code)
    {
        var subs = Client.Subscriptions;
        if (id < 1 || id > subs.Length) return;
        var sub = subs[id - 1];
        if (type.SequenceEqual("ack"u8)) sub.Acked = true;
        else if (type.SequenceEqual("error"u8))
        {
            sub.Failed = true;
            Client.Pool.CountSubscribeError(System.Text.Encoding.UTF8.GetString(code));
        }
        else return;
        if (++_answered == subs.Length) Client.MarkSubscribed();
    }
}
