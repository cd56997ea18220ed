using System.Text;
using LoadGen.Measurement;
using LoadGen.Publishing;

namespace BusBench;

/// <summary>
/// Open-loop PUBLISH at a fixed rate, one write per message at its scheduled time, on LoadGen's own
/// RESP connection so the publisher costs the machine as little as it can.
/// </summary>
internal sealed class Publisher : IDisposable
{
    private readonly RespPublishConnection redis;
    private readonly byte[] channel;
    private readonly byte[] payload;

    public Publisher(string redis, string channel, int payloadBytes)
    {
        this.redis = RespPublishConnection.Connect(redis);
        this.channel = Encoding.UTF8.GetBytes(channel);
        payload = Payload.Create(payloadBytes);
    }

    /// <summary>Publishes <paramref name="rate"/> messages a second for <paramref name="duration"/>; returns how many.</summary>
    public long Run(int rate, TimeSpan duration, bool measured)
    {
        PreciseSleep.TightenThisThread();
        var start = WallClock.NowMicros;
        var total = (long)(rate * duration.TotalSeconds);
        for (long k = 0; k < total; k++)
        {
            PreciseSleep.Until(start + (long)(k * 1e6 / rate));
            Payload.Stamp(payload, WallClock.NowMicros, measured);
            redis.Append(channel, payload);
            redis.Flush();
            // Replies (":1") are counted and dropped so Redis never blocks on a full socket.
            redis.ReadAvailable();
        }
        return total;
    }

    public void Dispose() => redis.Dispose();
}
