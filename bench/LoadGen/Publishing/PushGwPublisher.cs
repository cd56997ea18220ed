using System.Text;

namespace LoadGen.Publishing;

/// <summary>The gateway's publisher contract (docs/protocol.md): <c>PUBLISH &lt;topic&gt; &lt;json&gt;</c>.</summary>
public sealed class PushGwPublisher : RedisPublisher
{
    private readonly byte[][] _channels;
    private readonly int _payloadBytes;

    public PushGwPublisher(string redis, int maxInFlight, int topics, string topicPrefix, int payloadBytes)
        : base(redis, maxInFlight)
    {
        Topics = topics;
        _payloadBytes = payloadBytes;
        _channels = Enumerable.Range(0, topics).Select(t => Encoding.UTF8.GetBytes(topicPrefix + t)).ToArray();
    }

    protected override byte[] ChannelFor(int topic) => _channels[topic];

    protected override byte[] Payload(int topic, long seq, long scheduledMicros) =>
        PayloadBuilder.JsonUtf8(null, seq, scheduledMicros, _payloadBytes);
}
