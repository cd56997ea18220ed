using System.Globalization;
using System.Text;

namespace LoadGen.Publishing;

/// <summary>
/// The benchmark payload: <c>{"seq":S,"t":T,"pad":"xx…"}</c> (Socket.IO: with <c>"topic"</c> first,
/// since a room broadcast does not name its room), padded so its JSON text is exactly
/// <c>--payload-bytes</c> long when it can be. <c>t</c> is the scheduled send time in µs since the
/// Unix epoch (<see cref="Measurement.WallClock"/>).
/// </summary>
public static class PayloadBuilder
{
    public static string Json(string? topic, long seq, long scheduledMicros, int payloadBytes)
    {
        var head = topic is null
            ? string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"t\":{scheduledMicros},\"pad\":\"")
            : string.Create(CultureInfo.InvariantCulture, $"{{\"topic\":\"{topic}\",\"seq\":{seq},\"t\":{scheduledMicros},\"pad\":\"");
        return head + new string('x', PadLength(head.Length, payloadBytes)) + "\"}";
    }

    public static int PadLength(int headLength, int payloadBytes) => Math.Max(0, payloadBytes - headLength - 2);

    public static byte[] JsonUtf8(string? topic, long seq, long scheduledMicros, int payloadBytes) =>
        Encoding.UTF8.GetBytes(Json(topic, seq, scheduledMicros, payloadBytes));
}
