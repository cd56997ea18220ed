using System.Buffers;
using System.Text;
using LoadGen.Protocols;

namespace LoadGen.Publishing;

/// <summary>
/// What <c>emitter.to(topic).emit("message", payload)</c> of @socket.io/redis-emitter 5 puts on
/// Redis, written in C# so both targets are driven by the same scheduler: a MessagePack array
/// <c>["emitter", {type: 2, data: ["message", payload], nsp: "/"}, {rooms: [topic], flags: {}, except: []}]</c>
/// published on channel <c>socket.io#/#&lt;topic&gt;#</c>, which every server's redis-adapter
/// pattern-subscribes to. publisher.mjs does the same with the real emitter (<c>--sio-publisher node</c>).
/// </summary>
public sealed class SocketIoEmitterPublisher : RedisPublisher
{
    private readonly byte[][] _channels;
    private readonly string[] _topics;
    private readonly int _payloadBytes;

    public SocketIoEmitterPublisher(string redis, int maxInFlight, int topics, string topicPrefix, int payloadBytes)
        : base(redis, maxInFlight)
    {
        Topics = topics;
        _payloadBytes = payloadBytes;
        _topics = Enumerable.Range(0, topics).Select(t => topicPrefix + t).ToArray();
        _channels = _topics.Select(t => Encoding.UTF8.GetBytes("socket.io#/#" + t + "#")).ToArray();
    }

    protected override byte[] ChannelFor(int topic) => _channels[topic];

    protected override byte[] Payload(int topic, long seq, long scheduledMicros) =>
        Encode(_topics[topic], seq, scheduledMicros, _payloadBytes);

    public static byte[] Encode(string topic, long seq, long scheduledMicros, int payloadBytes)
    {
        var head = PayloadBuilder.Json(topic, seq, scheduledMicros, 0);
        var pad = PayloadBuilder.PadLength(head.Length - 2, payloadBytes);
        var buffer = new ArrayBufferWriter<byte>(payloadBytes + 96);
        var w = new MessagePackWriter(buffer);
        w.ArrayHeader(3);
        w.String("emitter");
        w.MapHeader(3);
        w.String("type"); w.Int(2);
        w.String("data");
        w.ArrayHeader(2);
        w.String("message");
        w.MapHeader(4);
        w.String("topic"); w.String(topic);
        w.String("seq"); w.Int(seq);
        w.String("t"); w.Int(scheduledMicros);
        w.String("pad"); w.String(new string('x', pad));
        w.String("nsp"); w.String("/");
        w.MapHeader(3);
        w.String("rooms"); w.ArrayHeader(1); w.String(topic);
        w.String("flags"); w.MapHeader(0);
        w.String("except"); w.ArrayHeader(0);
        return buffer.WrittenSpan.ToArray();
    }
}
