using System.Net.Sockets;
using System.Text;
using LoadGen.Measurement;

namespace BusBench;

/// <summary>
/// Open-loop PUBLISH at a fixed rate, one write per message at its scheduled time (as LoadGen's
/// publisher sends), on a raw socket so the publisher costs the machine as little as it can.
/// </summary>
internal sealed class Publisher : IDisposable
{
    private readonly Socket socket;
    private readonly byte[] command;
    private readonly byte[] payload;
    private readonly int payloadOffset;

    public Publisher(string redis, string channel, int payloadBytes)
    {
        var colon = redis.LastIndexOf(':');
        socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(redis[..colon], int.Parse(redis[(colon + 1)..]));
        payload = Payload.Create(payloadBytes);
        var head = Encoding.ASCII.GetBytes($"*3\r\n$7\r\nPUBLISH\r\n${Encoding.UTF8.GetByteCount(channel)}\r\n{channel}\r\n${payload.Length}\r\n");
        command = new byte[head.Length + payload.Length + 2];
        head.CopyTo(command, 0);
        payloadOffset = head.Length;
        command[^2] = (byte)'\r';
        command[^1] = (byte)'\n';
        // Replies (":1") are read and dropped so Redis never blocks on a full socket.
        new Thread(Drain) { IsBackground = true, Name = "publisher replies" }.Start();
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
            payload.CopyTo(command, payloadOffset);
            socket.Send(command);
        }
        return total;
    }

    public void Dispose() => socket.Dispose();

    private void Drain()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (socket.Receive(buffer) > 0) { }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed at the end of the run.
        }
    }
}
